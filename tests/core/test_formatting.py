"""One way to write numbers: money, shares, changes, p-values, units inferred from names."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualuse.formatting import money, money_expr, number, unit_of

# $0 .. $999,999 in whole dollars with separators; millions with one decimal; billions with two.
MONEY = re.compile(r"^-?\$(\d{1,3}(,\d{3})*|\d{1,3}\.\d m|\d{1,3}(,\d{3})*\.\d\d bn)$")


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False))
def test_money_is_always_in_the_one_style(value: float) -> None:
    text = money(value)
    assert MONEY.match(text), text
    assert not text.startswith("$-")


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_money_never_loses_its_order_of_magnitude(value: float) -> None:
    text = money(value)
    amount = float(re.sub(r"[^0-9.]", "", text))
    scale = 1e9 if text.endswith("bn") else 1e6 if text.endswith(" m") else 1.0
    decimals = len(text.split(".")[1].split()[0]) if "." in text else 0
    # off by at most half a unit of the last digit shown: $1.1 m stands for 1,050,000 to 1,150,000
    assert abs(amount * scale - value) <= 0.5 * 10**-decimals * scale + 1e-6 * value


@pytest.mark.parametrize(
    ("value", "text"),
    [(999_960_000.0, "$1.00 bn"), (999_999.6, "$1.0 m"), (999_999.4, "$999,999"), (-0.4, "$0"), (None, "–")],
)
def test_money_at_the_edges(value: float | None, text: str) -> None:
    assert money(value) == text


def test_money_expression_writes_the_same_text() -> None:
    values = [883_281.0, 14.5e6, None, 1.3e9]
    frame = pl.DataFrame({"v": values}).select(money_expr(pl.col("v")))
    assert frame.to_series().to_list() == [money(v) for v in values]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.4576, "share", "46 %"),
        (29.8, "change", "+2,980 %"),
        (63.99, "pct", "+64 %"),
        (0.00001, "p", "< 0.001"),
        (0.25, "p", "0.250"),
        (4810.0, "usd", "$4,810"),
        (1.0, "days", "1 day"),
        (3.04, "multiple", "3.0×"),
        (0.123, "score", "0.12"),
    ],
)
def test_number_by_unit(value: float, unit: str, text: str) -> None:
    assert number(value, unit) == text


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("re_export_usd", "usd"),
        ("importer_value_fob", "usd"),
        ("pass_through", "share"),
        ("growth", "change"),
        ("p_value", "p"),
        ("ratio_fob", "multiple"),
        ("n_treated", "count"),
        ("score_identifiers", "score"),
        ("estimate", "number"),
    ],
)
def test_units_follow_the_naming_conventions(name: str, unit: str) -> None:
    assert unit_of(name) == unit
