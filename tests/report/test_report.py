"""build_report / write_report on small hand-made frames: figures, evidence links, escaping, offline."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dualuse.report import ReportOptions, build_report, write_report
from dualuse.report.evidence import compress_rows
from dualuse.schema import polars_schema, validate

EVIL = "<script>alert(1)</script>"


def _flows(rows: list[tuple[int, str, str, str, str, float]]) -> pl.DataFrame:
    """(year, reporter, partner, flow, hs, value) -> canonical monthly flows in March of each year."""
    frame = pl.DataFrame(
        {
            "period": [dt.date(y, 3, 1) for y, *_ in rows],
            "freq": ["M"] * len(rows),
            "reporter": [r[1] for r in rows],
            "partner": [r[2] for r in rows],
            "flow": [r[3] for r in rows],
            "hs_code": [r[4] for r in rows],
            "value_usd": [r[5] for r in rows],
            "source": ["stats.csv"] * len(rows),
            "source_row": list(range(2, len(rows) + 2)),
        }
    )
    checked = validate(frame, "flows")
    assert checked.ok
    return checked.accepted


FLOWS = _flows(
    [
        (2022, "CN", "KZ", "export", "854231", 100.0),
        (2022, "CN", "KG", "export", "848210", 25.0),
        (2023, "CN", "KZ", "export", "854231", 150.0),
        (2023, "CN", "KG", "export", "848210", 55.0),
        (2023, "CN", "KZ", "export", "940360", 999.0),  # furniture: not listed, must not count
        (2023, "CN", "RU", "export", "854231", 450.0),
        (2021, "KZ", "CN", "import", "880622", 0.0),
        (2023, "KZ", "CN", "import", "880622", 590.0),
        (2023, "KZ", "RU", "export", "880622", 270.0),
    ]
)


def test_headline_figures_are_hand_computed() -> None:
    report = build_report(FLOWS)
    figures = {f.key: f for f in report.figures}
    assert figures["listed_to_hubs"].value == 205.0  # 150 + 55
    assert figures["listed_to_hubs_baseline"].value == 125.0  # 100 + 25
    assert figures["listed_to_hubs_growth"].value == pytest.approx(64.0)  # 205 / 125 - 1
    assert figures["listed_to_hubs_growth"].display == "+64 %"
    assert figures["listed_direct"].value == 450.0
    assert figures["watched-KZ-in"].value == 590.0
    assert figures["watched-KZ-out"].value == 270.0
    assert figures["watched-KZ-pass"].value == pytest.approx(270 / 590)
    assert figures["watched-KZ-pass"].display == "46 %"
    assert figures["watched-KZ-prewar"].value == 0.0


def test_each_figure_names_exactly_its_rows() -> None:
    figures = {f.key: f for f in build_report(FLOWS).figures}
    assert figures["listed_to_hubs"].evidence.rows["source_row"].to_list() == [4, 5]
    assert figures["listed_to_hubs_growth"].evidence.rows["source_row"].to_list() == [2, 3, 4, 5]
    assert figures["watched-KZ-pass"].evidence.ranges() == [("flows", "stats.csv", "9–10", 2)]


def test_hub_table_has_the_three_legs_and_pass_through() -> None:
    legs = build_report(FLOWS).tables["hub_legs"]
    kz = legs.filter((pl.col("route") == "CN>KZ>RU") & (pl.col("year") == 2023))
    drones = kz.filter(pl.col("goods") == "drones (HS 8806)").row(0, named=True)
    assert drones["hub_imports"] == 590.0 and drones["hub_exports_target"] == 270.0
    assert drones["pass_through"] == pytest.approx(270 / 590)
    chpl = kz.filter(pl.col("goods") == "CHPL").row(0, named=True)
    assert chpl["origin_exports"] == 150.0 and chpl["hub_imports"] is None


def test_every_internal_link_resolves_and_every_card_links_to_evidence(inspect_html: Callable[[str], Any]) -> None:
    report = build_report(FLOWS)
    html = report.to_html()
    page, appendix = inspect_html(html), inspect_html(report.evidence_html())
    internal = [link[1:] for link in page.links if link.startswith("#")]
    to_evidence = [link.removeprefix("evidence.html#") for link in page.links if link.startswith("evidence.html#")]
    assert to_evidence, "the report has no evidence links"
    assert not [a for a in internal if a not in page.ids]
    assert not [a for a in to_evidence if a not in appendix.ids]
    cards = re.findall(r'<div class="value"><a href="evidence.html#([^"]+)"', html)
    assert len(cards) == len(report.figures)


def test_text_from_data_is_escaped(inspect_html: Callable[[str], Any]) -> None:
    hits = pl.DataFrame({"party": [EVIL], "matched": ['"><img src=x onerror=alert(1)>'], "score": [0.97]})
    findings = pl.DataFrame(
        [
            {
                "finding_id": "f1",
                "kind": "screening",
                "subject": EVIL,
                "score": 0.9,
                "summary": EVIL,
                "metrics": [],
                "evidence": [],
            }
        ],
        schema=polars_schema("findings"),
    )
    flows = FLOWS.with_columns(pl.lit(EVIL).alias("source"))
    html = build_report(flows, screening=hits, findings=findings).to_html()
    page = inspect_html(html)
    assert "<script" not in html.lower()
    assert page.tags.get("script", 0) == 0 and page.tags.get("img", 0) == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert EVIL in "".join(page.text)  # shown to the reader as text


def test_html_loads_nothing_from_the_network(inspect_html: Callable[[str], Any]) -> None:
    html = build_report(FLOWS).to_html()
    external = [link for link in inspect_html(html).links if re.match(r"(?i)^\s*(https?:)?//", link)]
    assert external == []
    assert not re.search(r"(?i)@import|url\(\s*['\"]?(https?:)?//", html)
    assert "Content-Security-Policy" in html


def test_missing_results_leave_a_note_not_a_hole() -> None:
    html = build_report(FLOWS).to_html()
    assert "No shipment chains were computed" in html and "No screening was run" in html


def test_write_report_writes_html_findings_and_tables(tmp_path: Path) -> None:
    files = write_report(build_report(FLOWS, options=ReportOptions(title="T")), tmp_path)
    assert files.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    findings = json.loads(files.findings.read_text(encoding="utf-8"))
    growth = next(f for f in findings if f["finding_id"] == "headline-listed_to_hubs_growth")
    assert growth["metrics"] == [{"name": "pct", "value": pytest.approx(64.0)}]
    assert {e["source_row"] for e in growth["evidence"]} == {2, 3, 4, 5}
    evidence = pl.read_parquet(tmp_path / "tables" / "evidence.parquet")
    assert set(evidence.columns) == {"evidence_id", "title", "table", "source", "source_row"}
    assert sorted(p.name for p in (tmp_path / "tables").glob("*.parquet")) == [
        "evidence.parquet",
        "findings.parquet",
        "hub_legs.parquet",
    ]
    assert not list(tmp_path.glob("*.tmp"))


def test_findings_are_listed_with_links_to_their_rows() -> None:
    findings = pl.DataFrame(
        [
            {
                "finding_id": "mirror-1",
                "kind": "ghost-export",
                "subject": "CN>KG 848210",
                "score": 0.8,
                "summary": "exported, not recorded",
                "metrics": [{"name": "gap_usd", "value": 30.0}],
                "evidence": [{"table": "flows", "source": "stats.csv", "source_row": 3}],
            },
        ],
        schema=polars_schema("findings"),
    )
    report = build_report(FLOWS, findings=findings)
    html = report.to_html()
    assert 'href="evidence.html#finding-mirror-1"' in html and 'id="finding-mirror-1"' in report.evidence_html()
    assert "gap $30" in html  # the metric by its name's unit: money, not a bare number
    assert report.findings.height == len(report.figures) + 1


def test_compress_rows() -> None:
    assert compress_rows([]) == ""
    assert compress_rows([7, 3, 4, 5, 9, 8]) == "3–5, 7–9"


def test_names_in_chains_and_red_flags_are_escaped(inspect_html: Callable[[str], Any]) -> None:
    shipments = pl.DataFrame(
        {
            "shipment_id": ["S1", "S2"],
            "date": [dt.date(2023, 6, 1), dt.date(2023, 6, 9)],
            "exporter_name": ["Supplier", EVIL],
            "importer_name": [EVIL, "=HYPERLINK(1)"],
            "hs_code": ["84715000", "8471500000"],
            "value_usd": [100.0, 130.0],
            "source": ["a.csv", "b.csv"],
            "source_row": [2, 7],
        }
    )
    chains = pl.DataFrame(
        {
            "chain_id": ["ch-1"],
            "route": ["CN>KG>RU"],
            "party_names": [["Supplier", EVIL, "=HYPERLINK(1)"]],
            "hs6": ["847150"],
            "first_date": [dt.date(2023, 6, 1)],
            "last_date": [dt.date(2023, 6, 9)],
            "quantity": [4.0],
            "value_usd": [130.0],
            "score": [0.9],
            "shipment_ids": [["S1", "S2"]],
        }
    )
    flags = pl.DataFrame(
        {
            "party_id": ["p1"],
            "name": [EVIL],
            "country": ["KG"],
            "flag": ["founded_after_invasion"],
            "detail": [EVIL],
            "value": [1.0],
            "evidence": [[{"table": "shipments", "source": "a.csv", "source_row": 2}]],
        }
    )
    report = build_report(FLOWS, shipments=shipments, chains=chains, red_flags=flags)
    html = report.to_html()
    page = inspect_html(html)
    assert "<script" not in html.lower() and page.tags.get("script", 0) == 0
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    assert "founded after invasion" in html
    chain_rows = next(e for e in report.evidence if e.id == "chain-ch-1")
    assert chain_rows.ranges() == [("shipments", "a.csv", "2", 1), ("shipments", "b.csv", "7", 1)]
