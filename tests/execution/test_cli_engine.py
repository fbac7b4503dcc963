"""``--engine`` / ``DUALUSE_ENGINE`` and ``--partitions`` on trace, screen, reconcile and hubs; datasets as input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from dualuse.cli.app import run
from dualuse.synth.scenario import build_scenario
from dualuse.synth.shipments import demo_cases, generate_shipments


def _as_dataset(frame: pl.DataFrame, folder: Path, files: int) -> Path:
    folder.mkdir()
    for number, piece in enumerate(frame.iter_slices(max(1, -(-frame.height // files)))):
        piece.write_parquet(folder / f"part-{number:03d}.parquet")
    return folder


def test_trace_over_a_dataset_in_partitions_writes_the_whole_table_results(tmp_path: Path) -> None:
    shipments = generate_shipments(seed=2, chains=60, background=60, planted=demo_cases()).shipments
    single = tmp_path / "ship.parquet"
    shipments.write_parquet(single)
    dataset = _as_dataset(shipments, tmp_path / "ship", files=4)
    common = ["--hubs", "KZ,KG,AM,AE,TR", "--list", "chpl", "--no-ftm", "--json"]
    assert run(["trace", str(single), "--out", str(tmp_path / "whole"), *common]) == 0
    assert run(["trace", str(dataset), "--out", str(tmp_path / "parts"), "--partitions", "3", *common]) == 0
    for table in ("chains", "links", "unexplained", "parties", "flags"):
        whole = pl.read_parquet(tmp_path / "whole" / f"{table}.parquet")
        assert pl.read_parquet(tmp_path / "parts" / f"{table}.parquet").equals(whole), table


def test_reconcile_and_hubs_take_engine_and_partitions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flows = build_scenario().flows
    source = tmp_path / "flows.parquet"
    flows.write_parquet(source)
    dataset = _as_dataset(flows, tmp_path / "flows", files=3)
    assert run(["reconcile", str(source), "--out", str(tmp_path / "whole.parquet"), "--json"]) == 0
    args = ["reconcile", str(dataset), "--out", str(tmp_path / "parts.parquet"), "--engine", "local", "--json"]
    assert run([*args, "--partitions", "4"]) == 0
    assert pl.read_parquet(tmp_path / "parts.parquet").equals(pl.read_parquet(tmp_path / "whole.parquet"))
    route = ["--origin", "CN", "--hubs", "KZ,KG", "--json"]
    assert run(["hubs", str(source), "--out", str(tmp_path / "h1.parquet"), *route]) == 0
    capsys.readouterr()
    assert run(["hubs", str(source), "--out", str(tmp_path / "h2.parquet"), "--partitions", "2", *route]) == 0
    assert pl.read_parquet(tmp_path / "h2.parquet").equals(pl.read_parquet(tmp_path / "h1.parquet"))
    assert json.loads(capsys.readouterr().out)["rows"] > 0


def test_screen_reads_names_from_a_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    watch = pl.DataFrame({"party_id": ["w1"], "name": ["LIMITED LIABILITY PARTNERSHIP ELEM GROUP"], "country": ["KZ"]})
    watch.write_parquet(tmp_path / "watch.parquet")
    names = pl.DataFrame({"name": ["ТОО Элем Групп", "Orion LLC", "ELEM GROUP TOO"] * 3, "country": ["KZ"] * 9})
    dataset = _as_dataset(names, tmp_path / "names", files=3)
    assert run(["screen", str(dataset), "--watchlist", str(tmp_path / "watch.parquet"), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["names"], found["with_candidates"]) == (9, 6)


def test_an_unknown_engine_from_the_environment_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = build_scenario().flows
    flows.write_parquet(tmp_path / "flows.parquet")
    monkeypatch.setenv("DUALUSE_ENGINE", "spark")
    assert run(["reconcile", str(tmp_path / "flows.parquet"), "--out", str(tmp_path / "x.parquet")]) != 0
    assert "unknown engine 'spark'; known engines: local, ray" in capsys.readouterr().err
