"""Periods as integers, so that lags and windows are arithmetic; shared by the flows modules."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dualuse.errors import SchemaError
from dualuse.formatting import period_label

__all__ = [
    "BASELINE_END",
    "EVENT",
    "FLOW_COLUMNS",
    "check_columns",
    "from_month_index",
    "month_index",
    "period_label",
]

EVENT = dt.date(2022, 2, 24)
"""Russia's full-scale invasion of Ukraine: the default event date of surge and baseline splits."""

BASELINE_END = dt.date(2022, 1, 1)
"""Default end (exclusive) of the pre-war baseline: monthly data up to 2021-12, annual up to 2021."""

FLOW_COLUMNS = ("period", "freq", "reporter", "partner", "flow", "hs_code", "value_usd", "source", "source_row")
"""The canonical flows columns every algorithm needs (others are optional)."""


def check_columns(frame: pl.DataFrame | pl.LazyFrame, needed: tuple[str, ...] = FLOW_COLUMNS) -> None:
    """Raise :class:`SchemaError` naming the columns a flows frame lacks."""
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    missing = [c for c in needed if c not in names]
    if missing:
        raise SchemaError(f"flows: missing required column(s) {', '.join(missing)}")


def month_index(period: pl.Expr) -> pl.Expr:
    """Months since year 0 (``year * 12 + month - 1``): lags become subtraction."""
    return (period.dt.year().cast(pl.Int32) * 12 + period.dt.month().cast(pl.Int32) - 1).cast(pl.Int32)


def from_month_index(index: pl.Expr) -> pl.Expr:
    """The first day of the month that :func:`month_index` numbered."""
    return pl.date(index // 12, index % 12 + 1, 1)
