"""Chains: a hand-computed multi-hop case, the generated scenario, and invariants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.errors import InputError
from dualuse.synth.shipments import chain_key, demo_cases, generate_shipments
from dualuse.trace import chain_id, chains

Ship = Callable[..., dict[str, Any]]
Frame = Callable[[list[dict[str, Any]]], pl.DataFrame]
CN = ("Shenzhen Parts Co., Ltd.", "CN", "91440300TEST00001")
KZ = ("Altyn Trade LLP", "KZ", "123456789012")
KG = ("Orion Tech LLC", "KG", "01506202310123")
RU = ("ООО «Вега»", "RU", "7707083893")


@pytest.fixture
def three_hops(ship: Ship, frame: Frame) -> pl.DataFrame:
    return frame(
        [
            ship("S-1", "2023-01-01", CN, ("ALTYN TRADE, TOO", "KZ", None), quantity=100, value=1000),
            ship("S-2", "2023-01-10", ("ТОО «Алтын Трейд»", "KZ", "123456789012"), KG, quantity=100, value=1200),
            ship("S-3", "2023-01-20", KG, RU, quantity=60, value=900),
            ship("S-4", "2023-01-25", ("Orion Tech", "KG", None), RU, quantity=40, value=600),
            ship("S-5", "2023-01-15", KZ, RU, quantity=50, value=700),  # nothing left at the Kazakh trader
        ]
    )


def test_three_hop_chains_with_conserved_quantities(three_hops: pl.DataFrame) -> None:
    result = chains(three_hops, target="RU", hubs=["KZ", "KG"])
    found = result.chains.sort("first_date", "quantity")
    assert found.select("route", "legs", "quantity", "value_usd").rows() == [
        ("CN>KZ>KG>RU", 3, 40.0, 600.0),
        ("CN>KZ>KG>RU", 3, 60.0, 900.0),
    ]
    assert found["chain_id"].to_list() == [chain_id(["S-1", "S-2", "S-4"]), chain_id(["S-1", "S-2", "S-3"])]
    assert found["party_names"][0].to_list()[1] in {"Altyn Trade LLP", "ALTYN TRADE, TOO", "ТОО «Алтын Трейд»"}
    assert found["first_date"].to_list() == [dt.date(2023, 1, 1)] * 2
    links = result.links.filter(pl.col("chain_id") == found["chain_id"][1]).sort("hop")
    # 60 of the 100 units, valued at each outbound leg's price (S-2: $12 a unit, S-3: $15)
    assert links.select(
        "hop", "inbound_shipment_id", "outbound_shipment_id", "quantity", "value_usd", "gap_days"
    ).rows() == [
        (1, "S-1", "S-2", 60.0, 720.0, 9),
        (2, "S-2", "S-3", 60.0, 900.0, 10),
    ]
    assert links["inbound_source_row"].to_list() == [1, 2]
    unexplained = result.unexplained.filter(pl.col("unexplained_quantity") > 0)
    assert unexplained.select("hs6", "outflow_quantity", "unexplained_quantity", "unexplained_value_usd").rows() == [
        ("854121", 150.0, 50.0, 700.0)
    ]


def test_scores_and_components(three_hops: pl.DataFrame) -> None:
    result = chains(three_hops, target="RU", hubs=["KZ", "KG"])
    row = result.chains.sort("quantity").row(0, named=True)  # S-1, S-2, S-4
    assert row["score_product"] == 1.0  # brand on every line
    assert row["score_quantity"] == 1.0  # S-2 and S-4 fully covered by arrivals
    assert row["score_time"] == pytest.approx(1 - 0.5 * 15 / 90, abs=1e-4)  # the slower hop: 15 days
    # "ALTYN TRADE, TOO" (S-1) and "Orion Tech" (S-4) are names tied to one identifier; the rest identifiers
    assert row["score_identifiers"] == pytest.approx((4 * 1.0 + 2 * 0.75) / 6, abs=1e-4)
    assert 0 <= row["score"] <= 1


def test_window_and_max_hops_and_list(three_hops: pl.DataFrame) -> None:
    assert chains(three_hops, hubs=["KZ", "KG"], window_days=5).chains.height == 0
    two_legs = chains(three_hops, hubs=["KZ", "KG"], max_hops=2).chains
    assert sorted(two_legs["route"].to_list()) == ["KZ>KG>RU", "KZ>KG>RU"]
    assert chains(three_hops, hubs=["KZ", "KG"], dual_use="chpl").chains["list_item"].to_list() == ["854121"] * 2
    drones = three_hops.with_columns(pl.lit("940360").alias("hs_code"))
    assert chains(drones, hubs=["KZ", "KG"], dual_use="chpl").chains.height == 0


def test_bad_arguments_and_rows(three_hops: pl.DataFrame) -> None:
    with pytest.raises(InputError, match="max_hops"):
        chains(three_hops, max_hops=1)
    with pytest.raises(InputError, match="Narnia"):
        chains(three_hops, hubs=["Narnia"])
    broken = three_hops.with_columns(
        pl.when(pl.col("shipment_id") == "S-5").then(pl.lit("XX1")).otherwise(pl.col("hs_code")).alias("hs_code")
    )
    result = chains(broken, hubs=["KZ", "KG"])
    assert result.rejected.select("row", "column").rows() == [(4, "hs_code")]
    assert result.chains.height == 2


def test_the_two_chain_ids_agree() -> None:
    assert chain_key(["a", "b", "c"]) == chain_id(["a", "b", "c"])


def test_precision_and_recall_on_the_default_scenario() -> None:
    scenario = generate_shipments()
    result = chains(scenario.shipments, target="RU")
    found, true = set(result.chains["chain_id"]), set(scenario.truth["chain_id"])
    precision, recall = len(found & true) / len(found), len(found & true) / len(true)
    assert precision >= 0.9, precision
    assert recall >= 0.9, recall


def _party_with_id(parties: pl.DataFrame, value: str) -> str:
    values = pl.col("identifiers").list.eval(pl.element().struct.field("value"))
    found: str = parties.filter(values.list.contains(value))["party_id"].item()
    return found


def test_demo_cases_are_found() -> None:
    scenario = generate_shipments(seed=11, chains=20, background=50, planted=demo_cases())
    result = chains(scenario.shipments, hubs=["KZ", "KG", "AM", "AE", "TR"], dual_use="chpl")
    bishkek = result.chains.filter(pl.col("parties").list.get(1) == _party_with_id(result.parties, "01506202310123"))
    assert bishkek.height == 7 and bishkek["route"].unique().to_list() == ["CN>KG>RU"]
    assert bishkek["value_usd"].sum() == pytest.approx(3700.0)
    assert bishkek["first_date"].is_between(dt.date(2023, 6, 1), dt.date(2023, 6, 30)).all()
    assert bishkek["last_date"].is_between(dt.date(2023, 6, 1), dt.date(2023, 6, 30)).all()
    kazakh = result.chains.filter(pl.col("parties").list.get(1) == _party_with_id(result.parties, "220340012345"))
    assert kazakh["route"].unique().to_list() == ["CN>KZ>RU"] and kazakh["hs6"].unique().to_list() == ["854121"]
    assert kazakh["value_usd"].sum() == pytest.approx(1_150_000.0)


SMALL = generate_shipments(seed=3, chains=25, background=40)
SMALL_RESULT = chains(SMALL.shipments)


def test_every_chain_is_ordered_in_time() -> None:
    legs = SMALL_RESULT.links
    assert (legs["inbound_date"] <= legs["outbound_date"]).all()
    by_hop = legs.sort("chain_id", "hop").group_by("chain_id", maintain_order=True).agg("outbound_date", "inbound_date")
    for outs, ins in by_hop.select("outbound_date", "inbound_date").iter_rows():
        assert all(o_prev == i_next for o_prev, i_next in zip(outs, ins[1:], strict=False)) or len(outs) == 1
        assert outs == sorted(outs)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(rnd: Any) -> None:
    order = list(range(SMALL.shipments.height))
    rnd.shuffle(order)
    shuffled = chains(SMALL.shipments[order])
    assert shuffled.chains.equals(SMALL_RESULT.chains)
    assert shuffled.links.equals(SMALL_RESULT.links)
    assert shuffled.unexplained.equals(SMALL_RESULT.unexplained)


unrelated = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 5),
        st.sampled_from(["CN", "KZ", "KG", "AE", "RU", "DE"]),
        st.sampled_from(["CN", "KZ", "KG", "AE", "RU", "DE"]),
        st.sampled_from(["854231", "854121", "848210", "940360"]),
        st.integers(0, 800),
        st.integers(1, 5000),
    ),
    max_size=25,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unrelated)
def test_adding_unrelated_shipments_never_removes_a_true_chain(
    extra: list[tuple[int, int, str, str, str, int, int]],
) -> None:
    true = set(SMALL.truth["chain_id"]) & set(SMALL_RESULT.chains["chain_id"])
    rows = [
        {
            "shipment_id": f"ZZ-{i}",
            "date": dt.date(2022, 3, 1) + dt.timedelta(days=day),
            "hs_code": hs,
            "exporter_name": f"Unrelated Exporter {a}",
            "exporter_country": ca,
            "exporter_id": f"UX{a}",
            "importer_name": f"Unrelated Importer {b}",
            "importer_country": cb,
            "importer_id": None,
            "quantity": float(q),
            "value_usd": float(q),
            "source": "extra",
            "source_row": i,
        }
        for i, (a, b, ca, cb, hs, day, q) in enumerate(extra)
    ]
    more = pl.concat(
        [
            SMALL.shipments,
            pl.DataFrame(rows, schema={k: SMALL.shipments.schema[k] for k in rows[0]})
            if rows
            else SMALL.shipments.head(0),
        ],
        how="diagonal",
    )
    assert true <= set(chains(more).chains["chain_id"])


def test_slicing_the_work_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # memory is bounded by walking and describing slices; tiny slices must give the same answer
    import dualuse.trace.allocate as allocate_module
    import dualuse.trace.chain as chain_module

    monkeypatch.setattr(allocate_module, "_EVENTS_PER_SLICE", 7)
    monkeypatch.setattr(chain_module, "_PATHS_PER_SLICE", 5)
    sliced = chains(SMALL.shipments)
    assert sliced.chains.equals(SMALL_RESULT.chains)
    assert sliced.links.equals(SMALL_RESULT.links)
    assert sliced.unexplained.equals(SMALL_RESULT.unexplained)
