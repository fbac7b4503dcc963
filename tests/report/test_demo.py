"""`dualuse demo` end to end: the calibrated figures reach the report; the CLI conventions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from dualuse.cli.app import app, run
from dualuse.demo import DemoResult, frames_from_workspace, report_from_frames
from dualuse.report import ReportOptions
from dualuse.store import Workspace


def test_demo_report_shows_the_calibrated_figures(demo_result: DemoResult, demo_html: str) -> None:
    shown = {f.key: f.display for f in demo_result.figures}
    assert shown["listed_to_hubs"] == "$1.30 bn"
    assert shown["listed_to_hubs_growth"] == "+64 %"
    assert shown["watched-KZ-in"] == "$5.9 m" and shown["watched-KZ-out"] == "$2.7 m"
    assert shown["watched-KZ-pass"] == "46 %" and shown["watched-KZ-prewar"] == "$0"
    for text in ("$1.30 bn", "+64 %", "$5.9 m", "$2.7 m", "46 %", "2022-02-24", "fictitious"):
        assert text in demo_html, text


def test_demo_writes_report_findings_tables_and_workspace(demo_result: DemoResult) -> None:
    out = demo_result.out_dir
    assert (out / "report.html").is_file() and (out / "findings.json").is_file()
    assert (out / "tables" / "evidence.parquet").is_file() and (out / "tables" / "hub_legs.csv").is_file()
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert {f["kind"] for f in findings} >= {"headline"}
    assert all(f["evidence"] or f["finding_id"].endswith("prewar") for f in findings if f["kind"] == "headline")
    names = {t.name for t in Workspace(out / "workspace").tables()}
    assert {
        "trade-statistics",
        "shipments-kz",
        "shipments-kg",
        "shipments-ru",
        "company-registry",
        "watchlist-ofac-sdn",
    } <= names
    assert demo_result.ingested["watchlist-ofac-sdn"] == (10, 0)
    assert demo_result.ingested["trade-statistics"][1] == 0


def test_evidence_points_at_rows_of_the_input_files(demo_result: DemoResult) -> None:
    evidence = pl.read_parquet(demo_result.out_dir / "tables" / "evidence.parquet")
    growth = evidence.filter(pl.col("evidence_id") == "fig-listed-to-hubs-growth")
    assert growth["source"].unique().to_list() == ["trade_statistics.parquet"]
    stats = pl.read_parquet(demo_result.out_dir / "input" / "trade_statistics.parquet").with_row_index(
        "source_row", offset=1
    )
    rows = stats.join(growth.select(pl.col("source_row").cast(pl.UInt32)), on="source_row")
    total_2023 = rows.filter(pl.col("period").dt.year() == 2023)["value_usd"].sum()
    assert total_2023 == pytest.approx(1.3e9, abs=1)


def test_every_link_in_the_demo_report_resolves(
    demo_result: DemoResult, demo_html: str, inspect_html: Callable[[str], Any]
) -> None:
    assert demo_result.files.evidence is not None
    page = inspect_html(demo_html)
    appendix = inspect_html(demo_result.files.evidence.read_text(encoding="utf-8"))
    missing = [link for link in page.links if link.startswith("#") and link[1:] not in page.ids]
    missing += [
        link for link in page.links if link.startswith("evidence.html#") and link.split("#", 1)[1] not in appendix.ids
    ]
    assert missing == []
    assert page.duplicate_ids == [] and appendix.duplicate_ids == []
    assert page.tags.get("svg", 0) >= 3 and page.tags.get("table", 0) >= 1
    assert not [link for link in page.links if not link.startswith(("#", "evidence.html"))]
    assert not [link for link in appendix.links if not link.startswith(("#", "report.html"))]


def test_cli_demo_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {f["key"]: f["display"] for f in summary["figures"]}["listed_to_hubs_growth"] == "+64 %"
    assert summary["report"] == str(tmp_path / "report.html")


def test_cli_demo_quiet_prints_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0 and result.stdout == ""


def test_cli_demo_summary_is_readable(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "Headline figures" in result.stdout and "$5.9 m" in result.stdout and "report.html" in result.stdout


def test_demo_without_the_sanctions_plugin_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dualuse.demo

    monkeypatch.setattr(dualuse.demo, "connectors", lambda: {"csv": object(), "parquet": object()})
    assert run(["demo", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "plugins/dualuse-sanctions" in err and "ofac-sdn" in err


def test_cli_report_from_the_demo_workspace(demo_result: DemoResult, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--workspace", str(demo_result.out_dir / "workspace"), "--out", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {f["key"]: f["display"] for f in summary["figures"]}["watched-KZ-in"] == "$5.9 m"
    assert (tmp_path / "report.html").is_file()


def test_cli_report_from_files(demo_result: DemoResult, tmp_path: Path) -> None:
    flows = demo_result.out_dir / "workspace" / "tables" / "trade-statistics" / "data.parquet"
    if not flows.is_file():
        flows = tmp_path / "flows.parquet"
        Workspace(demo_result.out_dir / "workspace").table("trade-statistics").read().write_parquet(flows)
    result = CliRunner().invoke(
        app, ["report", "--flows", str(flows), "--hubs", "KZ", "--out", str(tmp_path / "r"), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "$806.0 m" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


def test_cli_report_without_flows_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["report", "--out", str(tmp_path)]) == 1
    assert "--flows" in capsys.readouterr().err


def test_report_from_frames_matches_the_demo(demo_result: DemoResult, tmp_path: Path) -> None:
    frames = frames_from_workspace(Workspace(demo_result.out_dir / "workspace"))
    assert set(frames) == {"flows", "shipments", "registry", "watchlist"}
    assert frames["registry"]["identifiers"].list.len().min() == 1
    again = report_from_frames(frames, ReportOptions(), tmp_path)
    assert [f.value for f in again.figures] == [f.value for f in demo_result.figures]


def test_every_step_ran(demo_result: DemoResult) -> None:
    assert [(s.name, s.status) for s in demo_result.steps] == [
        ("lists", "ran"),
        ("scenario", "ran"),
        ("ingest", "ran"),
        ("flows", "ran"),
        ("chains", "ran"),
        ("screening", "ran"),
        ("red flags", "ran"),
        ("report", "ran"),
    ]


def test_the_planted_cases_surface(demo_result: DemoResult, demo_html: str) -> None:
    tables = demo_result.report.tables
    hits = tables["screening"]
    assert set(hits["match_name"]) == {
        "LIMITED LIABILITY PARTNERSHIP ZHARQYN VEKTOR",
        "LIMITED LIABILITY COMPANY KVARSOL",
    }
    assert hits.filter(pl.col("score") < 0.8).height == 0
    chains = tables["chains"]
    bishkek = chains.filter((pl.col("route") == "CN>KG>RU") & (pl.col("hs6") == "847150"))
    assert bishkek.height > 0 and bishkek["party_names"].list.get(1).unique().to_list() == ["Tundukbay Trade LLC"]
    flags = tables["red_flags"].filter(pl.col("name") == "Zharqyn Vektor LLP")
    assert {"founded after invasion", "tiny staff large turnover", "sanctioned party"} <= set(flags["flag"])
    kinds = set(demo_result.report.findings["kind"])
    assert {
        "headline",
        "mirror_gap",
        "hub_pass_through",
        "surge",
        "shipment_chain",
        "red_flag",
        "screening_hit",
    } <= kinds
    for text in (
        "Zharqyn Vektor LLP",
        "Tundukbay Trade LLC",
        "LIMITED LIABILITY COMPANY KVARSOL",
        "Difference-in-differences",
    ):
        assert text in demo_html


def test_drone_pass_through_is_a_finding_with_its_rows(demo_result: DemoResult) -> None:
    findings = demo_result.report.findings
    drones = findings.filter(
        (pl.col("kind") == "hub_pass_through") & pl.col("subject").str.starts_with("CN>KZ>RU 8806")
    )
    assert drones.height >= 1
    assert all(len(e) > 0 for e in drones["evidence"].to_list())


def test_chains_are_exported_as_followthemoney(demo_result: DemoResult) -> None:
    assert demo_result.graph == demo_result.out_dir / "followthemoney.jsonl"
    entities = [json.loads(line) for line in demo_result.graph.read_text(encoding="utf-8").splitlines()]
    companies = {e["properties"]["name"][0] for e in entities if e["schema"] == "Company"}
    assert {"Zharqyn Vektor LLP", "Tundukbay Trade LLC"} <= companies


def test_progress_is_reported_for_every_step_and_missing_inputs_skip(demo_result: DemoResult, tmp_path: Path) -> None:
    from dualuse.demo import ANALYSIS_STEPS

    calls: list[tuple[str, int]] = []
    flows = Workspace(demo_result.out_dir / "workspace").table("trade-statistics").read()
    result = report_from_frames(
        {"flows": flows}, ReportOptions(), tmp_path, progress=lambda step, done, _total: calls.append((step, done))
    )
    assert calls == [(step, n) for step in ANALYSIS_STEPS for n in (0, 1)]
    assert [(s.name, s.status) for s in result.steps] == [
        ("flows", "ran"),
        ("chains", "skipped"),
        ("screening", "skipped"),
        ("red flags", "skipped"),
        ("report", "ran"),
    ]
    assert result.graph is None
