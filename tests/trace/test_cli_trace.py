"""``dualuse trace`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from dualuse.cli.app import run
from dualuse.synth.shipments import demo_cases, generate_shipments

SCENARIO = generate_shipments(seed=2, chains=12, background=30, planted=demo_cases())


def test_trace_writes_every_table(tmp_path: Path) -> None:
    src = tmp_path / "ship.parquet"
    SCENARIO.shipments.write_parquet(src)
    SCENARIO.watchlist.write_parquet(tmp_path / "watch.parquet")
    args = ["trace", str(src), "--out", str(tmp_path / "out"), "--hubs", "KZ,KG,AM,AE,TR", "--list", "chpl"]
    assert run([*args, "--sanctioned", str(tmp_path / "watch.parquet")]) == 0
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "chains.parquet",
        "entities.ftm.json",
        "flags.parquet",
        "links.parquet",
        "parties.parquet",
        "rejected.parquet",
        "unexplained.parquet",
    ]
    chains = pl.read_parquet(out / "chains.parquet")
    parties = pl.read_parquet(out / "parties.parquet")
    ids = pl.col("identifiers").list.eval(pl.element().struct.field("value"))
    bishkek = parties.filter(ids.list.contains("01506202310123"))["party_id"].item()
    assert chains.filter(pl.col("parties").list.get(1) == bishkek)["value_usd"].sum() == pytest.approx(3700.0)
    flags = pl.read_parquet(out / "flags.parquet")
    assert "sanctioned_counterparty" in flags["flag"].to_list()
    first = json.loads((out / "entities.ftm.json").read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"id", "schema", "properties"}


def test_trace_csv_in_and_out_keeps_leading_zeros(tmp_path: Path) -> None:
    src = tmp_path / "ship.csv"
    SCENARIO.shipments.write_csv(src)
    assert run(["-q", "trace", str(src), "--out", str(tmp_path / "o"), "-f", "csv", "--no-ftm"]) == 0
    parties = pl.read_csv(tmp_path / "o" / "parties.csv", infer_schema=False)
    ids = SCENARIO.shipments.filter(pl.col("importer_id").str.starts_with("0"))["importer_id"]
    assert all(any(i in cell for cell in parties["identifiers"].drop_nulls()) for i in ids.unique().to_list())
    assert not (tmp_path / "o" / "entities.ftm.json").exists()
    links = pl.read_csv(tmp_path / "o" / "links.csv")
    assert links.height > 0 and "inbound_source_row" in links.columns


def test_trace_errors(tmp_path: Path) -> None:
    assert run(["trace", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 1
    src = tmp_path / "ship.parquet"
    SCENARIO.shipments.write_parquet(src)
    assert run(["trace", str(src), "--out", str(tmp_path / "x"), "--hubs", "Narnia"]) == 1
    assert run(["trace", str(src), "--out", str(tmp_path / "x"), "--max-hops", "1"]) == 1
