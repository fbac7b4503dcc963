"""The front door: the same data in every printed shape and container gives the same answer.

Each entry point (validate, mirror, hubs, surge, listed_did, screen, chains) is fed data whose cells
are printed the way customs extracts and statistics portals print them (dotted and national HS
codes, country names and numeric codes, ``Export``/``X``, text periods and dates, decimal commas),
in a polars, lazy, pandas, Arrow, CSV or Parquet container, and must return exactly what the
canonical input returns.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import dualuse
from dualuse.flows import hubs, listed_did, mirror, surge
from dualuse.geo import country_name
from dualuse.schema import polars_schema

YEARS = (2019, 2020, 2021, 2022, 2023)
CODES = ("854231", "854232", "880622", "940360", "010121")
ROUTES = (("CN", "KZ"), ("KZ", "RU"), ("CN", "KG"), ("KG", "RU"))
NUMERIC = {"CN": "156", "KZ": "398", "KG": "417", "RU": "643"}
ALPHA3 = {"CN": "CHN", "KZ": "KAZ", "KG": "KGZ", "RU": "RUS"}


def _canonical() -> pl.DataFrame:
    """Both reports of every flow on the routes, for five goods and five years (values with cents)."""
    rng = random.Random(7)
    rows = []
    for year in YEARS:
        for exporter, importer in ROUTES:
            for code in CODES:
                base = rng.uniform(1_000, 2_000_000) * (3 if year >= 2022 and code != "940360" else 1)
                for reporter, partner, flow, value in (
                    (exporter, importer, "export", base),
                    (importer, exporter, "import", base * rng.uniform(1.0, 1.2)),
                ):
                    rows.append((dt.date(year, 1, 1), "A", reporter, partner, flow, code, round(value, 2)))
    frame = pl.DataFrame(
        rows, schema=["period", "freq", "reporter", "partner", "flow", "hs_code", "value_usd"], orient="row"
    )
    return frame.with_columns(
        pl.lit("stats").alias("source"), pl.int_range(pl.len()).cast(pl.Int64).alias("source_row")
    )


CANONICAL = _canonical()

FLOW_WORDS = {"export": ("Export", "X", "EXPORTS", "экспорт"), "import": ("Import", "M", "imports", "импорт")}


def _hs(code: str, how: int) -> str:
    return (code, f"{code[:4]}.{code[4:]}", f"{code[:4]} {code[4:]}", f"{code[:4]}.{code[4:]}.0000")[how]


def _country(code: str, how: int) -> str:
    return (code, ALPHA3[code], country_name(code), NUMERIC[code], code.lower())[how]


def _money(value: float, how: int) -> str:
    if how == 0:
        return repr(value)
    if how == 1:
        return f"{value:,.2f}"  # 1,234,567.89
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")  # 1 234 567,89


@st.composite
def printed(draw: st.DrawFn) -> tuple[pl.DataFrame, str]:
    """The canonical flows with every cell printed one of the ways real files print it, and a container."""
    rng = random.Random(draw(st.integers(0, 2**32)))  # the shape of each cell, drawn row by row
    n = CANONICAL.height
    hs, reporter, partner, flow, money = ([rng.randrange(k) for _ in range(n)] for k in (4, 5, 5, 5, 3))
    period_shape = draw(st.sampled_from(["year", "iso", "date", "datetime"]))
    rows = CANONICAL.to_dicts()
    out: dict[str, list[Any]] = {
        "Period": [],
        "Reporter": [],
        "Partner": [],
        "Flow": [],
        "HS Code": [],
        "Value USD": [],
        "source": [],
        "source_row": [],
    }
    for i, row in enumerate(rows):
        day: dt.date = row["period"]
        out["Period"].append(
            {"year": str(day.year), "iso": day.isoformat(), "date": day, "datetime": dt.datetime(day.year, 1, 1, 9)}[
                period_shape
            ]
        )
        out["Reporter"].append(_country(row["reporter"], reporter[i]))
        out["Partner"].append(_country(row["partner"], partner[i]))
        words = FLOW_WORDS[row["flow"]]
        out["Flow"].append(row["flow"] if flow[i] == 4 else words[flow[i]])
        out["HS Code"].append(_hs(row["hs_code"], hs[i]))
        out["Value USD"].append(_money(row["value_usd"], money[i]))
        out["source"].append(row["source"])
        out["source_row"].append(row["source_row"])
    frame = pl.DataFrame(out, strict=False)
    if period_shape in ("iso", "date", "datetime"):
        frame = frame.with_columns(pl.lit("A").alias("freq"))  # a date does not say its frequency
    container = draw(st.sampled_from(["polars", "lazy", "pandas", "arrow", "csv", "parquet"]))
    return frame, container


def _contain(frame: pl.DataFrame, container: str, folder: Path) -> object:
    if container == "lazy":
        return frame.lazy()
    if container == "pandas":
        return frame.to_pandas()
    if container == "arrow":
        return frame.to_arrow()
    if container == "csv":
        path = folder / "flows as published.csv"
        frame.with_columns(pl.col(pl.Date, pl.Datetime).cast(pl.String)).write_csv(path)
        return path
    if container == "parquet":
        path = folder / "flows.parquet"
        frame.write_parquet(path)
        return path
    return frame


ENTRY_POINTS: dict[str, Callable[[object], pl.DataFrame]] = {
    "mirror": lambda data: mirror(data),
    "hubs": lambda data: hubs(data, origin="CN", hubs="KZ,KG", dual_use="chpl,uav"),
    "surge": lambda data: surge(data, dual_use="chpl", level="tier"),
    "listed_did": lambda data: listed_did(data, control="940360,010121", outcome="level"),
}
EXPECTED = {name: run(CANONICAL) for name, run in ENTRY_POINTS.items()}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=printed())
def test_every_shape_and_container_gives_the_canonical_answer(case: tuple[pl.DataFrame, str], tmp_path: Path) -> None:
    frame, container = case
    data = _contain(frame, container, tmp_path)
    read = dualuse.validate(data, "flows")
    assert read.rejected.height == 0, read.rejected.select("row", "column", "value", "reason").head(3).rows()
    hs6 = pl.col("hs_code").str.slice(0, 6)  # a national code (8542.31.0000) is read as it is written
    assert_frame_equal(read.accepted.select(CANONICAL.columns).with_columns(hs6), CANONICAL, check_dtypes=False)
    for name, run in ENTRY_POINTS.items():
        assert_frame_equal(run(_contain(frame, container, tmp_path)), EXPECTED[name], check_exact=False), name


def test_rows_in_equal_rows_accepted_plus_rejected() -> None:
    frame = CANONICAL.with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0).then(pl.lit("85x")).otherwise(pl.col("hs_code")).alias("hs_code"),
        pl.when(pl.int_range(pl.len()) % 11 == 0).then(pl.lit("Narnia")).otherwise(pl.col("partner")).alias("partner"),
    )
    read = dualuse.validate(frame, "flows")
    assert read.accepted.height + read.rejected.height == frame.height
    assert set(read.rejected["reason"].str.extract(r"^([A-Za-z ]+)", 1)) == {"not an HS code ", "unknown country"}
    with pytest.raises(
        dualuse.DualuseError, match=r"^stats, row 0, column partner: mirror: unknown country: 'Narnia' \(45 of 200 rows"
    ):
        mirror(frame)


# --- refusals: every one a DualuseError with one line, nothing from polars or pandas ------------------


def _flows(**changes: Any) -> pl.DataFrame:
    return CANONICAL.head(4).with_columns(**{k: pl.lit(v) for k, v in changes.items()})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"value_usd": float("nan")}, "not a finite number: 'NaN'"),
        ({"value_usd": float("inf")}, "not a finite number: 'inf'"),
        ({"value_usd": -5.0}, "below 0.0: -5.0"),
        ({"period": dt.date(9999, 12, 1)}, "implausible date 9999-12-01"),
        ({"period": "0000"}, "implausible date 0000-01-01"),
        ({"hs_code": "85423"}, "odd number of digits"),
        ({"flow": "transit"}, "expected one of export, import, re-export, re-import: 'transit'"),
        ({"reporter": "Narnia"}, "unknown country: 'Narnia'"),
        ({"period": "2023-05-17"}, "not a period"),
    ],
)
def test_bad_cells_are_refused_per_row(changes: dict[str, Any], reason: str) -> None:
    read = dualuse.validate(_flows(**changes), "flows")
    assert read.accepted.height == 0
    assert read.rejected.height == 4 and reason in read.rejected["reason"][0]


def test_ambiguous_numbers_need_a_setting() -> None:
    frame = _flows().with_columns(pl.lit("1,234").alias("value_usd"))
    assert "ambiguous number '1,234'" in dualuse.validate(frame, "flows").rejected["reason"][0]
    comma = dualuse.validate(frame, "flows", options=dualuse.schema.ReadOptions(decimal_comma=True))
    assert comma.accepted["value_usd"].to_list() == [1.234] * 4
    dot = dualuse.validate(frame, "flows", options=dualuse.schema.ReadOptions(decimal_comma=False))
    assert dot.accepted["value_usd"].to_list() == [1234.0] * 4


def test_codes_that_lost_a_zero() -> None:
    text = _flows().with_columns(pl.lit("10121").alias("hs_code"))
    assert "odd number of digits" in dualuse.validate(text, "flows").rejected["reason"][0]
    widened = dualuse.validate(text, "flows", options=dualuse.schema.ReadOptions(hs_width=6))
    assert widened.accepted["hs_code"].to_list() == ["010121"] * 4
    integers = _flows().with_columns(pl.lit(10121).alias("hs_code"))  # an integer column lost it for certain
    assert dualuse.validate(integers, "flows").accepted["hs_code"].to_list() == ["010121"] * 4


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: hubs(CANONICAL, origin="XX", hubs="KZ"),
            "origin: 'XX' is Areas, not elsewhere specified, not a country",
        ),
        (lambda: hubs(CANONICAL, origin="CN", hubs="Kazakstn"), "did you mean Kazakhstan (KZ)?"),
        (lambda: hubs(CANONICAL, origin="CN", hubs=[]), "hubs: name at least one country"),
        (lambda: hubs(CANONICAL, origin="CN", hubs="KZ", dual_use="chlp"), "did you mean chpl?"),
        (lambda: surge(CANONICAL, event="next spring"), "event: 'next spring' is not a date"),
        (lambda: surge(CANONICAL, routes="CN>Narnia"), "country 'Narnia': unknown"),
        (lambda: mirror(CANONICAL, baseline_end="spring"), "baseline_end: 'spring' is not a date"),
        (lambda: mirror(42), "mirror: expected a table (polars, pandas or pyarrow), got builtins.int"),
        (lambda: mirror("no-such-file.csv"), "no-such-file.csv: no such file"),
        (lambda: listed_did(CANONICAL, control="chlp"), "control: neither HS codes nor a list"),
        (lambda: dualuse.trace.chains(CANONICAL), "shipments: missing required column(s) date"),
    ],
)
def test_bad_arguments_are_one_line_dualuse_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(dualuse.DualuseError) as caught:
        call()
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_arguments_in_every_accepted_shape() -> None:
    expected = surge(CANONICAL, event=dt.date(2022, 2, 24), dual_use="chpl", routes=["CN>KZ", "KZ>RU"])
    for event in ("2022-02-24", dt.datetime(2022, 2, 24, 12), "24.02.2022"):
        shaped = surge(CANONICAL, event=event, dual_use=dualuse.lists.get("chpl"), routes="CN>KZ, Kazakhstan>Russia")
        assert_frame_equal(shaped, expected)
    assert_frame_equal(
        mirror(CANONICAL, baseline_end="2022-01-01"), mirror(CANONICAL, baseline_end=dt.date(2022, 1, 1))
    )


def test_results_as_pandas_when_asked() -> None:
    with dualuse.output("pandas"):
        result = mirror(CANONICAL.to_pandas())
        chained = dualuse.trace.chains(pd.DataFrame(columns=list(polars_schema("shipments"))))
    assert isinstance(result, pd.DataFrame) and len(result) == EXPECTED["mirror"].height
    assert isinstance(chained.chains, pd.DataFrame)
    assert isinstance(mirror(CANONICAL), pl.DataFrame)  # the default again outside the block


# --- totals, chapters and statistical areas --------------------------------------------------------


def test_eu_totals_mirror_as_published(shared_data: Path) -> None:
    """EU-27 exports to Kyrgyzstan against Kyrgyzstan's imports from the EU, all goods (SOURCES.md)."""
    published = {2019: (329.4, 280.3), 2020: (234.5, 227.8), 2021: (263.2, 245.3), 2022: (1170.9, 501.8), 2023: (2733.8, 901.5)}  # fmt: skip
    rows = []
    for year, (eu_exports, kg_imports) in published.items():
        rows.append({"period": str(year), "reporter": "EU27_2020", "partner": "Kyrgyzstan", "flow": "Export",
                     "hs_code": "TOTAL", "value_usd": eu_exports * 1e6, "valuation": "FOB"})  # fmt: skip
        rows.append({"period": str(year), "reporter": "Kyrgyz Republic", "partner": "European Union", "flow": "Import",
                     "hs_code": "Total", "value_usd": kg_imports * 1e6, "valuation": "CIF"})  # fmt: skip
    out = mirror(pd.DataFrame(rows)).sort("period")
    assert set(out["hs_code"]) == {"TOTAL"} and set(out["exporter"]) == {"EU"} and set(out["status"]) == {"matched"}
    assert out.filter(pl.col("period").dt.year() == 2023)["ratio"].round(2).to_list() == [0.33]
    # a total is never a product: surge gives it its own tier, never "not listed"
    assert set(surge(pd.DataFrame(rows), dual_use="chpl")["tier"]) == {"all goods"}


