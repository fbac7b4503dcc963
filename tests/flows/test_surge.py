"""Surge against a pre-event baseline, and difference-in-differences with its standard error."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from dualuse import lists
from dualuse.errors import SchemaError
from dualuse.flows import NOT_LISTED, did, surge

from .conftest import FlowsOf

CHIP, SHOE = "854231", "640399"


def _flows(flows_of: FlowsOf) -> pl.DataFrame:
    rows: list[tuple[object, ...]] = []
    # CHPL chips CN>KZ: 100, 300 before; 820 in 2022, 1,000 in 2023. Shoes: 50, 50 then 55, 60.
    for year, chips, shoes in ((2020, 100.0, 50.0), (2021, 300.0, 50.0), (2022, 820.0, 55.0), (2023, 1000.0, 60.0)):
        rows += [(year, "CN", "KZ", "export", CHIP, chips), (year, "CN", "KZ", "export", SHOE, shoes)]
    rows.append((2023, "KZ", "CN", "import", CHIP, 999.0))  # an import report: not read with flow="export"
    return flows_of(rows)


def test_growth_against_the_baseline_per_product_and_tier(flows_of: FlowsOf) -> None:
    out = surge(_flows(flows_of), dual_use=lists.get("chpl"))
    chips = out.filter(pl.col("hs_code") == CHIP)
    assert chips.get_column("tier").unique().to_list() == ["Tier 1"]
    assert chips.get_column("baseline_usd").unique().to_list() == [200.0]
    assert chips.select("periods_from_event", "post", "value_usd", "growth").rows() == [
        (-2, False, 100.0, -0.5),
        (-1, False, 300.0, 0.5),
        (0, True, 820.0, pytest.approx(3.1)),
        (1, True, 1000.0, 4.0),
    ]
    shoes = out.filter(pl.col("hs_code") == SHOE)
    assert shoes.get_column("tier").unique().to_list() == [NOT_LISTED]
    assert shoes.filter(pl.col("post")).get_column("growth").to_list() == [pytest.approx(0.1), pytest.approx(0.2)]
    assert [e["source_row"] for e in chips.get_column("evidence")[3]] == [6]


def test_tier_level_sums_goods_and_routes_filter(flows_of: FlowsOf) -> None:
    flows = pl.concat([_flows(flows_of), flows_of([(2023, "CN", "DE", "export", CHIP, 5.0)], source="other")])
    out = surge(flows, dual_use=lists.get("chpl"), level="tier", routes=["CN > Kazakhstan"])
    assert out.get_column("route").unique().to_list() == ["CN>KZ"]
    assert out.filter(pl.col("tier") == "Tier 1").get_column("value_usd").to_list() == [100.0, 300.0, 820.0, 1000.0]


def test_monthly_event_month_counts_as_after(flows_of: FlowsOf) -> None:
    flows = flows_of([(dt.date(2022, m, 1), "CN", "KZ", "export", CHIP, float(m)) for m in (1, 2, 3)], freq="M")
    out = surge(flows, baseline_periods=1)
    assert out.select("periods_from_event", "post", "baseline_usd").rows() == [
        (-1, False, 1.0),
        (0, True, 1.0),
        (1, True, 1.0),
    ]


def _panel() -> pl.DataFrame:
    """Two listed and two unlisted goods on one route, 2 years before and 2 after."""
    values = {
        "854231": ("Tier 1", (10.0, 12.0, 40.0, 44.0)),
        "854232": ("Tier 1", (20.0, 18.0, 50.0, 70.0)),
        "640399": (NOT_LISTED, (10.0, 10.0, 12.0, 14.0)),
        "640391": (NOT_LISTED, (30.0, 34.0, 33.0, 31.0)),
    }
    rows = [
        ("CN>KZ", code, tier, dt.date(year, 1, 1), year >= 2022, v)
        for code, (tier, series) in values.items()
        for year, v in zip((2020, 2021, 2022, 2023), series, strict=True)
    ]
    return pl.DataFrame(rows, schema=["route", "hs_code", "tier", "period", "post", "value_usd"], orient="row")


def test_did_in_levels_by_hand() -> None:
    # Unit changes (mean after - mean before): 854231: 42-11 = 31; 854232: 60-19 = 41;
    # 640399: 13-10 = 3; 640391: 32-32 = 0. Estimate 36 - 1.5 = 34.5.
    # Variances (n-1): treated 50, control 4.5 -> s.e. sqrt(50/2 + 4.5/2) = sqrt(27.25).
    row = did(_panel(), treated=pl.col("tier") != NOT_LISTED, outcome="level").row(0, named=True)
    assert row["estimate"] == pytest.approx(34.5)
    assert row["std_error"] == pytest.approx(math.sqrt(27.25))
    assert row["t_stat"] == pytest.approx(34.5 / math.sqrt(27.25))
    assert row["p_value"] == pytest.approx(math.erfc(34.5 / math.sqrt(27.25) / math.sqrt(2)))
    assert (row["n_treated"], row["n_control"], row["n_pre_periods"], row["n_post_periods"]) == (2, 2, 2, 2)


def test_did_equals_two_way_fixed_effects_ols() -> None:
    panel = _panel().with_columns(pl.col("value_usd").log1p().alias("y"))
    units = sorted(panel.get_column("hs_code").unique().to_list())
    years = sorted(panel.get_column("period").unique().to_list())
    design, y = [], []
    for row in panel.iter_rows(named=True):
        unit_fe = [float(row["hs_code"] == u) for u in units]
        year_fe = [float(row["period"] == t) for t in years[1:]]
        design.append([float(row["tier"] != NOT_LISTED and row["post"]), *unit_fe, *year_fe])
        y.append(row["y"])
    beta = np.linalg.lstsq(np.array(design), np.array(y), rcond=None)[0][0]
    estimate = did(_panel(), treated=pl.col("tier") != NOT_LISTED).get_column("estimate").item()
    assert estimate == pytest.approx(float(beta))


def test_did_route_against_control_routes_balances_missing_periods() -> None:
    rows = [
        ("CN>KZ", CHIP, dt.date(2021, 1, 1), False, 10.0),
        ("CN>KZ", CHIP, dt.date(2023, 1, 1), True, 50.0),
        ("CN>DE", CHIP, dt.date(2021, 1, 1), False, 10.0),  # CN>DE 2023 missing: counts as 0
        ("CN>FR", CHIP, dt.date(2021, 1, 1), False, 10.0),
        ("CN>FR", CHIP, dt.date(2023, 1, 1), True, 20.0),
        ("CN>US", CHIP, dt.date(2023, 1, 1), True, 99.0),  # neither treated nor control: left out
    ]
    panel = pl.DataFrame(rows, schema=["route", "hs_code", "period", "post", "value_usd"], orient="row")
    row = did(
        panel,
        treated=pl.col("route") == "CN>KZ",
        control=pl.col("route").is_in(["CN>DE", "CN>FR"]),
        outcome="level",
    ).row(0, named=True)
    # Treated change 40; control changes -10 and +10 -> mean 0; one treated unit: no variance, no s.e.
    assert (row["estimate"], row["control_change"], row["std_error"]) == (40.0, 0.0, None)
    assert (row["n_treated"], row["n_control"]) == (1, 2)


def test_did_needs_a_panel() -> None:
    with pytest.raises(SchemaError, match="post"):
        did(pl.DataFrame({"route": ["a"], "hs_code": ["1"]}), treated=pl.lit(True))
