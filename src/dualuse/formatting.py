"""Numbers for people: one way to write money, shares, changes, counts, scores and periods.

Every sentence, table and chart label that dualuse writes goes through these functions, so a
dollar figure reads the same in a finding's summary, a red flag's detail, a screening
explanation, the terminal and the HTML report: ``$1.30 bn``, ``$5.9 m``, ``$883,281``.

A *unit* names how a value is written (:data:`Unit`); :func:`unit_of` infers it from a column or
metric name by the project's naming conventions (``*_usd`` is money, ``pass_through`` a share,
``growth`` a change, ``p_value`` a probability, ...).

Examples:
    >>> money(1.3e9), money(5_900_000), money(883_281), money(-3700), money(None)
    ('$1.30 bn', '$5.9 m', '$883,281', '-$3,700', '–')
    >>> number(0.4576, "share"), number(2.98, "change"), number(63.99, "pct"), number(0.0004, "p")
    ('46 %', '+298 %', '+64 %', '< 0.001')
    >>> unit_of("re_export_usd"), unit_of("pass_through"), unit_of("n_treated")
    ('usd', 'share', 'count')
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal, get_args

import polars as pl

__all__ = [
    "MISSING",
    "UNITS",
    "Unit",
    "count",
    "money",
    "money_expr",
    "number",
    "period_label",
    "unit_of",
]

Unit = Literal["usd", "pct", "share", "change", "count", "score", "number", "p", "days", "multiple", "text"]
"""How a value is written: ``usd`` money; ``pct`` a signed change already in per cent (``+64 %``);
``share`` a fraction as a percentage (``46 %``); ``change`` a fraction as a signed percentage
(``+298 %``); ``count`` a whole number with thousands separators; ``score`` two decimals in [0, 1];
``number`` two decimals; ``p`` a probability (``< 0.001``); ``days``; ``multiple`` (``3.2×``);
``text`` as it is."""

UNITS: tuple[str, ...] = get_args(Unit)

MISSING = "–"
"""What a missing value is written as."""


def money(value: float | None, *, missing: str = MISSING) -> str:
    """US dollars as people write them: ``$1.30 bn``, ``$5.9 m``, ``$3,700`` (whole dollars below a million).

    Examples:
        >>> money(999_960_000), money(999_999.7), money(0.4), money(float("nan"))
        ('$1.00 bn', '$1.0 m', '$0', '–')
    """
    if value is None or math.isnan(value):
        return missing
    sign = "-" if value < 0 and round(abs(value)) > 0 else ""
    size = abs(value)
    if size >= 999.95e6:  # would round to $1,000.0 m
        return f"{sign}${size / 1e9:,.2f} bn"
    if size >= 999_999.5:  # would round to $1,000,000
        return f"{sign}${size / 1e6:,.1f} m"
    return f"{sign}${size:,.0f}"


def count(value: float | None) -> str:
    """A whole number with thousands separators: ``188,271``.

    Examples:
        >>> count(188271.0), count(7), count(None)
        ('188,271', '7', '–')
    """
    if value is None or math.isnan(value):
        return MISSING
    return f"{value:,.0f}"


def number(value: float | None, unit: str = "number") -> str:
    """Write ``value`` in ``unit`` (see :data:`Unit`); an unknown unit is written as ``number``.

    Examples:
        >>> number(0.123456, "score"), number(1234.5678), number(3.21, "multiple"), number(412, "days")
        ('0.12', '1,234.57', '3.2×', '412 days')
        >>> number(0.0312, "p"), number(-0.25, "change"), number(None, "usd")
        ('0.031', '-25 %', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    value = float(value)
    if unit == "usd":
        return money(value)
    if unit == "pct":
        return f"{value:+,.0f} %"
    if unit == "share":
        return f"{100 * value:,.0f} %"
    if unit == "change":
        return f"{100 * value:+,.0f} %"
    if unit == "count":
        return count(value)
    if unit == "score":
        return f"{value:.2f}"
    if unit == "p":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    if unit == "days":
        return f"{value:,.0f} day{'' if round(value) == 1 else 's'}"
    if unit == "multiple":
        return f"{value:,.1f}×"
    if abs(value) >= 1e6 or value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def money_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`money` as a polars expression (for sentences built inside a query).

    Examples:
        >>> pl.select(money_expr(pl.lit(883281.0))).item()
        '$883,281'
    """
    return expr.map_elements(money, return_dtype=pl.String, skip_nulls=False)


_RULES: tuple[tuple[str, Unit], ...] = (
    (r"(^|_)usd$|^value$|^revenue|_value_fob$|^traded$", "usd"),
    (r"^p(_value)?$", "p"),
    (r"pass_through|(^|_)share$", "share"),
    (r"^ratio(_fob)?$|_ratio$", "multiple"),
    (r"(^|_)growth$|_change$", "change"),
    (r"_pct$|^pct$", "pct"),
    (r"(^|_)score($|_)|^confidence$|reliability", "score"),
    (r"(^|_)days$|(^|_)days_", "days"),
    (r"^n_|_n$|^(legs|chains|rows|employees|quantity|shipments|hits|evidence_rows)$", "count"),
)


def unit_of(name: str) -> Unit:
    """The unit of a column or metric, by the project's naming conventions (``number`` when none applies).

    Examples:
        >>> [unit_of(n) for n in ("value_usd", "p_value", "growth", "mirror_gap_pct", "score_time", "days", "legs")]
        ['usd', 'p', 'change', 'pct', 'score', 'days', 'count']
    """
    for pattern, unit in _RULES:
        if re.search(pattern, name):
            return unit
    return "number"


def period_label(period: dt.date, freq: str) -> str:
    """``2023`` for annual data, ``2023-05`` for monthly data.

    Examples:
        >>> period_label(dt.date(2023, 5, 1), "M"), period_label(dt.date(2023, 1, 1), "A")
        ('2023-05', '2023')
    """
    return f"{period.year}" if freq == "A" else f"{period.year}-{period.month:02d}"
