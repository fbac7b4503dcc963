"""Frames turned into HTML-ready tables: formatted cells, readable headers, links to evidence, nothing unescaped.

A :class:`Table` holds plain text; the template escapes every cell (autoescape), so a company
called ``<script>alert(1)</script>`` is shown as those characters, never run. Headers come from
:mod:`dualuse.report.labels`; numbers are written by :mod:`dualuse.formatting`, in the unit given
or inferred from the column name (``*_usd`` is money); yearly periods read ``2023``.

Examples:
    >>> import polars as pl
    >>> t = frame_table("t1", "Hubs", pl.DataFrame({"hub": ["KZ"], "re_export_usd": [5.9e6]}))
    >>> t.columns, [c.text for c in t.rows[0]]
    (['hub', 're-exports'], ['KZ', '$5.9 m'])
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from dualuse.formatting import number, period_label, unit_of
from dualuse.report.evidence import EVIDENCE_PAGE
from dualuse.report.labels import column_label, value_label

__all__ = ["Cell", "Table", "cell_text", "frame_table"]

_MAX_TEXT = 240


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, an optional link (``evidence.html#…`` or ``#…``), whether it is a number."""

    text: str
    href: str | None = None
    numeric: bool = False
    title: str | None = None
    nowrap: bool = False
    """Kept on one line (dates, codes): a break inside would misread."""


@dataclass(frozen=True)
class Table:
    """A captioned table with a header row and rows of :class:`Cell`.

    ``views`` are other orderings of the same rows, each with a name (``"kind"``): the page lets the
    reader switch between ``rows`` (named ``order``) and the views without any script.
    """

    id: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    numeric_columns: set[int] = field(default_factory=set)
    order: str = ""
    views: list[tuple[str, list[list[Cell]]]] = field(default_factory=list)
    collapsed: bool = False
    """Shown folded under its caption (rows a reader opens on demand)."""


def cell_text(value: object, unit: str | None = None) -> str:
    """Text for one value: numbers by unit, dates ISO, lists joined, long text cut.

    Examples:
        >>> cell_text(0.456, "share"), cell_text(["a", "b"]), cell_text(None), cell_text(3.14159), cell_text(2023)
        ('46 %', 'a; b', '', '3.14', '2023')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit is not None and isinstance(value, (int, float)):
        return number(float(value), unit)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, pl.Series):
        value = value.to_list()
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v) for v in value)
    text = json.dumps(value, default=str, ensure_ascii=False) if isinstance(value, dict) else str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _units(frame: pl.DataFrame, shown: Sequence[str], units: Mapping[str, str]) -> dict[str, str]:
    """Explicit units first; otherwise the unit the column name implies (floats and named integer units)."""
    inferred: dict[str, str] = {}
    for name in shown:
        dtype = frame.schema[name]
        unit = unit_of(name)
        if dtype.is_float() or (dtype.is_integer() and unit != "number"):
            inferred[name] = unit
    return {**inferred, **units}


def _text(record: Mapping[str, object], name: str, unit: str | None) -> str:
    value = record[name]
    if name == "period" and isinstance(value, dt.date) and isinstance(record.get("freq"), str):
        return period_label(value, str(record["freq"]))
    if isinstance(value, str):
        return cell_text(value_label(name, value))
    return cell_text(value, unit)


def _rows(
    frame: pl.DataFrame, shown: Sequence[str], units: Mapping[str, str], links: Mapping[str, str]
) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for record in frame.iter_rows(named=True):
        row = []
        for name in shown:
            value = record[name]
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            target = record.get(links[name]) if name in links else None
            href = None
            if isinstance(target, str) and target:
                href = target if target.startswith("#") else f"{EVIDENCE_PAGE}#{target}"
            nowrap = numeric or isinstance(value, dt.date)
            row.append(Cell(_text(record, name, units.get(name)), href=href, numeric=numeric, nowrap=nowrap))
        rows.append(row)
    return rows


def frame_table(
    id: str,
    caption: str,
    frame: pl.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    limit: int | None = 200,
    note: str = "",
    views: Mapping[str, pl.DataFrame] | None = None,
    order: str = "",
) -> Table:
    """Build a :class:`Table` from ``frame``.

    ``links`` maps a column to another column that holds an evidence id (``ev-…``, linked to the
    evidence page) or an ``#anchor`` of the report. Rows beyond ``limit`` are left out and the
    note says how many (the full frame is in ``tables/``). ``views`` are the same rows in other
    orders, by name; ``order`` names the order of ``frame`` itself.
    """
    shown = [c for c in (columns or frame.columns) if c in frame.columns]
    units = _units(frame, shown, units or {})
    links = links or {}
    data = frame if limit is None else frame.head(limit)
    if limit is not None and frame.height > limit:
        note = (note + " " if note else "") + f"First {limit} of {frame.height:,} rows; all are in tables/{id}.parquet."
    numeric_columns = {
        i for i, name in enumerate(shown) if frame.schema[name].is_numeric() and frame.schema[name] != pl.Boolean
    }
    return Table(
        id=id,
        caption=caption,
        columns=[column_label(c, labels) for c in shown],
        rows=_rows(data, shown, units, links),
        note=note,
        numeric_columns=numeric_columns,
        order=order,
        views=[
            (name, _rows(view if limit is None else view.head(limit), shown, units, links))
            for name, view in (views or {}).items()
        ],
    )
