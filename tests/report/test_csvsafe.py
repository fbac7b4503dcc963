"""CSV exports never let a spreadsheet run a cell as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from dualuse.report import build_report, defuse_cell, safe_csv, write_report
from dualuse.report.csvsafe import FORMULA_PREFIXES, write_safe_csv


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_each_formula_prefix_is_defused() -> None:
    frame = pl.DataFrame(
        {"name": ['=HYPERLINK("http://x")', "+7 495", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "plain", "a=b"]}
    )
    rows = _cells(safe_csv(frame))[1:]
    assert [r[0] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+7 495",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "'\r=1",
        "plain",
        "a=b",
    ]


def test_numbers_stay_numbers_and_nulls_stay_empty() -> None:
    frame = pl.DataFrame({"value": [-1.5, None], "name": [None, "x"]})
    assert _cells(safe_csv(frame)) == [["value", "name"], ["-1.5", ""], ["", "x"]]


def test_nested_cells_are_written_as_json_and_defused() -> None:
    frame = pl.DataFrame({"aliases": [["=x"], []], "note": ["-", "ok"]})
    assert _cells(safe_csv(frame))[1:] == [['["=x"]', "'-"], ["[]", "ok"]]


@given(st.lists(st.text(max_size=12), min_size=1, max_size=8))
def test_no_written_text_cell_starts_with_a_formula_prefix(values: list[str]) -> None:
    rows = _cells(safe_csv(pl.DataFrame({"t": values})))[1:]
    assert len(rows) == len(values)
    for row, original in zip(rows, values, strict=True):
        cell = row[0] if row else ""
        assert not cell.startswith(FORMULA_PREFIXES)
        assert cell in (original, "'" + original) or original.startswith(("\r", "\n"))


def test_defuse_cell_is_idempotent_on_safe_text() -> None:
    assert defuse_cell(defuse_cell("=1")) == "'=1"


def test_file_has_a_byte_order_mark_for_excel(tmp_path: Path) -> None:
    path = write_safe_csv(pl.DataFrame({"name": ["ТОО «Жарқын Вектор»"]}), tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_report_tables_are_written_defused(tmp_path: Path) -> None:
    import datetime as dt

    flows = pl.DataFrame(
        {
            "period": [dt.date(2023, 1, 1)],
            "freq": ["M"],
            "reporter": ["CN"],
            "partner": ["KZ"],
            "flow": ["export"],
            "hs_code": ["854231"],
            "value_usd": [1.0],
            "source": ["=evil()"],
            "source_row": [1],
        }
    )
    hits = pl.DataFrame({"name": ["=cmd|' /C calc'!A0"], "score": [0.9]})
    files = write_report(build_report(flows, screening=hits), tmp_path)
    screening = (tmp_path / "tables" / "screening.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in screening
    evidence = (tmp_path / "tables" / "evidence.csv").read_text(encoding="utf-8-sig")
    assert "'=evil()" in evidence and ",=evil()" not in evidence
    assert (tmp_path / "tables" / "screening.parquet") in files.tables
