"""The query model and how queries are cut into calls."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from dualuse.errors import ConnectorError
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dualuse_comtrade import ComtradeQuery, area_code, plan, split
from dualuse_comtrade.query import url_length

BASE = "https://comtradeapi.un.org"
PATH = "data/v1/get/C/A/HS"


def cells(query: ComtradeQuery) -> list[tuple[Any, ...]]:
    """Every (reporter, partner, HS code, flow, period) the query asks for (None = all)."""
    return list(
        itertools.product(
            query.reporters or (None,), query.partners or (None,), query.hs_codes, query.flows, query.periods
        )
    )


def test_names_iso_codes_and_numbers_become_comtrade_codes() -> None:
    query = ComtradeQuery(
        reporters="USA, France, India", partners=[0, "XS", "Russia"], hs_codes="8542.31", periods=2023
    )
    assert query.reporters == (842, 251, 699)
    assert query.partners == (0, 490, 643)
    assert query.hs_codes == ("854231",)
    assert query.periods == ("2023",)


def test_pins_totals_unless_breakdowns_are_asked_for() -> None:
    query = ComtradeQuery(
        reporters=[398], partners=[643], hs_codes=["8542", "8471"], flows=["X", "RX"], periods=[2022, 2023]
    )
    assert query.params(max_records=500) == {
        "reporterCode": "398",
        "partnerCode": "643",
        "period": "2022,2023",
        "cmdCode": "8542,8471",
        "flowCode": "X,RX",
        "partner2Code": "0",
        "motCode": "0",
        "customsCode": "C00",
        "maxRecords": "500",
        "includeDesc": "false",
    }
    broken_down = query.model_copy(update={"breakdowns": True}).params()
    assert not {"partner2Code", "motCode", "customsCode"} & set(broken_down)


def test_all_reporters_and_partners_leave_the_codes_out() -> None:
    params = ComtradeQuery(hs_codes=["8806"], periods=["2023"]).params()
    assert "reporterCode" not in params
    assert "partnerCode" not in params


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"hs_codes": ["TOTAL"]}, "'TOTAL' (all commodities) has no HS code"),
        ({"hs_codes": ["85423"]}, "HS code '85423': expected 2, 4 or 6 digits"),
        ({"hs_codes": []}, "expected at least one HS code"),
        ({"hs_codes": ["AG4", "8542"]}, "HS code '8542' is already part of AG4"),
        ({"periods": ["202301"]}, "period '202301': freq A expects a year"),
        ({"freq": "M", "periods": ["2023"]}, "period '2023': freq M expects YYYYMM"),
        ({"freq": "M", "periods": ["202313"]}, "period '202313': freq M expects YYYYMM"),
        ({"flows": ["DX"]}, "Input should be 'M', 'X', 'RM' or 'RX'"),
        ({"reporters": ["Narnia"]}, "country 'Narnia': unknown"),
        ({"partners": []}, "expected at least one country"),
        ({"color": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_queries_say_what_is_wrong(fields: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"reporters": ["KZ"], "hs_codes": ["8542"], "periods": ["2023"], **fields}
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ComtradeQuery(**values)


def test_area_code_keeps_numbers_and_rejects_unknown_names() -> None:
    assert area_code("398") == 398
    with pytest.raises(ValueError, match="expected a Comtrade code >= 0"):
        area_code(-1)


def test_plan_cuts_periods_into_twelves() -> None:
    query = ComtradeQuery(
        freq="M", reporters=[398], hs_codes=["8542"], periods=[f"2022{m:02}" for m in range(1, 13)] + ["202301"]
    )
    calls = plan(query, base_url=BASE, path="data/v1/get/C/M/HS")
    assert [len(c.periods) for c in calls] == [12, 1]
    assert calls[1].periods == ("202301",)


def test_plan_halves_the_longest_list_when_the_url_is_too_long() -> None:
    codes = [f"{h:04}" for h in range(8401, 8401 + 400)]
    query = ComtradeQuery(reporters=[398, 417], partners=[643], hs_codes=codes, periods=[2023])
    calls = plan(query, base_url=BASE, path=PATH, max_url_length=2000)
    assert len(calls) > 1
    assert all(c.reporters == (398, 417) for c in calls)  # the long list was cut, not the reporters
    assert [code for c in calls for code in c.hs_codes] == codes
    assert all(url_length(c, base_url=BASE, path=PATH) <= 2000 for c in calls)


def test_split_order_and_the_end_of_splitting() -> None:
    query = ComtradeQuery(reporters=[398, 417], partners=[643, 112], hs_codes=["8542", "8471"], periods=[2022, 2023])
    assert [c.reporters for c in split(query)] == [(398,), (417,)]
    single = split(split(query)[0])
    assert [c.partners for c in single] == [(643,), (112,)]
    smallest = ComtradeQuery(reporters=[398], partners=[643], hs_codes=["8542"], flows=["X"], periods=[2023])
    with pytest.raises(ConnectorError, match="cannot be split further"):
        split(smallest)
    everyone = ComtradeQuery(hs_codes=["8542"], flows=["X"], periods=[2023])  # all reporters, all partners
    with pytest.raises(ConnectorError, match="reporters=all partners=all"):
        split(everyone)


countries = st.lists(
    st.sampled_from([4, 8, 12, 36, 112, 156, 398, 417, 643, 699, 842, 251]), min_size=1, max_size=12, unique=True
)
hs = st.lists(st.integers(100, 9999).map(lambda n: f"{n:04}"), min_size=1, max_size=120, unique=True)
years = st.lists(st.integers(1990, 2030).map(str), min_size=1, max_size=40, unique=True)
flows = st.lists(st.sampled_from(["M", "X", "RM", "RX"]), min_size=1, max_size=4, unique=True)


@settings(max_examples=60, deadline=None)
@given(
    reporters=st.none() | countries,
    partners=st.none() | countries,
    hs_codes=hs,
    periods=years,
    flow_codes=flows,
    max_periods=st.integers(1, 12),
    max_url=st.integers(400, 4096),
)
def test_plan_partitions_the_query_within_limits(
    reporters: list[int] | None,
    partners: list[int] | None,
    hs_codes: list[str],
    periods: list[str],
    flow_codes: list[str],
    max_periods: int,
    max_url: int,
) -> None:
    query = ComtradeQuery(reporters=reporters, partners=partners, hs_codes=hs_codes, periods=periods, flows=flow_codes)
    # 400 characters always fit one value of each list, so planning never fails here.
    calls = plan(query, base_url=BASE, path=PATH, max_periods=max_periods, max_url_length=max_url, max_records=100_000)
    for call in calls:
        assert len(call.periods) <= max_periods
        assert url_length(call, base_url=BASE, path=PATH, max_records=100_000) <= max_url
    asked = [cell for call in calls for cell in cells(call)]
    assert sorted(asked, key=repr) == sorted(cells(query), key=repr)  # every cell once, none twice


@settings(max_examples=60, deadline=None)
@given(reporters=countries, partners=countries, hs_codes=hs, periods=years, flow_codes=flows)
def test_split_partitions_a_call(
    reporters: list[int], partners: list[int], hs_codes: list[str], periods: list[str], flow_codes: list[str]
) -> None:
    query = ComtradeQuery(reporters=reporters, partners=partners, hs_codes=hs_codes, periods=periods, flows=flow_codes)
    if len(cells(query)) == 1:
        with pytest.raises(ConnectorError):
            split(query)
        return
    halves = split(query)
    assert len(halves) == 2
    assert all(0 < len(cells(h)) < len(cells(query)) for h in halves)
    assert sorted(cells(halves[0]) + cells(halves[1]), key=repr) == sorted(cells(query), key=repr)


def test_plan_reports_a_url_too_long_for_a_single_value() -> None:
    query = ComtradeQuery(reporters=[398], hs_codes=["8542"], periods=[2023])
    with pytest.raises(ConnectorError, match="longer than 256 characters even with a single value in each list"):
        plan(query, base_url="https://example.org/" + "x" * 200, path=PATH, max_url_length=256)
    with pytest.raises(ConnectorError, match="max_periods 0: expected at least 1"):
        plan(query, base_url=BASE, path=PATH, max_periods=0)
