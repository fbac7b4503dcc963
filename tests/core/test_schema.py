from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualuse.errors import SchemaError
from dualuse.schema import (
    TABLES,
    Evidence,
    Finding,
    Flow,
    Metric,
    empty,
    from_records,
    polars_schema,
    to_records,
    validate,
)


def _flows(**overrides: Sequence[object]) -> pl.DataFrame:
    base: dict[str, Sequence[object]] = {
        "period": [dt.date(2023, 1, 1)],
        "freq": ["A"],
        "reporter": ["CN"],
        "partner": ["KZ"],
        "flow": ["export"],
        "hs_code": ["880622"],
        "value_usd": [5.9e6],
        "source": ["t"],
        "source_row": [1],
    }
    base.update(overrides)
    return pl.DataFrame(base)


def test_schema_is_derived_from_the_models() -> None:
    for table, model in TABLES.items():
        assert list(polars_schema(table)) == list(model.model_fields), table
    assert polars_schema("flows")["period"] == pl.Date
    assert polars_schema("shipments")["hs_code"] == pl.String
    assert polars_schema("parties")["identifiers"] == pl.List(pl.Struct({"scheme": pl.String, "value": pl.String}))
    assert polars_schema("findings")["evidence"] == pl.List(
        pl.Struct({"table": pl.String, "source": pl.String, "source_row": pl.Int64})
    )


def test_valid_frame_is_accepted_and_cast() -> None:
    result = validate(_flows(period=["2023-01-01"]), "flows")
    assert result.ok
    assert result.accepted.schema == polars_schema("flows")
    assert result.accepted["period"].to_list() == [dt.date(2023, 1, 1)]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("reporter", "Narnia", "unknown country: 'Narnia'"),
        ("flow", "smuggled", "expected one of export, import, re-export, re-import: 'smuggled'"),
        (
            "hs_code",
            "85423",
            "odd number of digits, so a leading zero was probably lost: '85423' (give the code's width)",
        ),
        ("value_usd", -1.0, "below 0.0: -1.0"),
        ("period", "not a date", "not a period (YYYY, YYYY-MM or the first day of a month): 'not a date'"),
        ("source", None, "source is required"),
    ],
)
def test_bad_cells_are_rejected_with_reason(column: str, value: object, reason: str) -> None:
    result = validate(_flows(**{column: [value]}), "flows")
    assert result.accepted.height == 0
    assert result.rejected.select("row", "column", "reason").rows() == [(0, column, reason)]


def test_missing_required_column_is_an_error() -> None:
    with pytest.raises(SchemaError, match="missing required column"):
        validate(_flows().drop("reporter"), "flows")


def test_missing_optional_columns_are_added_and_extras_kept() -> None:
    result = validate(_flows().with_columns(pl.lit(True).alias("is_reported")), "flows")
    assert result.accepted["valuation"].to_list() == [None]
    assert result.accepted.columns[-1] == "is_reported"


cells = st.one_of(st.none(), st.sampled_from(["CN", "KZ", "XX1", "Narnia", ""]))


@settings(max_examples=60)
@given(
    reporters=st.lists(cells, min_size=0, max_size=30),
    values=st.lists(st.one_of(st.none(), st.floats(-10, 1e9, allow_nan=False)), min_size=30, max_size=30),
)
def test_validate_conserves_rows(reporters: list[str | None], values: list[float | None]) -> None:
    n = len(reporters)
    frame = _flows(
        period=[dt.date(2023, 1, 1)] * n,
        freq=["A"] * n,
        reporter=reporters,
        partner=["KZ"] * n,
        flow=["export"] * n,
        hs_code=["880622"] * n,
        value_usd=values[:n],
        source=["t"] * n,
        source_row=list(range(n)),
    )
    result = validate(frame, "flows")
    assert result.accepted.height + result.rejected.height == n
    assert sorted(result.rejected["row"].to_list() + result.accepted["source_row"].to_list()) == list(range(n))


def test_records_round_trip() -> None:
    finding = Finding(
        finding_id="f1",
        kind="hub_pass_through",
        subject="CN>KZ>RU",
        score=0.9,
        summary="s",
        metrics=[Metric(name="pass_through", value=0.46)],
        evidence=[Evidence(table="flows", source="demo", source_row=3)],
    )
    frame = from_records([finding], "findings")
    assert validate(frame, "findings").ok
    assert to_records(frame, "findings") == [finding]
    assert empty("shipments").height == 0


def test_record_models_validate_countries_and_codes() -> None:
    with pytest.raises(ValueError, match="alpha-2"):
        Flow(
            period=dt.date(2023, 1, 1),
            freq="A",
            reporter="Kazakhstan",
            partner="RU",
            flow="export",
            hs_code="880622",
            source="t",
            source_row=1,
        )
    with pytest.raises(ValueError, match="HS code"):
        Flow(
            period=dt.date(2023, 1, 1),
            freq="A",
            reporter="KZ",
            partner="RU",
            flow="export",
            hs_code="88062",
            source="t",
            source_row=1,
        )


def test_lazy_validation_equals_eager() -> None:
    frame = _flows(reporter=["Narnia"]).vstack(_flows())
    eager = validate(frame, "flows")
    lazy = validate(frame.lazy(), "flows")
    assert isinstance(lazy.accepted, pl.LazyFrame)
    assert lazy.accepted.collect().equals(eager.accepted)
    assert lazy.rejected.collect().equals(eager.rejected)
    assert not lazy.ok
