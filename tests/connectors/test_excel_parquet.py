"""The Excel and Parquet connectors use the same mappings; row numbers follow each format."""

from __future__ import annotations

import pathlib

import polars as pl
import pytest

from dualuse.connectors import FetchContext
from dualuse.connectors.builtin import ExcelConnector, ParquetConnector
from dualuse.errors import InputError

BACI = {
    "t": ["2023", "2023", "2023"],
    "i": ["156", "156", "999"],
    "j": ["398", "417", "643"],
    "k": ["10121", "854231", "854231"],
    "v": ["1.5", "2", "3"],
    "q": ["1", "2", "3"],
}


def test_excel_with_baci_preset(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "baci.xlsx"
    frame = pl.DataFrame(BACI).with_columns(
        pl.col("t", "i", "j", "k").cast(pl.Int64), pl.col("v", "q").cast(pl.Float64)
    )
    frame.write_excel(path, worksheet="BACI")
    context = FetchContext(tmp_path / "cache")
    (flows,) = list(ExcelConnector.from_settings({"path": path, "preset": "baci", "sheet": "BACI"}).fetch(context))
    assert flows.select("reporter", "partner", "hs_code", "value_usd", "source_row").rows() == [
        ("CN", "KZ", "010121", 1500.0, 2),
        ("CN", "KG", "854231", 2000.0, 3),
    ]
    (rejected,) = context.rejected
    assert rejected.select("row", "column", "value", "source_row").rows() == [(2, "i", "999", "4")]


def test_excel_missing_sheet_is_an_input_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "baci.xlsx"
    pl.DataFrame(BACI).write_excel(path)
    with pytest.raises(InputError, match=r"baci.xlsx: cannot read as .xlsx"):
        list(
            ExcelConnector.from_settings({"path": path, "preset": "baci", "sheet": "nope"}).fetch(
                FetchContext(tmp_path)
            )
        )


def test_parquet_rows_are_numbered_from_one(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "baci.parquet"
    pl.DataFrame(BACI).with_columns(pl.col("k").cast(pl.Int64), pl.col("v").cast(pl.Float64)).write_parquet(path)
    context = FetchContext(tmp_path / "cache")
    batches = list(ParquetConnector.from_settings({"path": path, "preset": "baci", "batch_rows": 2}).fetch(context))
    assert [b.height for b in batches] == [2, 0]  # batches of 2 rows; the second lost its only row to quarantine
    flows = pl.concat(batches)
    assert flows.select("hs_code", "value_usd", "source_row").rows() == [("010121", 1500.0, 1), ("854231", 2000.0, 2)]
    assert context.rejected[0].select("row", "source_row").rows() == [(2, "3")]


def test_not_a_parquet_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match=r"fake.parquet: not a readable Parquet file"):
        list(ParquetConnector.from_settings({"path": path, "preset": "baci"}).fetch(FetchContext(tmp_path)))
