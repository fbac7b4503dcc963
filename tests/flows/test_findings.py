"""Findings from flows results: canonical, stable ids, scores in [0, 1], readable sentences, evidence."""

from __future__ import annotations

import math

import polars as pl
import pytest

from dualuse import lists
from dualuse.flows import hub_findings, hubs, mirror, mirror_findings, surge, surge_findings
from dualuse.flows.findings import finding_id
from dualuse.formatting import money
from dualuse.schema import validate

from .conftest import FlowsOf


def _valid(frame: pl.DataFrame) -> pl.DataFrame:
    result = validate(frame, "findings")
    assert result.ok, result.rejected
    return result.accepted


def test_hub_pass_through_finding_kazakhstan_drones(flows_of: FlowsOf) -> None:
    flows = flows_of([(2023, "KZ", "CN", "import", "880622", 5.9e6), (2023, "KZ", "RU", "export", "880622", 2.7e6)])
    found = _valid(hub_findings(hubs(flows, origin="CN", hubs=["KZ"])))
    row = found.row(0, named=True)
    assert (row["kind"], row["subject"]) == ("hub_pass_through", "CN>KZ>RU 880622")
    assert row["score"] == pytest.approx(2.7 / 5.9)
    assert "46 % pass-through" in row["summary"] and "$5.9 m" in row["summary"]
    assert {m["name"]: m["value"] for m in row["metrics"]}["hub_exports_usd"] == 2.7e6
    assert row["evidence"] == [
        {"table": "flows", "source": "test", "source_row": 0},
        {"table": "flows", "source": "test", "source_row": 1},
    ]
    assert row["finding_id"] == finding_id("hub_pass_through", "CN>KZ>RU 880622", flows["period"][0])


def test_ghost_export_and_mirror_gap_findings(flows_of: FlowsOf) -> None:
    rows: list[tuple[object, ...]] = []
    for year in (2019, 2020, 2021):  # the two reports agree within 5 % before the war
        rows += [
            (year, "CN", "KZ", "export", "854231", 100.0, "FOB"),
            (year, "KZ", "CN", "import", "854231", 105.0, "FOB"),
        ]
    rows += [
        (2023, "CN", "KZ", "export", "854231", 300.0, "FOB"),
        (2023, "KZ", "CN", "import", "854231", 105.0, "FOB"),
        (2023, "CN", "KZ", "export", "880622", 2.0e6, "FOB"),  # never recorded by KZ
    ]
    found = _valid(mirror_findings(mirror(flows_of(rows))))
    assert found.get_column("kind").to_list() == ["ghost_export", "mirror_gap"]
    ghost, gap = found.rows(named=True)
    assert ghost["subject"] == "CN>KZ 880622"
    assert ghost["summary"] == "CN reported exporting $2.0 m of 8806.22 to KZ in 2023; KZ recorded no such import."
    # KZ's baseline gap is ln 1.05 each year -> reliability 1/1.05; score = 0.952 * (1 - e^-2).
    assert ghost["score"] == pytest.approx((1 / 1.05) * (1 - math.exp(-2)))
    excess = abs(math.log(105 / 300)) - math.log(1.05)
    assert gap["score"] == pytest.approx(1 - math.exp(-excess))
    assert "typical gap of 5 %" in gap["summary"]
    assert [e["source_row"] for e in gap["evidence"]] == [6, 7]


def test_surge_findings_and_stable_ids(flows_of: FlowsOf) -> None:
    rows = [(2020, "CN", "KZ", "export", "854231", 100.0), (2021, "CN", "KZ", "export", "854231", 100.0),
            (2023, "CN", "KZ", "export", "854231", 164.0), (2023, "CN", "KZ", "export", "640399", 9.0)]  # fmt: skip
    panel = surge(flows_of(rows), dual_use=lists.get("chpl"))
    first = _valid(surge_findings(panel))
    second = _valid(surge_findings(panel.sample(fraction=1.0, shuffle=True, seed=1)))
    assert first.equals(second)
    row = first.row(0, named=True)
    assert row["score"] == pytest.approx(0.64 / 1.64)
    assert (
        row["summary"] == "CN exported $164 of 8542.31 to KZ in 2023, +64 % on its pre-event baseline of $100 a period."
    )
    assert _valid(surge_findings(panel, min_growth=1.0)).height == 0


def test_money_and_ids() -> None:
    assert money(14.5e6) == "$14.5 m"  # the one formatter of the report, findings and flags
    assert finding_id("surge", "x") == finding_id("surge", "x") != finding_id("surge", "y")
