"""The commands read the files an analyst has in hand, as they are, and say what they did."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from dualuse.cli.app import app, run
from dualuse.demo import CONTROL_GOODS, DemoResult
from dualuse.store import Workspace

STATS_COLUMNS = ["period", "freq", "reporter", "partner", "flow", "hs_code", "value_usd", "valuation"]


def _json(args: list[str]) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def _statistics(demo_result: DemoResult, folder: Path) -> Path:
    """The demo's trade statistics as a statistics portal gives them: no provenance columns, names for flows."""
    flows = Workspace(demo_result.out_dir / "workspace").table("trade-statistics").read()
    path = folder / "statistics.csv"
    flows.select(STATS_COLUMNS).with_columns(
        pl.col("flow").str.to_titlecase(),
        pl.col("hs_code").str.replace(r"^(\d{4})(\d{2})", "${1}.${2}"),
    ).write_csv(path)
    return path


def test_report_and_hubs_take_statistics_without_provenance(demo_result: DemoResult, tmp_path: Path) -> None:
    stats = _statistics(demo_result, tmp_path)
    hubs = _json(["hubs", str(stats), "--origin", "CN", "--hubs", "KZ,KG", "--out", str(tmp_path / "h.parquet")])
    assert hubs["rows"] > 0
    evidence = pl.read_parquet(tmp_path / "h.parquet")["evidence"].explode().struct.field("source")
    assert set(evidence.drop_nulls()) == {"statistics.csv"}  # provenance: the file read
    summary = _json(["report", "--flows", str(stats), "--out", str(tmp_path / "report")])
    assert summary["findings"] > 0


def test_report_and_cli_print_the_same_did_for_the_same_control(demo_result: DemoResult, tmp_path: Path) -> None:
    stats = _statistics(demo_result, tmp_path)
    control = ",".join(CONTROL_GOODS)
    routes = ["--route", "CN>KZ", "--route", "CN>KG"]
    cli = _json(["surge", str(stats), "--list", "chpl@2023", *routes, "--did", str(tmp_path / "did.csv"),
                 "--control", control, "--out", str(tmp_path / "s.parquet")])["did"]  # fmt: skip
    report = pl.read_parquet(demo_result.out_dir / "tables" / "did.parquet").row(0, named=True)
    assert cli["control"] == report["control"] and cli["treated"] == report["treated"]
    assert round(cli["estimate"], 9) == round(report["estimate"], 9)
    unlisted = _json(["surge", str(stats), *routes, "--did", str(tmp_path / "d2.csv"), "--out", str(tmp_path / "s2.parquet")])  # fmt: skip
    assert unlisted["did"]["control"].startswith("goods on no tier of chpl")


def test_trace_reads_each_side_from_its_own_extract(
    demo_result: DemoResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = Workspace(demo_result.out_dir / "workspace")
    files = []
    for name in ("shipments-kz", "shipments-kg", "shipments-ru"):
        path = tmp_path / f"{name}.csv"
        table = ws.table(name).read().drop("source", "source_row", "shipment_id")
        table.with_columns(pl.col("hs_code").str.replace(r"^(\d{4})(\d{2})", "${1}.${2}.")).write_csv(path)
        files.append(str(path))
    together = _json(["trace", *files, "--hubs", "KZ,KG", "--out", str(tmp_path / "t")])
    assert together["rejected"] == 0 and together["chains"] > 0
    globbed = _json(
        ["trace", str(tmp_path / "shipments-*.csv"), "--glob", "--hubs", "KZ,KG", "--out", str(tmp_path / "g")]
    )
    assert globbed["chains"] == together["chains"]
    stored = _json(["trace", "--workspace", str(ws.path), "--hubs", "KZ,KG", "--out", str(tmp_path / "w")])
    assert stored["chains"] == together["chains"]
    assert run(["trace", files[2], "--hubs", "KZ,KG", "--out", str(tmp_path / "one")]) == 0
    assert "warning: chains: no record enters a hub (KG, KZ) from outside RU" in capsys.readouterr().err
    pattern = CliRunner().invoke(app, ["trace", str(tmp_path / "shipments-*.csv"), "--out", str(tmp_path / "p")])
    assert "a pattern is read as a pattern only with --glob" in str(pattern.exception)


def test_screen_reads_a_published_list_through_its_connector(demo_result: DemoResult, tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    for name in ("sdn.csv", "add.csv", "alt.csv"):
        shutil.copy(demo_result.out_dir / "input" / "watchlist" / name, lists / name)
    registry = next((demo_result.out_dir / "input").glob("*registry*"))
    result = CliRunner().invoke(app, ["screen", str(registry), "--watchlist", str(lists / "sdn.csv"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["with_candidates"] > 0
    assert "read by the ofac-sdn connector" in result.stderr
    headerless = tmp_path / "names.csv"
    headerless.write_text("47950,ACME\n1,BETA\n")
    refused = CliRunner().invoke(app, ["screen", str(headerless), "--watchlist", str(lists / "sdn.csv")])
    assert "first row looks like data, not a header" in str(refused.exception)
    assert "dualuse fetch CONNECTOR --set path=FILE" in str(refused.exception)
