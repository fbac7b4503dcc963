"""Mirror and hubs run partitioned give the whole-table result, row for row (hypothesis).

Partitions are ranges of HS chapters; the reporter-years, the reliability and the hubs' baseline
years are reduced over all partitions first (see :mod:`dualuse.flows.partitioned`).
"""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.execution import Dataset
from dualuse.flows import Margins, hubs, mirror
from dualuse.synth.scenario import build_scenario

from .conftest import build

COUNTRIES = ["CN", "KZ", "KG", "RU", "DE"]
# several chapters (the partition key), and HS2017 codes: 852580 (cameras, drones among them) is
# split by the concordance over chapters 85 and 88, so rows are cut only once harmonised
CODES = [(code, "HS2022") for code in ("854231", "854232", "880622", "847130", "902610", "300490")]
CODES += [("852580", "HS2017"), ("854231", "HS2017")]
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

value = st.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False)
monthly = st.builds(
    lambda period, reporter, partner, flow, code, amount, valuation, weight: (
        period,
        reporter,
        partner,
        flow,
        code[0],
        amount,
        valuation,
        weight,
        code[1],
    ),
    st.builds(lambda y, m: dt.date(y, m, 1), st.sampled_from([2020, 2021, 2023]), st.integers(1, 12)),
    st.sampled_from(COUNTRIES),
    st.sampled_from(COUNTRIES),
    st.sampled_from(["export", "import", "re-export"]),
    st.sampled_from(CODES),
    value,
    st.sampled_from(["CIF", "FOB"]),
    st.one_of(st.none(), value),
).filter(lambda r: r[1] != r[2])


@SETTINGS
@given(st.lists(monthly, min_size=1, max_size=40), st.integers(1, 6), st.integers(0, 2))
def test_mirror_partitioned_equals_the_whole_table_run(rows: list[tuple[Any, ...]], parts: int, lag: int) -> None:
    flows = build(rows, freq="M")
    assert mirror(flows, partitions=parts, max_lag_months=lag).equals(mirror(flows, max_lag_months=lag))


@SETTINGS
@given(st.lists(monthly, min_size=1, max_size=40), st.integers(1, 6))
def test_mirror_with_frozen_margins_and_reliability_partitioned(rows: list[tuple[Any, ...]], parts: int) -> None:
    flows = build(rows, freq="M")
    reliability = pl.DataFrame({"country": ["CN", "KZ"], "reliability": [0.9, 0.4]})
    kwargs: dict[str, Any] = {"margins": Margins.constant(1.2), "reliability": reliability}
    assert mirror(flows, partitions=parts, **kwargs).equals(mirror(flows, **kwargs))


@SETTINGS
@given(st.lists(monthly, min_size=1, max_size=40), st.integers(1, 6), st.sampled_from([None, "chpl"]))
@pytest.mark.filterwarnings("ignore::dualuse.errors.DualuseWarning")
def test_hubs_partitioned_equals_the_whole_table_run(rows: list[tuple[Any, ...]], parts: int, listed: Any) -> None:
    flows = build(rows, freq="M")
    kwargs: dict[str, Any] = {"origin": "CN", "hubs": ["KZ", "KG"], "dual_use": listed}
    assert hubs(flows, partitions=parts, **kwargs).equals(hubs(flows, **kwargs))


def _as_dataset(frame: pl.DataFrame, folder: pathlib.Path, files: int) -> Dataset:
    """The frame as a hive dataset by year, several files per year, in the frame's row order."""
    numbered = frame.with_row_index("__n").with_columns(pl.col("period").dt.year().alias("year"))
    for (year,), rows in numbered.partition_by("year", as_dict=True, maintain_order=True).items():
        target = folder / f"year={year}"
        target.mkdir(parents=True)
        size = max(1, -(-rows.height // files))
        for number, piece in enumerate(rows.iter_slices(size)):
            piece.drop("__n", "year").write_parquet(target / f"part-{number:03d}.parquet")
    return Dataset(str(folder))


@pytest.mark.filterwarnings("ignore::dualuse.errors.DualuseWarning")  # AM: no rows, said in both runs
def test_the_scenario_partitioned_from_a_dataset_equals_the_whole_table_run(tmp_path: pathlib.Path) -> None:
    flows = build_scenario().flows
    data = _as_dataset(flows, tmp_path, files=3)
    whole_table = data.scan().collect().drop("year")  # the dataset as one table, hive key aside
    assert mirror(data, partitions=4).equals(mirror(whole_table))
    assert mirror(str(tmp_path)).equals(mirror(whole_table))  # a folder alone runs out-of-core
    route: dict[str, Any] = {"origin": "CN", "hubs": ["KZ", "KG", "AM"], "dual_use": "chpl"}
    assert hubs(data, partitions=3, **route).equals(hubs(whole_table, **route))
    for parts in (2, 5, 9):
        assert hubs(flows, partitions=parts, **route).equals(hubs(flows, **route))
        assert mirror(flows, partitions=parts).equals(mirror(flows))


def test_a_bad_row_in_one_chunk_is_refused_naming_it(tmp_path: pathlib.Path) -> None:
    flows = build([(2021, "CN", "KZ", "export", "854231", 1.0), (2021, "KZ", "CN", "import", "854231", 1.0)])
    flows.write_parquet(tmp_path / "a.parquet")
    flows.with_columns(pl.lit("Narnia").alias("partner")).write_parquet(tmp_path / "b.parquet")
    from dualuse.errors import InputError

    with pytest.raises(InputError, match="unknown country: 'Narnia'"):
        mirror(tmp_path, partitions=2)
