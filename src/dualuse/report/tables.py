"""Frames turned into HTML-ready tables: formatted cells, links to evidence, nothing unescaped.

A :class:`Table` holds plain text; the template escapes every cell (autoescape), so a company
called ``<script>alert(1)</script>`` is shown as those characters, never run.

Examples:
    >>> import polars as pl
    >>> t = frame_table("t1", "Hubs", pl.DataFrame({"hub": ["KZ"], "value_usd": [5.9e6]}), units={"value_usd": "usd"})
    >>> t.columns, [c.text for c in t.rows[0]]
    (['hub', 'value usd'], ['KZ', '$5.9 m'])
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from dualuse.report.figures import format_number

__all__ = ["Cell", "Table", "cell_text", "frame_table"]

_MAX_TEXT = 240


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, an optional link (an ``#anchor``), whether it is a number."""

    text: str
    href: str | None = None
    numeric: bool = False
    title: str | None = None


@dataclass(frozen=True)
class Table:
    """A captioned table with a header row and rows of :class:`Cell`."""

    id: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    numeric_columns: set[int] = field(default_factory=set)


def cell_text(value: object, unit: str | None = None) -> str:
    """Text for one value: numbers by unit, dates ISO, lists joined, long text cut.

    Examples:
        >>> cell_text(0.456, "ratio"), cell_text(["a", "b"]), cell_text(None), cell_text(3.14159)
        ('46 %', 'a; b', '', '3.14')
    """
    if value is None:
        return ""
    if unit is not None and isinstance(value, (int, float)):
        return format_number(float(value), unit)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() or abs(value) >= 1e6 else f"{value:,.2f}"
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
) -> Table:
    """Build a :class:`Table` from ``frame``.

    ``links`` maps a column to another column that holds an anchor (``ev-…``): the cell then links
    to ``#anchor``. Rows beyond ``limit`` are left out and the note says how many (the full frame
    is in ``tables/``).
    """
    labels = labels or {}
    units = units or {}
    links = links or {}
    shown = [c for c in (columns or frame.columns) if c in frame.columns]
    rows: list[list[Cell]] = []
    data = frame if limit is None else frame.head(limit)
    for record in data.iter_rows(named=True):
        row = []
        for name in shown:
            value = record[name]
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            href = record.get(links[name]) if name in links else None
            row.append(Cell(cell_text(value, units.get(name)), href=f"#{href}" if href else None, numeric=numeric))
        rows.append(row)
    if limit is not None and frame.height > limit:
        note = (note + " " if note else "") + f"First {limit} of {frame.height:,} rows; all are in tables/{id}.parquet."
    numeric_columns = {
        i for i, name in enumerate(shown) if frame.schema[name].is_numeric() and frame.schema[name] != pl.Boolean
    }
    return Table(
        id=id,
        caption=caption,
        columns=[labels.get(c, c.replace("_", " ")) for c in shown],
        rows=rows,
        note=note,
        numeric_columns=numeric_columns,
    )
