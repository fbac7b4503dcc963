"""First-in-first-out allocation of an intermediary's outbound legs to its inbound legs.

Goods that arrive at a party form lots; each outbound leg consumes the oldest compatible lots that
arrived on or before its date and no more than ``window_days`` earlier (older stock is written off:
sold at home, or not the same goods). An outbound leg never consumes more than has arrived; what it
cannot cover is *unexplained*. A lot may feed several outbound legs (a split consignment) and an
outbound leg may draw on several lots (a merge): every partial allocation is one link.

Compatible means: same heading, and the same HS6 or the same brand/manufacturer; same brand when
both lines name one (else the same manufacturer when both name one); otherwise the descriptions
share a model code (a token of letters and digits) or, for the same HS6, are similar (rapidfuzz
``token_set_ratio``).

The candidate pairs come from one sort of all legs by (party, heading, date); the walk over them
is a single linear pass (the arithmetic of FIFO is sequential by nature), done only for the
party-headings that have legs in both directions.

Examples:
    >>> import datetime as dt, polars as pl
    >>> legs = pl.DataFrame({"key": [0, 1, 2], "party": ["p"] * 3, "direction": ["in", "out", "out"],
    ...     "date": [dt.date(2023, 1, 1), dt.date(2023, 1, 5), dt.date(2023, 1, 9)],
    ...     "hs6": ["854231"] * 3, "brand": ["nb"] * 3, "manufacturer": [None] * 3,
    ...     "description": [""] * 3, "quantity": [100.0, 60.0, 70.0]})
    >>> fifo_allocate(legs).links.select("in_key", "out_key", "quantity").rows()
    [(0, 1, 60.0), (0, 2, 40.0)]
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from dualuse.errors import InputError, SchemaError
from dualuse.frames import stable_sum

__all__ = ["LEG_COLUMNS", "Allocation", "fifo_allocate", "product_match"]

LEG_COLUMNS = ("key", "party", "direction", "date", "hs6", "brand", "manufacturer", "description", "quantity")
"""Columns of the legs frame :func:`fifo_allocate` takes (``direction`` is ``in`` or ``out``)."""

_EPS = 1e-9
_PRODUCT_COLUMNS = ["hs6", "brand", "manufacturer", "description"]
_Product = tuple[str, str | None, str | None, str]
_CODE = re.compile(r"(?=\w*\d)(?=\w*[a-z])\w{4,}")
_JOINER = re.compile(r"(?<=[A-Za-z0-9])[-/.](?=[A-Za-z0-9])")

_LINK_SCHEMA = {
    "party": pl.String,
    "in_key": pl.Int64,
    "out_key": pl.Int64,
    "quantity": pl.Float64,
    "gap_days": pl.Int64,
    "product_evidence": pl.String,
    "product_score": pl.Float64,
}


@dataclass(frozen=True)
class Allocation:
    """``links``: one row per (inbound lot, outbound leg) allocation; ``outflow``: per outbound leg,
    ``requested`` and ``allocated`` quantity (``requested - allocated`` is unexplained)."""

    links: pl.DataFrame
    outflow: pl.DataFrame


def _codes(text: str) -> frozenset[str]:
    """Model codes: tokens of letters and digits; ``SB-6204`` and ``SB 6204`` read as ``sb6204``."""
    joined = _JOINER.sub("", text)
    return frozenset(_CODE.findall(default_process(joined)) + _CODE.findall(default_process(text)))


@lru_cache(maxsize=200_000)
def product_match(
    hs_in: str,
    hs_out: str,
    brand_in: str | None,
    brand_out: str | None,
    manu_in: str | None,
    manu_out: str | None,
    desc_in: str,
    desc_out: str,
    min_similarity: float,
) -> tuple[str, float] | None:
    """Whether an inbound and an outbound line carry the same goods: ``(evidence, score)`` or ``None``.

    Examples:
        >>> product_match("854121", "854121", None, None, None, None, "transistors BC847B", "транзисторы BC847B", 0.6)
        ('model', 0.9)
        >>> product_match("854121", "854129", "ti", None, None, None, "", "", 0.6) is None
        True
    """
    if hs_in[:4] != hs_out[:4]:
        return None
    same_hs6 = hs_in[:6] == hs_out[:6]
    hs_factor = 1.0 if same_hs6 else 0.8
    if brand_in and brand_out:
        return ("brand", hs_factor) if brand_in == brand_out else None
    if manu_in and manu_out:
        return ("manufacturer", hs_factor) if manu_in == manu_out else None
    if _codes(desc_in) & _codes(desc_out):
        return ("model", 0.9 * hs_factor)
    if not same_hs6:  # another HS6 of the heading needs a named product to be believed
        return None
    similarity = fuzz.token_set_ratio(desc_in, desc_out, processor=default_process) / 100.0
    return ("description", round(similarity, 4)) if similarity >= min_similarity else None


def _key(values: pl.Series) -> pl.Series:
    """Lower case, letters and digits only; empty means unknown (cleaned once per distinct value)."""
    values = values.cast(pl.String)
    distinct = values.unique().drop_nulls()
    cleaned = distinct.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "")
    cleaned = pl.select(pl.when(cleaned == "").then(None).otherwise(cleaned)).to_series()
    return values.replace_strict(distinct, cleaned, default=None, return_dtype=pl.String)


def fifo_allocate(legs: pl.DataFrame, *, window_days: int = 90, min_similarity: float = 0.6) -> Allocation:
    """Allocate outbound legs to inbound lots per party, first in first out (see the module documentation).

    ``legs`` has :data:`LEG_COLUMNS`; ``key`` identifies a line (unique per direction). Legs without a
    positive quantity neither supply nor consume (an outbound one is unexplained).
    """
    missing = [c for c in LEG_COLUMNS if c not in legs.columns]
    if missing:
        raise SchemaError(f"legs: missing column(s) {', '.join(missing)}")
    if window_days < 0:
        raise InputError(f"window_days {window_days}: must be >= 0", column="window_days")
    work = legs.select(
        pl.col("key").cast(pl.Int64),
        pl.col("party").cast(pl.String),
        pl.col("direction").cast(pl.String),
        pl.col("date").cast(pl.Date),
        pl.col("hs6").cast(pl.String),
        pl.col("brand").cast(pl.String),
        pl.col("manufacturer").cast(pl.String),
        pl.col("description").cast(pl.String),
        pl.col("quantity").cast(pl.Float64).fill_null(0.0),
    ).with_columns(pl.col("hs6").str.slice(0, 4).alias("heading"))
    bad = work.filter(~pl.col("direction").is_in(["in", "out"]))
    if bad.height:
        raise InputError(f"direction {bad['direction'][0]!r}: expected 'in' or 'out'", column="direction")
    # lazy queries over ``work``, so that only the columns they use are filtered
    outflow = (
        work.lazy()
        .filter(pl.col("direction") == "out")
        .select(pl.col("key").alias("out_key"), "party", pl.col("quantity").alias("requested"))
        .collect()
    )
    # the party-headings with legs both ways, numbered in order so that the big sort is on numbers
    both = (
        work.lazy()
        .filter(pl.col("party").is_not_null())
        .group_by("party", "heading")
        .agg(pl.col("direction").n_unique().alias("n"))
        .filter(pl.col("n") == 2)
        .select("party", "heading")
        .sort("party", "heading")
        .collect()
        .with_row_index("__group")
    )
    # products numbered, so that the events to sort and walk are numbers only; brands and
    # descriptions are cleaned per product, not per leg
    products = work.select(_PRODUCT_COLUMNS).unique().with_row_index("__product")
    events = (
        work.lazy()
        .join(both.lazy(), on=["party", "heading"], how="inner")
        .filter(pl.col("quantity") > 0)
        .join(products.lazy(), on=_PRODUCT_COLUMNS, how="left", nulls_equal=True)
        .select(
            "__group",
            pl.col("date").cast(pl.Int32).alias("day"),
            (pl.col("direction") == "out").cast(pl.Int8).alias("kind"),
            "key",
            "quantity",
            "__product",
        )
        .sort("__group", "day", "kind", "key")  # arrivals before departures on the same day
        .collect()
    )
    cleaned = products.select(
        "__product",
        "hs6",
        _key(products["brand"]),
        _key(products["manufacturer"]),
        pl.col("description").fill_null(""),
    )
    catalogue: dict[int, _Product] = {row[0]: row[1:] for row in cleaned.iter_rows()}
    links = (
        _walk(events, catalogue, window_days, min_similarity)
        .join(both.select("__group", "party"), on="__group", how="left", maintain_order="left")
        .select(list(_LINK_SCHEMA))
    )
    allocated = links.group_by("out_key").agg(stable_sum(pl.col("quantity")).alias("allocated"))
    outflow = (
        outflow.join(allocated, on="out_key", how="left")
        .with_columns(pl.col("allocated").fill_null(0.0))
        .sort("out_key")
    )
    return Allocation(links=links, outflow=outflow)


def _walk(
    events: pl.DataFrame, catalogue: dict[int, _Product], window_days: int, min_similarity: float
) -> pl.DataFrame:
    """The FIFO pass over sorted events; returns the links (with ``__group`` in place of ``party``).

    Groups and products are numbers (``catalogue`` holds each product's columns), so the loop
    compares integers and asks :func:`product_match` once per distinct pair of products.
    """
    matches: dict[tuple[int, int], tuple[str, float] | None] = {}
    groups = events["__group"]
    # slices of whole groups, so that the Python lists of one slice at a time are held
    cuts = groups.search_sorted(groups.gather(list(range(_EVENTS_PER_SLICE, events.height, _EVENTS_PER_SLICE))))
    bounds = sorted({0, events.height, *cuts.to_list()})
    parts = [
        _walk_slice(events.slice(start, end - start), catalogue, matches, window_days, min_similarity)
        for start, end in itertools.pairwise(bounds)
    ]
    return pl.concat(parts) if parts else _walk_slice(events, catalogue, matches, window_days, min_similarity)


_EVENTS_PER_SLICE = 500_000


def _walk_slice(
    numbered: pl.DataFrame,
    catalogue: dict[int, _Product],
    matches: dict[tuple[int, int], tuple[str, float] | None],
    window_days: int,
    min_similarity: float,
) -> pl.DataFrame:
    """The FIFO pass over the events of whole groups (``matches`` caches product comparisons)."""
    group = numbered["__group"].to_list()
    product = numbered["__product"].to_list()
    kind = numbered["kind"].to_list()
    key = numbered["key"].to_list()
    day = numbered["day"].to_list()
    qty = numbered["quantity"].to_list()
    link_group: list[int] = []  # the party is looked up by group afterwards: cheaper than a Python str per event
    link_in: list[int] = []
    link_out: list[int] = []
    link_qty: list[float] = []
    link_gap: list[int] = []
    link_evidence: list[str] = []
    link_score: list[float] = []
    lots: list[list[float]] = []  # [day, remaining, event index]
    head = 0
    current = -1
    for i in range(len(key)):
        if group[i] != current:
            current, lots, head = group[i], [], 0
        if kind[i] == 0:
            lots.append([day[i], qty[i], i])
            continue
        need, cutoff, wanted = qty[i], day[i] - window_days, product[i]
        while head < len(lots) and (lots[head][1] <= _EPS or lots[head][0] < cutoff):
            head += 1
        j = head
        while need > _EPS and j < len(lots):
            lot = lots[j]
            j += 1
            if lot[1] <= _EPS or lot[0] < cutoff:
                continue
            k = int(lot[2])
            pair = (product[k], wanted)
            if pair not in matches:
                a, b = catalogue[pair[0]], catalogue[pair[1]]
                matches[pair] = product_match(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], min_similarity)
            match = matches[pair]
            if match is None:
                continue
            take = min(need, lot[1])
            lot[1] -= take
            need -= take
            link_group.append(current)
            link_in.append(key[k])
            link_out.append(key[i])
            link_qty.append(take)
            link_gap.append(day[i] - int(lot[0]))
            link_evidence.append(match[0])
            link_score.append(match[1])
    columns = (link_group, link_in, link_out, link_qty, link_gap, link_evidence, link_score)
    schema = {"__group": pl.UInt32, **{name: dtype for name, dtype in _LINK_SCHEMA.items() if name != "party"}}
    return pl.DataFrame(dict(zip(schema, columns, strict=True)), schema=schema)
