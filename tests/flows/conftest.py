"""Builders for small canonical flows frames with hand-checkable numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import pytest

from dualuse.schema import polars_schema

Row = tuple[Any, ...]
FlowsOf = Callable[..., pl.DataFrame]


def build(rows: Sequence[Row], *, freq: str = "A", source: str = "test") -> pl.DataFrame:
    """Rows ``(period, reporter, partner, flow, hs_code, value[, valuation[, net_weight_kg[, hs_version]]])``.

    ``period`` may be a year (int) or a date; ``valuation`` defaults to CIF for imports, FOB otherwise.
    """
    records = []
    for number, row in enumerate(rows):
        period, reporter, partner, flow, code, value, *rest = row
        valuation = rest[0] if rest else ("CIF" if flow in ("import", "re-import") else "FOB")
        records.append(
            {
                "period": dt.date(period, 1, 1) if isinstance(period, int) else period,
                "freq": freq,
                "reporter": reporter,
                "partner": partner,
                "flow": flow,
                "hs_code": code,
                "hs_version": rest[2] if len(rest) > 2 else "HS2022",
                "value_usd": value,
                "valuation": valuation,
                "net_weight_kg": rest[1] if len(rest) > 1 else None,
                "quantity": None,
                "quantity_unit": None,
                "source": source,
                "source_row": number,
            }
        )
    return pl.DataFrame(records, schema=polars_schema("flows"), orient="row")


@pytest.fixture
def flows_of() -> FlowsOf:
    """The :func:`build` function, as a fixture."""
    return build
