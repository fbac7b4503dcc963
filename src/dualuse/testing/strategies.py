"""Hypothesis strategies for canonical records and frames (``shipments``, ``flows``, ``parties``).

Examples:
    >>> from hypothesis import given, settings
    >>> from dualuse.schema import validate
    >>> @settings(max_examples=5)
    ... @given(frame("flows", max_size=4))
    ... def check(flows):
    ...     assert validate(flows, "flows").ok
    >>> check()
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import strategies as st

from dualuse.schema import Flow, Identifier, Party, Shipment, from_records

__all__ = ["countries", "dates", "flows", "frame", "hs_codes", "money", "parties", "records", "shipments"]

_COUNTRIES = ("CN", "KZ", "KG", "AM", "RU", "BY", "AE", "TR", "US", "DE", "HK", "IN", "UZ", "GE")
_NAMES = ("ТОО Ромашка", "OOO Vektor", "Asia Trade LLP", "Bishkek Elektronika OsOO", "Shenzhen Hua Tong Ltd")


def countries() -> st.SearchStrategy[str]:
    """ISO alpha-2 codes of the countries dualuse cares most about."""
    return st.sampled_from(_COUNTRIES)


def hs_codes(min_digits: int = 6, max_digits: int = 10) -> st.SearchStrategy[str]:
    """HS codes as digit strings of an even length (leading zeros included)."""
    lengths = st.sampled_from(list(range(min_digits, max_digits + 1, 2)))
    return lengths.flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))


def dates(start: dt.date = dt.date(2017, 1, 1), end: dt.date = dt.date(2025, 12, 31)) -> st.SearchStrategy[dt.date]:
    """Dates in a window around the 2022 invasion."""
    return st.dates(min_value=start, max_value=end)


def money() -> st.SearchStrategy[float]:
    """Non-negative finite USD amounts."""
    return st.floats(min_value=0, max_value=1e10, allow_nan=False, allow_infinity=False)


def shipments(source: str = "hypothesis") -> st.SearchStrategy[Shipment]:
    """Valid :class:`~dualuse.schema.Shipment` records."""
    return st.builds(
        Shipment,
        shipment_id=st.text("0123456789ABCDEF/", min_size=1, max_size=20),
        date=dates(),
        hs_code=hs_codes(),
        exporter_name=st.none() | st.sampled_from(_NAMES),
        exporter_country=st.none() | countries(),
        importer_name=st.none() | st.sampled_from(_NAMES),
        importer_country=st.none() | countries(),
        origin_country=st.none() | countries(),
        dispatch_country=st.none() | countries(),
        value_usd=st.none() | money(),
        net_weight_kg=st.none() | money(),
        source=st.just(source),
        source_row=st.integers(min_value=1, max_value=10_000_000),
    )


def flows(source: str = "hypothesis") -> st.SearchStrategy[Flow]:
    """Valid :class:`~dualuse.schema.Flow` records (first day of a month or year)."""
    return st.builds(
        Flow,
        period=dates().map(lambda d: d.replace(day=1)),
        freq=st.sampled_from(["M", "A"]),
        reporter=countries(),
        partner=countries(),
        flow=st.sampled_from(["import", "export", "re-export", "re-import"]),
        hs_code=hs_codes(6, 6),
        value_usd=st.none() | money(),
        valuation=st.none() | st.sampled_from(["CIF", "FOB"]),
        net_weight_kg=st.none() | money(),
        source=st.just(source),
        source_row=st.integers(min_value=1, max_value=10_000_000),
    )


def parties(source: str = "hypothesis") -> st.SearchStrategy[Party]:
    """Valid :class:`~dualuse.schema.Party` records with identifiers."""
    identifier = st.builds(
        Identifier,
        scheme=st.sampled_from(["INN", "BIN", "OGRN"]),
        value=st.text("0123456789", min_size=10, max_size=12),
    )
    return st.builds(
        Party,
        party_id=st.text("abcdef0123456789-", min_size=1, max_size=16),
        name=st.sampled_from(_NAMES),
        aliases=st.lists(st.sampled_from(_NAMES), max_size=2),
        kind=st.sampled_from(["company", "person", "unknown"]),
        country=st.none() | countries(),
        identifiers=st.lists(identifier, max_size=2),
        source=st.just(source),
        source_row=st.integers(min_value=1, max_value=10_000_000),
    )


_RECORDS: dict[str, Any] = {"shipments": shipments, "flows": flows, "parties": parties}


def records(table: str, source: str = "hypothesis") -> st.SearchStrategy[Any]:
    """Valid records of a canonical table by name."""
    strategy: st.SearchStrategy[Any] = _RECORDS[table](source)
    return strategy


def frame(table: str, *, min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[pl.DataFrame]:
    """Canonical frames of ``table`` (rows numbered 1..n in ``source_row``)."""

    def build(items: list[Any]) -> pl.DataFrame:
        rows = [item.model_copy(update={"source_row": i + 1}) for i, item in enumerate(items)]
        return from_records(rows, table)

    return st.lists(records(table), min_size=min_size, max_size=max_size).map(build)
