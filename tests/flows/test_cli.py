"""``dualuse reconcile``, ``dualuse hubs``, ``dualuse surge`` on files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from dualuse.cli import main

from .conftest import build


@pytest.fixture
def flows_file(tmp_path: Path) -> Path:
    rows: list[tuple[object, ...]] = [
        (2020, "CN", "KZ", "export", "854231", 100.0),
        (2021, "CN", "KZ", "export", "854231", 100.0),
        (2023, "CN", "KZ", "export", "854231", 400.0),
        (2023, "CN", "KZ", "export", "640399", 10.0),
        (2023, "KZ", "CN", "import", "880622", 5.9e6),
        (2023, "KZ", "RU", "export", "880622", 2.7e6),
    ]
    path = tmp_path / "flows.csv"
    build(rows).write_csv(path)
    return path


def test_reconcile_writes_parquet_and_findings(
    flows_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, found = tmp_path / "m.parquet", tmp_path / "f.json"
    assert main(["reconcile", str(flows_file), "--out", str(out), "--findings", str(found)]) == 0
    result = pl.read_parquet(out)
    # KZ reports only drones, in 2023: CN's 2023 chips and shoes are ghosts, its 2020-21 reports
    # and KZ's exports to (silent) RU are not; KZ's drone import has no CN report.
    assert result.height == 6
    counts = result.get_column("status").value_counts().sort("status").rows()
    assert counts == [("ghost_export", 2), ("ghost_import", 1), ("importer_silent", 3)]
    assert "6 flows reconciled" in capsys.readouterr().out
    assert sorted(f["kind"] for f in json.loads(found.read_text())) == ["ghost_export", "ghost_export", "ghost_import"]


def test_hubs_csv_with_evidence_as_json_text(flows_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    assert main(["--quiet", "hubs", str(flows_file), "--origin", "CN", "--hub", "KZ,KG", "--target", "RU",
                 "--out", str(out)]) == 0  # fmt: skip
    rows = pl.read_csv(out).filter(pl.col("hs_code") == 880622).rows(named=True)
    assert round(rows[0]["pass_through"], 3) == 0.458
    assert json.loads(rows[0]["evidence"]) == [{"source": "test", "source_row": 4}, {"source": "test", "source_row": 5}]


def test_surge_with_list_did_and_event(flows_file: Path, tmp_path: Path) -> None:
    out, did = tmp_path / "s.json", tmp_path / "d.json"
    assert main(["surge", str(flows_file), "--list", "chpl", "--event", "2022-02-24", "--out", str(out),
                 "--did", str(did)]) == 0  # fmt: skip
    rows = json.loads(out.read_text())
    chips = [r for r in rows if r["hs_code"] == "854231" and r["post"]]
    assert (chips[0]["tier"], chips[0]["growth"]) == ("Tier 1", 3.0)
    assert json.loads(did.read_text())[0]["n_treated"] == 1


def test_bad_rows_and_bad_options_fail_with_one_line(
    flows_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    pl.read_csv(flows_file).with_columns(pl.lit("Narnia").alias("partner")).write_csv(bad)
    assert main(["reconcile", str(bad), "--out", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, row 0, column partner: unknown country: 'Narnia' (6 bad rows)" in err
    assert main(["surge", str(flows_file), "--event", "24.02.2022", "--out", str(tmp_path / "s.csv")]) == 1
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err
    assert main(["hubs", str(flows_file), "--out", str(tmp_path / "h.csv")]) == 2  # --origin is required
