"""Records -> canonical flows: the real recorded response, and each mapping rule on its own."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
import pytest
from dualuse.errors import ConnectorError
from dualuse.schema import validate

from dualuse_comtrade import hs_version, map_records, parse_response

SOURCE = "comtrade:data/v1/get/C/A/HS"


def test_recorded_response_total_rows_are_rejected_with_every_mapped_value(recorded_body: bytes) -> None:
    answer = parse_response(recorded_body, describe="recorded")
    assert (answer.count, len(answer.records), answer.short) == (4, 4, False)
    records = answer.records
    mapped = map_records(records, source=SOURCE)
    # All four recorded rows are cmdCode TOTAL: no HS code, so none enters the flows table.
    assert mapped.flows.height == 0
    rejected = mapped.rejected.select(
        "row",
        "column",
        "value",
        "period",
        "freq",
        "reporter",
        "partner",
        "flow",
        "hs_version",
        "value_usd",
        "valuation",
    )
    assert rejected.rows() == [
        (0, "hs_code", "TOTAL", "2010-01-01", "A", "CN", "AR", "import", "HS2007", "6804128143.0", "CIF"),
        (1, "hs_code", "TOTAL", "2010-01-01", "A", "CN", "DE", "import", "HS2007", "74251272075.0", "CIF"),
        (2, "hs_code", "TOTAL", "2010-01-01", "A", "CN", "AR", "export", "HS2007", "6115764185.0", "FOB"),
        (3, "hs_code", "TOTAL", "2010-01-01", "A", "CN", "DE", "export", "HS2007", "68047133397.0", "FOB"),
    ]
    assert mapped.rejected["reason"].str.contains("TOTAL is all commodities").all()


def test_recorded_response_with_an_hs_code_maps_to_exact_flows(recorded_body: bytes) -> None:
    # The same real records, as if asked for chapter 85 (only cmdCode differs).
    records = [{**r, "cmdCode": "85"} for r in parse_response(recorded_body, describe="recorded").records]
    flows = map_records(records, source=SOURCE).flows
    assert flows.columns[:14] == [
        "period", "freq", "reporter", "partner", "flow", "hs_code", "hs_version", "value_usd", "valuation",
        "net_weight_kg", "quantity", "quantity_unit", "source", "source_row",
    ]  # fmt: skip
    assert flows.select("reporter", "partner", "flow", "value_usd", "valuation", "source_row").rows() == [
        ("CN", "AR", "import", 6_804_128_143.0, "CIF", 0),
        ("CN", "DE", "import", 74_251_272_075.0, "CIF", 1),
        ("CN", "AR", "export", 6_115_764_185.0, "FOB", 2),
        ("CN", "DE", "export", 68_047_133_397.0, "FOB", 3),
    ]
    # 280 (the former West Germany, asked for in the recorded query) has no rows in 2010.
    assert set(flows["partner"]) == {"AR", "DE"}
    assert flows["period"].unique().to_list() == [dt.date(2010, 1, 1)]
    assert flows["hs_version"].unique().to_list() == ["HS2007"]
    assert flows["source"].unique().to_list() == [SOURCE]
    # qtyUnitCode -1 ("N/A") and null weights stay null rather than becoming a unit called "N/A".
    assert flows.select(pl.col("quantity", "quantity_unit", "net_weight_kg").null_count()).row(0) == (4, 4, 4)
    assert flows.select("is_reported", "is_aggregate", "partner2_code", "mot_code", "customs_code").unique().rows() == [
        (True, False, 0, 0, "C00")
    ]
    assert validate(flows, "flows").ok


def _record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "freqCode": "M",
        "period": "202303",
        "reporterCode": 842,
        "partnerCode": 398,
        "flowCode": "X",
        "cmdCode": "854231",
        "classificationCode": "H6",
        "primaryValue": 1200.0,
        "cifvalue": None,
        "fobvalue": 1200.0,
        "netWgt": 2.5,
        "qty": 40.0,
        "qtyUnitCode": 8,
        "qtyUnitAbbr": "u",
        "isReported": False,
        "isAggregate": True,
    }
    base.update(changes)
    return base


def test_monthly_record_maps_every_field() -> None:
    flows = map_records([_record()], source=SOURCE, first_row=7).flows
    assert flows.row(0) == (
        dt.date(2023, 3, 1), "M", "US", "KZ", "export", "854231", "HS2022", 1200.0, "FOB", 2.5, 40.0, "u",
        SOURCE, 7, False, True, None, None, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("flow_code", "cif", "fob", "flow", "valuation"),
    [
        ("M", 10.0, None, "import", "CIF"),
        ("RM", 10.0, 9.0, "re-import", "CIF"),
        ("X", None, 10.0, "export", "FOB"),
        ("RX", 11.0, 10.0, "re-export", "FOB"),
        ("M", None, 10.0, "import", "FOB"),  # an importer that reports FOB only
        ("X", 10.0, None, "export", "CIF"),
        ("M", None, None, "import", "CIF"),  # nothing said: the convention of the flow
    ],
)
def test_flow_codes_and_valuation(
    flow_code: str, cif: float | None, fob: float | None, flow: str, valuation: str
) -> None:
    flows = map_records([_record(flowCode=flow_code, cifvalue=cif, fobvalue=fob)], source=SOURCE).flows
    assert flows.select("flow", "valuation", "value_usd").row(0) == (flow, valuation, 1200.0)


@pytest.mark.parametrize(
    ("code", "iso2"), [(842, "US"), (251, "FR"), (699, "IN"), (0, "XW"), (490, "XS"), (156, "CN"), (643, "RU")]
)
def test_comtrade_codes_become_iso2(code: int, iso2: str) -> None:
    assert map_records([_record(partnerCode=code)], source=SOURCE).flows["partner"].to_list() == [iso2]


@pytest.mark.parametrize(
    ("change", "column", "value", "reason"),
    [
        ({"partnerCode": 472}, "partner", "472", "no ISO 3166-1 alpha-2"),
        ({"reporterCode": None}, "reporter", "None", "no ISO 3166-1 alpha-2"),
        ({"flowCode": "DX"}, "flow", "DX", "expected one of M, X, RM, RX"),
        ({"freqCode": "Q"}, "freq", "Q", "expected A (annual) or M (monthly)"),
        ({"period": "202313"}, "period", "202313", "not a valid YYYYMM"),
        ({"cmdCode": "TOTAL"}, "hs_code", "TOTAL", "not an HS code"),
    ],
)
def test_unmappable_records_are_rejected_with_reason(
    change: dict[str, Any], column: str, value: str, reason: str
) -> None:
    mapped = map_records([_record(), _record(**change)], source=SOURCE, first_row=10)
    assert mapped.flows["source_row"].to_list() == [10]
    assert mapped.rejected.select("row", "column", "value").row(0) == (11, column, value)
    assert reason in mapped.rejected["reason"][0]


@pytest.mark.parametrize(
    ("code", "version"), [("H6", "HS2022"), ("H5", "HS2017"), ("H4", "HS2012"), ("H3", "HS2007"), ("S4", "S4")]
)
def test_hs_version(code: str, version: str) -> None:
    assert hs_version(code) == version


def test_empty_records_give_an_empty_frame_of_the_right_columns() -> None:
    mapped = map_records([], source=SOURCE)
    assert (mapped.flows.height, mapped.rejected.height) == (0, 0)
    assert validate(mapped.flows, "flows").ok


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"count": 1, "data": [{"a"', "not valid JSON (truncated?)"),
        (
            json.dumps({"data": [], "error": "Invalid period"}).encode(),
            "the API answered with an error: Invalid period",
        ),
        (b"[1, 2]", "expected a JSON object, got list"),
        (b'{"data": [1]}', "'data' is not a list of records"),
    ],
)
def test_bad_bodies_name_the_query(body: bytes, message: str) -> None:
    with pytest.raises(ConnectorError, match="Comtrade query freq=A periods=2023") as caught:
        parse_response(body, describe="freq=A periods=2023")
    assert message in str(caught.value)


def test_an_answer_counting_more_records_than_it_sends_is_short() -> None:
    answer = parse_response(b'{"count": 3, "data": [{}, {}], "error": ""}', describe="q")
    assert answer.short
    assert not parse_response(b'{"data": [{}]}', describe="q").short  # no count: cannot tell
