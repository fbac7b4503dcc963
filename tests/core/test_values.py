"""The cell parsers read the plain shapes quickly and everything else by their full rules: same values.

:mod:`dualuse.values` reads most cells with one cheap expression (a number as printed, an ISO
date, a code of digits, a country spelled as in the table) and only the rest by the full rules.
These tests feed arbitrary text to both and require the same value, and require that a cell
reads the same whatever batch it arrives in.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualuse import values
from dualuse.errors import CountryError
from dualuse.geo import country, country_spellings

# Characters that make the shapes interesting: digits, separators, signs, exponents, spaces.
NUMBER_TEXT = st.one_of(
    st.text(alphabet="0123456789.,' -+eEn\u00a0", max_size=12),
    st.from_regex(r"[+-]?[0-9]{1,4}([., '][0-9]{3}){0,2}([.,][0-9]{1,3})?", fullmatch=True),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
DATE_TEXT = st.one_of(
    st.text(alphabet="0123456789-./T: ", max_size=20),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f" {d:%d.%m.%Y} "),
    st.dates().map(lambda d: f"{d:%Y%m%d}"),
)
HS_TEXT = st.one_of(st.text(alphabet="0123456789. -/", max_size=16), st.sampled_from(["TOTAL", "all", " 854231 "]))


def _column(cells: list[str | None], expr: pl.Expr) -> list[object]:
    return pl.DataFrame({"c": cells}, schema={"c": pl.String}).select(expr.alias("out"))["out"].to_list()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), NUMBER_TEXT), min_size=1, max_size=30), st.sampled_from([None, True, False]))
def test_numbers_read_quickly_are_the_numbers_the_rules_give(cells: list[str | None], comma: bool | None) -> None:
    text = pl.col("c")
    number, ambiguous = values._number_by_rules(text, comma)
    by_rules = pl.when(~ambiguous & number.is_finite()).then(number)
    quick = values.parse_number(text, text, pl.String(), decimal_comma=comma).value
    assert _column(cells, quick) == _column(cells, by_rules)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), DATE_TEXT), min_size=1, max_size=30))
def test_dates_read_quickly_are_the_dates_every_format_gives(cells: list[str | None]) -> None:
    formats = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d")
    parsed = values.parse_date(pl.col("c"), pl.col("c"), pl.String(), formats=formats)
    stripped = values._stripped(pl.col("c"))
    candidates = [stripped.str.to_date(f, strict=False) for f in formats]
    iso_time = pl.when(stripped.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]")).then(stripped.str.slice(0, 10))
    every_format = pl.coalesce([*candidates, iso_time.str.to_date("%Y-%m-%d", strict=False)])
    assert _column(cells, parsed.value) == _column(cells, every_format)
    filled = parsed.filled_of(parsed.expr)
    assert filled is not None
    assert _column(cells, filled) == _column(cells, stripped.is_not_null())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), HS_TEXT), min_size=1, max_size=30),
    st.sampled_from([None, 4, 6, 9, 10, 12]),
    st.booleans(),
)
def test_hs_codes_read_quickly_are_the_codes_the_rules_give(
    cells: list[str | None], width: int | None, total: bool
) -> None:
    parsed = values.parse_hs(pl.col("c"), pl.col("c"), pl.String(), width=width, total=total)
    by_rules = values._hs_from_text(values._stripped(pl.col("c")), width, total)
    assert _column(cells, parsed.value) == _column(cells, by_rules)


def _country_or_none(cell: str | None) -> str | None:
    if cell is None or not cell.strip():
        return None
    try:
        return country(cell.strip())
    except CountryError:
        return None


COUNTRY_TEXT = st.one_of(
    st.sampled_from(sorted(country_spellings())),
    st.sampled_from(["China ", " KZ", "Hong Kong SAR", "U.S.A.", "Korea, Republic of", "Narnia", "", "  "]),
    st.text(max_size=8),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), COUNTRY_TEXT), min_size=1, max_size=30))
def test_countries_read_from_the_table_are_what_country_says(cells: list[str | None]) -> None:
    assert _column(cells, values.parse_country(pl.col("c")).value) == [_country_or_none(c) for c in cells]


def test_every_spelling_in_the_table_is_what_country_says() -> None:
    assert all(country(text) == code for text, code in country_spellings().items())
    assert {"China", "CHINA", "china", "Казахстан", "KAZ", "398", "051"} <= set(country_spellings())


@pytest.mark.parametrize(
    ("parse", "cells"),
    [
        (lambda c: values.parse_number(c, c, pl.String()).value, ["1 234,5", "n/a", "12", "1,234", None]),
        (lambda c: values.parse_date(c, c, pl.String()).value, ["15.01.2023", "2023-01-15", "x", None]),
        (lambda c: values.parse_country(c).value, ["Китай", "China", "Narnia", " kz ", None]),
    ],
)
def test_a_cell_reads_the_same_in_every_batch(parse: object, cells: list[str | None]) -> None:
    """The readers remember cells across batches: what they remember must not change any answer."""
    assert callable(parse)
    expr = parse(pl.col("c"))
    frame = pl.DataFrame({"c": cells * 50}, schema={"c": pl.String})
    whole = frame.select(expr.alias("v"))["v"].to_list()
    one_at_a_time = [frame.slice(i, 1).select(expr.alias("v"))["v"].item() for i in range(len(cells))]
    reversed_batch = frame.reverse().select(expr.alias("v"))["v"].to_list()[::-1]
    assert whole == one_at_a_time * 50 == reversed_batch
