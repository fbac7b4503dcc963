"""chains() run partitioned gives the whole-table result: parties resolved once, chains per group of
linked parties and goods, on generated data (hypothesis) and from a dataset read out-of-core."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.execution import Dataset, LocalExecutor
from dualuse.synth.shipments import demo_cases, generate_shipments
from dualuse.trace import ChainResult, chains
from dualuse.trace.partitioned import count_groups, pack_groups, with_groups

FRAMES = ("chains", "links", "unexplained", "parties", "shipments", "rejected")


def assert_same(whole: ChainResult, part: ChainResult) -> None:
    for name in FRAMES:
        expected, found = getattr(whole, name), getattr(part, name)
        assert found.equals(expected), f"{name} differs"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10_000),
    st.integers(1, 9),
    st.sampled_from([None, "chpl"]),
    st.sampled_from([0.9, None]),
    st.floats(0.0, 0.5),
)
def test_partitioned_chains_equal_the_whole_table_run(
    seed: int, parts: int, listed: str | None, fuzzy: float | None, variants: float
) -> None:
    scenario = generate_shipments(seed=seed, chains=60, background=80, two_hop_share=0.4, name_variants=variants)
    kwargs: dict[str, Any] = {"target": "RU", "dual_use": listed, "fuzzy": fuzzy, "max_hops": 3}
    assert_same(chains(scenario.shipments, **kwargs), chains(scenario.shipments, partitions=parts, **kwargs))


def test_the_demo_cases_partitioned() -> None:
    shipments = generate_shipments(seed=5, chains=300, background=300, planted=demo_cases()).shipments
    whole = chains(shipments, hubs=["KZ", "KG", "AM", "AE", "TR"], dual_use="chpl")
    seen: list[int] = []
    engine = LocalExecutor(progress=lambda done, total, label: seen.append(total))
    part = chains(shipments, hubs=["KZ", "KG", "AM", "AE", "TR"], dual_use="chpl", engine=engine, partitions=6)
    assert_same(whole, part)
    assert whole.chains.height > 0 and seen and seen[-1] >= 2


def _line(
    number: int, shipment_id: str, exporter: tuple[str, str], importer: tuple[str, str], hs: str
) -> dict[str, Any]:
    return {
        "shipment_id": shipment_id,
        "date": dt.date(2023, 1, 1) + dt.timedelta(days=number),
        "hs_code": hs,
        "description": "integrated circuits",
        "exporter_name": exporter[0],
        "exporter_country": exporter[1],
        "importer_name": importer[0],
        "importer_country": importer[1],
        "brand": "TI",
        "value_usd": 100.0,
        "quantity": 10.0,
        "source": "test",
        "source_row": number,
    }


def test_a_chain_found_twice_across_partitions_is_kept_once_by_its_first_lines() -> None:
    # Two declarations reuse one pair of shipment ids for goods of two headings: two paths, one
    # chain id. Each heading is its own group, so a partitioned run finds them in two partitions.
    lines = [
        _line(0, "in-1", ("Shenzhen A", "CN"), ("Altyn LLP", "KZ"), "854231"),
        _line(1, "out-1", ("Altyn LLP", "KZ"), ("Vega OOO", "RU"), "854231"),
        _line(2, "in-1", ("Shenzhen A", "CN"), ("Altyn LLP", "KZ"), "853221"),
        _line(3, "out-1", ("Altyn LLP", "KZ"), ("Vega OOO", "RU"), "853221"),
    ]
    shipments = pl.DataFrame(lines)
    whole = chains(shipments, hubs=["KZ"])
    assert whole.chains.height == 1 and whole.chains["hs6"].item() == "854231"  # rows 0 and 1 come first
    assert_same(whole, chains(shipments, hubs=["KZ"], partitions=2))
    listed = chains(shipments, hubs=["KZ"], dual_use="chpl")
    assert listed.chains["list_item"].item() is not None
    assert_same(listed, chains(shipments, hubs=["KZ"], dual_use="chpl", partitions=2))


def test_groups_linked_by_a_hub_to_hub_line_share_a_partition() -> None:
    lines = pl.DataFrame(
        [
            _line(0, "a", ("Shenzhen A", "CN"), ("Altyn LLP", "KZ"), "854231"),
            _line(1, "b", ("Altyn LLP", "KZ"), ("Orion LLC", "KG"), "854231"),  # KZ -> KG links two groups
            _line(2, "c", ("Orion LLC", "KG"), ("Vega OOO", "RU"), "854231"),
            _line(3, "d", ("Shenzhen B", "CN"), ("Nur LLP", "KZ"), "880622"),
        ]
    ).with_columns(pl.col("exporter_name").alias("exporter_party"), pl.col("importer_name").alias("importer_party"))
    from dualuse.trace.chain import ChainSettings

    grouped = with_groups(lines, ChainSettings("RU", ("KG", "KZ")))
    packing = dict(pack_groups(count_groups(grouped), 3).iter_rows())
    assert packing["Altyn LLP|8542"] == packing["Orion LLC|8542"]
    assert set(packing) == {"Altyn LLP|8542", "Orion LLC|8542", "Nur LLP|8806"}


def _write_dataset(frame: pl.DataFrame, folder: pathlib.Path, files: int) -> None:
    for number, piece in enumerate(frame.iter_slices(max(1, -(-frame.height // files)))):
        part = folder / f"batch={number % 3}"
        part.mkdir(parents=True, exist_ok=True)
        piece.write_parquet(part / f"part-{number:03d}.parquet")


@pytest.mark.filterwarnings("ignore::dualuse.errors.DualuseWarning")
def test_a_dataset_read_out_of_core_gives_the_whole_table_result(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dualuse.trace.partitioned as partitioned

    monkeypatch.setattr(partitioned, "_CHUNK_ROWS", 500)  # several chunks of a small dataset
    shipments = generate_shipments(seed=11, chains=400, background=300, planted=demo_cases()).shipments
    # no provenance columns, and two unreadable rows: row numbers must be those of the whole dataset
    raw = shipments.drop("source", "source_row", "shipment_id").with_columns(pl.col("hs_code").cast(pl.String))
    raw = raw.with_columns(
        pl.when(pl.int_range(pl.len()).is_in([7, 1234]))
        .then(pl.lit("85x"))
        .otherwise(pl.col("hs_code"))
        .alias("hs_code")
    )
    _write_dataset(raw, tmp_path, files=9)
    data = Dataset(str(tmp_path))
    whole = chains(data.scan().collect(), hubs=["KZ", "KG", "AM", "AE", "TR"])
    part = chains(data, hubs=["KZ", "KG", "AM", "AE", "TR"], partitions=4)
    assert "shipments='on disk'" in repr(part)
    assert sorted(part.rejected["row"].to_list()) == sorted(whole.rejected["row"].to_list())
    assert_same(whole, part)
    assert "shipments='on disk'" not in repr(part)  # read once asked for
