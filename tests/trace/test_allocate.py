"""FIFO allocation: hand-computed cases and invariants."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualuse.errors import InputError, SchemaError
from dualuse.trace.allocate import fifo_allocate, product_match

D0 = dt.date(2023, 1, 1)


def legs(rows: list[tuple[int, str, str, int, str, str | None, float]]) -> pl.DataFrame:
    """(key, party, direction, day, hs6, brand, quantity)."""
    return pl.DataFrame(
        {
            "key": [r[0] for r in rows],
            "party": [r[1] for r in rows],
            "direction": [r[2] for r in rows],
            "date": [D0 + dt.timedelta(days=r[3]) for r in rows],
            "hs6": [r[4] for r in rows],
            "brand": [r[5] for r in rows],
            "manufacturer": [None] * len(rows),
            "description": ["goods"] * len(rows),
            "quantity": [r[6] for r in rows],
        },
        schema={
            "key": pl.Int64,
            "party": pl.String,
            "direction": pl.String,
            "date": pl.Date,
            "hs6": pl.String,
            "brand": pl.String,
            "manufacturer": pl.String,
            "description": pl.String,
            "quantity": pl.Float64,
        },
    )


def test_fifo_oldest_first_with_partial_allocations_and_unexplained_remainder() -> None:
    frame = legs(
        [
            (1, "p", "in", 0, "854231", "nb", 100.0),
            (2, "p", "in", 5, "854231", "nb", 50.0),
            (3, "p", "out", 10, "854231", "nb", 120.0),  # 100 from lot 1, 20 from lot 2
            (4, "p", "out", 12, "854231", "nb", 50.0),  # 30 left in lot 2: 20 unexplained
        ]
    )
    result = fifo_allocate(frame)
    assert result.links.select("in_key", "out_key", "quantity", "gap_days").rows() == [
        (1, 3, 100.0, 10),
        (2, 3, 20.0, 5),
        (2, 4, 30.0, 7),
    ]
    assert result.outflow.select("out_key", "requested", "allocated").rows() == [(3, 120.0, 120.0), (4, 50.0, 30.0)]


def test_an_outbound_leg_never_uses_goods_that_arrive_later() -> None:
    frame = legs([(1, "p", "out", 0, "854231", None, 10.0), (2, "p", "in", 1, "854231", None, 10.0)])
    result = fifo_allocate(frame)
    assert result.links.height == 0
    assert result.outflow["allocated"].to_list() == [0.0]


def test_stock_older_than_the_window_is_written_off() -> None:
    frame = legs(
        [
            (1, "p", "in", 0, "854231", None, 10.0),
            (2, "p", "in", 80, "854231", None, 10.0),
            (3, "p", "out", 95, "854231", None, 10.0),
        ]
    )
    assert fifo_allocate(frame, window_days=90).links["in_key"].to_list() == [2]
    assert fifo_allocate(frame, window_days=100).links["in_key"].to_list() == [1]


def test_different_brands_and_headings_never_match() -> None:
    frame = legs(
        [
            (1, "p", "in", 0, "854231", "northbridge", 10.0),
            (2, "p", "in", 1, "854121", "northbridge", 10.0),
            (3, "p", "out", 2, "854231", "calder", 10.0),
        ]
    )
    result = fifo_allocate(frame)
    assert result.links.height == 0


def test_parties_are_kept_apart() -> None:
    frame = legs([(1, "a", "in", 0, "854231", None, 10.0), (2, "b", "out", 1, "854231", None, 10.0)])
    assert fifo_allocate(frame).links.height == 0


def test_product_match_evidence() -> None:
    assert product_match("854231", "854231", "ti", "ti", None, None, "", "", 0.6) == ("brand", 1.0)
    assert product_match("854231", "854239", None, None, "acme", "acme", "", "", 0.6) == ("manufacturer", 0.8)
    assert product_match("854231", "854239", None, None, None, None, "chips", "chips", 0.6) is None
    assert product_match("847150", "847150", None, None, None, None, "processing units", "processing unit", 0.6) == (
        "description",
        0.9677,
    )
    assert product_match("847150", "847150", None, None, None, None, "processing units", "ball bearings", 0.6) is None


def test_bad_input_is_named() -> None:
    with pytest.raises(SchemaError, match="quantity"):
        fifo_allocate(legs([]).drop("quantity"))
    with pytest.raises(InputError, match="window_days"):
        fifo_allocate(legs([]), window_days=-1)
    with pytest.raises(InputError, match="sideways"):
        fifo_allocate(legs([(1, "p", "sideways", 0, "854231", None, 1.0)]))


leg = st.tuples(
    st.sampled_from(["a", "b"]),
    st.sampled_from(["in", "out"]),
    st.integers(0, 200),
    st.sampled_from(["854231", "854232", "854121"]),
    st.sampled_from([None, "x", "y"]),
    st.floats(0, 1000, allow_nan=False).map(lambda q: round(q, 2)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(leg, max_size=40), st.integers(0, 120))
def test_allocated_outflow_never_exceeds_inflow(
    rows: list[tuple[str, str, int, str, str | None, float]], window: int
) -> None:
    frame = legs([(i, *r) for i, r in enumerate(rows)])
    result = fifo_allocate(frame, window_days=window)
    links = result.links.join(
        frame.select(
            pl.col("key").alias("in_key"),
            pl.col("date").alias("in_date"),
            pl.col("quantity").alias("in_qty"),
            pl.col("hs6").alias("in_hs6"),
        ),
        on="in_key",
    ).join(
        frame.select(pl.col("key").alias("out_key"), pl.col("date").alias("out_date"), pl.col("hs6").alias("out_hs6")),
        on="out_key",
    )
    # per inbound lot, per outbound leg, per party and product
    per_lot = links.group_by("in_key", "in_qty").agg(pl.col("quantity").sum())
    assert (per_lot["quantity"] <= per_lot["in_qty"] + 1e-6).all()
    assert (result.outflow["allocated"] <= result.outflow["requested"] + 1e-6).all()
    inflow = (
        frame.filter(pl.col("direction") == "in").group_by("party", "hs6").agg(pl.col("quantity").sum().alias("inflow"))
    )
    used = links.group_by("party", pl.col("in_hs6").alias("hs6")).agg(pl.col("quantity").sum().alias("used"))
    both = used.join(inflow, on=["party", "hs6"], how="left")
    assert (both["used"] <= both["inflow"] + 1e-6).all()
    # time: arrival on or before departure, within the window
    assert (links["in_date"] <= links["out_date"]).all()
    assert ((links["out_date"] - links["in_date"]).dt.total_days() <= window).all()
    assert (links["in_hs6"].str.slice(0, 4) == links["out_hs6"].str.slice(0, 4)).all()
