"""screen() run partitioned gives the whole-table result: slices of parties against one prepared watch list."""

from __future__ import annotations

import pathlib

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.execution import Dataset, LocalExecutor
from dualuse.screening import screen

from .test_screen import WATCH

NAMES = [
    "ТОО Элем Групп",
    "ELEM GROUP LLP",
    "АО «Казахтелеком»",
    "Kazahtelekom",
    "Nurtas Trade",
    "ТОО «Нуртас Трейд»",
    "Иван Петров",
    "Petrov Ivan S.",
    "Acme Widgets",
    "Orion Tech LLC",
]
party = st.tuples(st.sampled_from(NAMES), st.sampled_from(["KZ", "RU", None]))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(party, min_size=0, max_size=25), st.integers(1, 6), st.booleans())
def test_partitioned_screening_equals_the_whole_table_run(
    rows: list[tuple[str, str | None]], parts: int, ids: bool
) -> None:
    mine = pl.DataFrame(
        {"name": [r[0] for r in rows], "country": [r[1] for r in rows]},
        schema={"name": pl.String, "country": pl.String},
    )
    if ids:  # given ids, or the query-{row} ids of the whole input
        mine = mine.with_columns(pl.format("c{}", pl.int_range(pl.len())).alias("party_id"))
    assert screen(mine, WATCH, partitions=parts).equals(screen(mine, WATCH))


def test_parties_from_a_dataset_are_screened_slice_by_slice(tmp_path: pathlib.Path) -> None:
    mine = pl.DataFrame({"name": NAMES * 3, "country": ["KZ"] * 30})
    for number, piece in enumerate(mine.iter_slices(7)):
        piece.write_parquet(tmp_path / f"part-{number:02d}.parquet")
    seen: list[tuple[int, int]] = []
    engine = LocalExecutor(progress=lambda done, total, _: seen.append((done, total)))
    found = screen(Dataset(str(tmp_path)), WATCH, engine=engine, partitions=3)
    assert found.equals(screen(mine, WATCH))
    assert found.height > 0 and found["query_id"].str.starts_with("query-").all()
    assert seen[-1][0] == seen[-1][1] >= 2  # progress per slice


def test_a_missing_name_column_is_refused_from_a_slice() -> None:
    from dualuse.errors import InputError

    with pytest.raises(InputError, match="no column 'name'"):
        screen(pl.DataFrame({"company": ["x"]}), WATCH, partitions=2)


def test_a_pair_scores_the_same_to_the_last_bit_in_a_small_and_a_large_frame() -> None:
    # polars sums a group's floats in an order that depends on the frame's length: a screening of
    # 1 M x 100 k on Ray differed from the whole-table run in the last bit of 20 feature weights
    import random

    from dualuse.screening.scoring import prepare_names, score_pairs

    rng = random.Random(1)
    words = ["Альфа", "Трейд", "Group", "Elem", "Техно", "Сервис", "Nur", "Altyn", "Жол", "Invest", "Smart", "Line"]
    names = [" ".join(rng.sample(words, rng.randint(2, 5))) for _ in range(2_000)]
    prepared = prepare_names(pl.DataFrame({"name": names, "kind": ["company"] * len(names)}))
    pairs = pl.DataFrame(
        {"a": [rng.randrange(2_000) for _ in range(300_000)], "b": [rng.randrange(2_000) for _ in range(300_000)]},
        schema={"a": pl.UInt32, "b": pl.UInt32},
    )
    large = score_pairs(prepared, prepared, pairs).head(2_000)
    small = score_pairs(prepared, prepared, pairs.head(2_000))
    assert large.equals(small)