# --- the findings analysts look for ----------------------------------------------------------------


def test_a_good_from_nothing_is_a_new_flow_and_a_zero_report_no_ghost() -> None:
    from dualuse.flows import mirror_findings, surge_findings

    drones = pl.DataFrame({
        "period": ["2020", "2021", "2022", "2023"], "reporter": ["KZ"] * 4, "partner": ["CN"] * 4,
        "flow": ["import"] * 4, "hs_code": ["880240", "880240", "880622", "880622"],
        "value_usd": [0.0, 0.0, 1.4e6, 5.9e6],
    })  # fmt: skip
    found = surge_findings(surge(drones, flow="import", dual_use="uav", level="tier"))
    assert found.select("kind", "subject").rows() == [
        ("new_flow", "CN>KZ Unmanned aircraft"),
        ("new_flow", "CN>KZ Unmanned aircraft"),
    ]
    assert sorted(found["score"].round(3).to_list()) == [0.753, 0.997]  # scored by size: $1.4 m, $5.9 m
    zero = pl.DataFrame({"period": ["2023", "2023"], "reporter": ["CN", "KZ"], "partner": ["KZ", "CN"],
                         "flow": ["export", "import"], "hs_code": ["880622", "854231"], "value_usd": [0.0, 5.0]})  # fmt: skip
    assert "ghost_export" not in mirror_findings(mirror(zero))["kind"].to_list()


def test_chains_read_dotted_national_codes_like_plain_ones() -> None:
    from dualuse.synth.shipments import generate_shipments

    scenario = generate_shipments(seed=11, chains=40, background=80)
    plain = dualuse.trace.chains(scenario.shipments, target="RU")
    printed = scenario.shipments.with_columns(
        pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.col("hs_code").str.replace(r"^(\d{4})(\d{2})(\d*)$", "${1}.${2}.${3}").str.strip_chars_end("."))
        .when(pl.int_range(pl.len()) % 3 == 1)
        .then(pl.col("hs_code").str.replace(r"^(\d{4})(\d{2})", "${1} ${2} "))
        .otherwise(pl.col("hs_code"))
        .alias("hs_code")
    )
    dotted = dualuse.trace.chains(printed.to_pandas(), target="RU")
    assert dotted.rejected.height == 0
    assert_frame_equal(dotted.chains, plain.chains)
