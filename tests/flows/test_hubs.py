"""Hub triangulation: legs with mirror fallback, production prior, pass-through, the Armenian rule."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dualuse import lists
from dualuse.flows import hubs

from .conftest import FlowsOf

DRONE = "880622"


def test_kazakhstan_drones_2023_pass_through_46_percent(flows_of: FlowsOf) -> None:
    # GUIDE §1: Kazakhstan bought $5.9m of drones from China in 2023 (none in 2020-21), exported
    # $2.7m of drones to Russia, and makes none itself: 2.7 / 5.9 = 45.8 %.
    flows = flows_of(
        [
            (2020, "KZ", "DE", "export", "870323", 1.0e6),  # KZ reports other trade pre-war, no drones
            (2021, "KZ", "DE", "export", "870323", 1.0e6),
            (2023, "CN", "KZ", "export", DRONE, 5.6e6),
            (2023, "KZ", "CN", "import", DRONE, 5.9e6),
            (2023, "KZ", "RU", "export", DRONE, 2.7e6),
        ]
    )
    row = hubs(flows, origin="CN", hubs=["KZ"], target="RU").row(0, named=True)
    assert row["route"] == "CN>KZ>RU"
    assert (row["origin_exports_usd"], row["hub_imports_usd"], row["hub_exports_usd"]) == (5.6e6, 5.9e6, 2.7e6)
    assert (row["origin_exports_basis"], row["hub_imports_basis"], row["hub_exports_basis"]) == ("reported",) * 3
    assert row["production_prior_usd"] == 0.0
    assert row["pass_through"] == pytest.approx(2.7 / 5.9)
    assert round(row["pass_through"] * 100) == 46
    assert [e["source_row"] for e in row["evidence"]] == [2, 3, 4]


def test_missing_sides_come_from_mirror_data_and_say_so(flows_of: FlowsOf) -> None:
    # KZ reports nothing; RU reports nothing since 2022: every figure comes from the partner.
    flows = flows_of([(2023, "CN", "KZ", "export", DRONE, 5.0e6), (2021, "RU", "KZ", "import", DRONE, 1.0e6)])
    out = hubs(flows, origin="CN", hubs=["KZ"]).select(
        "period", "hub_imports_usd", "hub_imports_basis", "hub_exports_usd", "hub_exports_basis"
    )
    assert out.rows() == [
        (dt.date(2021, 1, 1), None, None, 1.0e6, "mirror"),
        (dt.date(2023, 1, 1), 5.0e6, "mirror", None, None),
    ]


def test_production_prior_is_set_aside_before_the_ratio(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (2020, "KZ", "DE", "export", DRONE, 0.6e6),
            (2021, "KZ", "TR", "export", DRONE, 1.4e6),  # mean pre-war exports: 1.0m a year
            (2023, "KZ", "CN", "import", DRONE, 5.9e6),
            (2023, "KZ", "RU", "export", DRONE, 2.7e6),
        ]
    )
    row = hubs(flows, origin="CN", hubs=["KZ"]).filter(pl.col("period").dt.year() == 2023).row(0, named=True)
    assert row["production_prior_usd"] == pytest.approx(1.0e6)
    assert row["pass_through"] == pytest.approx((2.7 - 1.0) / 5.9)
    assert (row["re_export_usd"], row["re_export_rule"]) == (0.0, "producer")


def test_a_hub_that_imported_more_than_it_exported_before_the_war_is_no_producer(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (2021, "KZ", "CN", "import", DRONE, 3.0e6),
            (2021, "KZ", "RU", "export", DRONE, 1.0e6),  # pre-war re-exports, not production
            (2023, "KZ", "CN", "import", DRONE, 5.9e6),
            (2023, "KZ", "RU", "export", DRONE, 2.7e6),
        ]
    )
    row = hubs(flows, origin="CN", hubs=["KZ"]).filter(pl.col("period").dt.year() == 2023).row(0, named=True)
    assert row["production_prior_usd"] == pytest.approx(1.0e6)
    assert row["re_export_rule"] == "re-export"
    assert row["re_export_usd"] == pytest.approx(2.7e6)


def _m(month: int) -> dt.date:
    return dt.date(2023, month, 1)


def test_armenian_rule_by_hand(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (_m(1), "AM", "DE", "import", "854231", 30.0),
            (_m(3), "AM", "CN", "import", "854231", 60.0),
            (_m(3), "AM", "RU", "import", "854231", 500.0),  # imports from the target never count
            (_m(3), "AM", "RU", "export", "854231", 20.0),  # window Jan-Mar: 90; 20 < 30 -> none
            (_m(4), "AM", "RU", "export", "854231", 25.0),  # window Feb-Apr: 60; 25 >= 20 -> 25
            (_m(5), "AM", "RU", "export", "854231", 70.0),  # window Mar-May: 60 -> capped at 60
            (_m(7), "AM", "RU", "export", "854231", 10.0),  # window May-Jul: nothing imported
        ],
        freq="M",
    )
    out = hubs(flows, origin="CN", hubs=["AM"]).select(
        "period", "matched_imports_usd", "re_export_usd", "re_export_rule"
    )
    assert out.rows() == [  # January has no leg of the route (imports from DE): no row
        (_m(3), 90.0, 0.0, "below_share"),
        (_m(4), 60.0, 25.0, "re-export"),
        (_m(5), 60.0, 60.0, "re-export"),
        (_m(7), 0.0, 0.0, "no_matched_imports"),
    ]
    wider = hubs(flows, origin="CN", hubs=["AM"], window_months=0, min_share=0.1)
    assert wider.filter(pl.col("period") == _m(3)).get_column("re_export_usd").item() == 20.0


def test_dual_use_list_keeps_listed_goods_with_their_tier(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (2023, "KZ", "CN", "import", "854231", 10.0),
            (2023, "KZ", "CN", "import", "640399", 10.0),  # shoes: not on the CHPL
        ]
    )
    out = hubs(flows, origin="CN", hubs=["KZ", "KG"], dual_use=lists.get("chpl"))
    assert out.select("route", "hs_code", "tier").rows() == [("CN>KZ>RU", "854231", "Tier 1")]


def test_bad_parameters_raise(flows_of: FlowsOf) -> None:
    flows = flows_of([(2023, "KZ", "CN", "import", "854231", 10.0)])
    with pytest.raises(ValueError, match="min_share"):
        hubs(flows, origin="CN", hubs=["KZ"], min_share=0)
    with pytest.raises(ValueError, match="hubs: name at least one country"):
        hubs(flows, origin="CN", hubs=[])
