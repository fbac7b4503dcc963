"""Property: whatever the row cap, a fetch returns every matching record exactly once, in a stable order."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from dualuse.connectors import FetchContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse_comtrade import ComtradeConfig, ComtradeConnector
from dualuse_comtrade.fake import FakeComtrade

REPORTERS = {156: "CN", 398: "KZ", 417: "KG"}
PARTNERS = {643: "RU", 0: "XW", 112: "BY"}
CODES = ["8542", "8471", "8806"]
FLOWS = ["M", "X"]
YEARS = ["2021", "2022", "2023"]


def _record(reporter: int, partner: int, code: str, flow: str, year: str) -> dict[str, Any]:
    return {
        "freqCode": "A",
        "period": year,
        "reporterCode": reporter,
        "partnerCode": partner,
        "flowCode": flow,
        "cmdCode": code,
        "classificationCode": "H6",
        "primaryValue": float(reporter * 10_000 + partner * 10 + int(year[-1])),
    }


@pytest.fixture(scope="module")
def server() -> Iterator[FakeComtrade]:
    cells = itertools.product(REPORTERS, PARTNERS, CODES, FLOWS, YEARS)
    with FakeComtrade([_record(*cell) for cell in cells]) as fake:
        yield fake


def _subset(values: list[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    reporters=_subset(list(REPORTERS)),
    partners=_subset(list(PARTNERS)),
    codes=_subset(CODES),
    flows=_subset(FLOWS),
    years=_subset(YEARS),
    row_cap=st.integers(4, 60),
    max_periods=st.integers(1, 3),
)
def test_split_and_stitch_return_each_record_once(
    server: FakeComtrade,
    reporters: list[int],
    partners: list[int],
    codes: list[str],
    flows: list[str],
    years: list[str],
    row_cap: int,
    max_periods: int,
) -> None:
    config = ComtradeConfig(
        base_url=server.url,
        endpoint="preview",
        reporters=reporters,
        partners=partners,
        hs_codes=codes,
        flows=flows,
        periods=years,
        row_cap=row_cap,
        max_periods=max_periods,
        daily_budget=10_000,
    )
    with tempfile.TemporaryDirectory() as folder:
        frames = list(ComtradeConnector(config).fetch(FetchContext(Path(folder))))
    flows_frame = pl.concat(frames)
    expected = sorted(
        (REPORTERS[r], PARTNERS[p], c, {"M": "import", "X": "export"}[f], int(y))
        for r, p, c, f, y in itertools.product(reporters, partners, codes, flows, years)
    )
    got = flows_frame.select("reporter", "partner", "hs_code", "flow", pl.col("period").dt.year()).rows()
    assert sorted(got) == expected
    assert flows_frame["source_row"].to_list() == list(range(len(expected)))
