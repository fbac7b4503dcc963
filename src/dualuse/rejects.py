"""Rejected rows: the one layout every parser and validator uses to quarantine bad input.

A rejected-rows frame has ``row`` (0-based position in the input), ``column``, ``value`` (the bad
cell as text) and ``reason``, followed by every input column cast to text, so that nothing the
user gave is lost.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

__all__ = ["REJECT_COLUMNS", "empty_rejects", "make_rejects"]

REJECT_COLUMNS: dict[str, pl.DataType] = {
    "row": pl.UInt32(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
}


def empty_rejects(columns: list[str] | None = None) -> pl.DataFrame:
    """An empty rejected-rows frame, optionally with the input's columns after the four fixed ones.

    Examples:
        >>> empty_rejects(["a"]).columns
        ['row', 'column', 'value', 'reason', 'a']
    """
    schema = dict(REJECT_COLUMNS)
    for name in columns or []:
        if name not in schema:
            schema[name] = pl.String()
    return pl.DataFrame(schema=schema)


FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def make_rejects(frame: FrameT, row: pl.Expr, column: pl.Expr, value: pl.Expr, reason: pl.Expr) -> FrameT:
    """Build rejected rows from ``frame`` (already filtered to the bad rows) and four expressions.

    Columns whose names start with ``__`` are working columns and are not copied.
    """
    extra = [c for c in frame.collect_schema().names() if c not in REJECT_COLUMNS and not c.startswith("__")]
    return frame.select(
        row.cast(pl.UInt32).alias("row"),
        column.cast(pl.String).alias("column"),
        value.cast(pl.String).alias("value"),
        reason.cast(pl.String).alias("reason"),
        *[pl.col(c).cast(pl.String) for c in extra],
    )
