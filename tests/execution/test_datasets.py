"""Partitioned Parquet datasets: files in order, chunks with their offsets, hive keys typed as a whole."""

from __future__ import annotations

import pathlib

import polars as pl
import pytest

from dualuse import inputs
from dualuse.errors import InputError
from dualuse.execution import Dataset, as_dataset, is_dataset


def _write(folder: pathlib.Path, parts: dict[str, pl.DataFrame]) -> None:
    for relative, frame in parts.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(target)


def test_a_hive_dataset_reads_in_sorted_path_order_with_typed_keys(tmp_path: pathlib.Path) -> None:
    _write(
        tmp_path,
        {
            "year=2024/b.parquet": pl.DataFrame({"x": [3]}),
            "year=2023/b.parquet": pl.DataFrame({"x": [2]}),
            "year=2023/a.parquet": pl.DataFrame({"x": [0, 1]}),
            "_SUCCESS": pl.DataFrame(),  # a marker file some writers leave: not data
        },
    )
    (tmp_path / "_SUCCESS").write_text("")
    data = Dataset(str(tmp_path))
    assert [pathlib.Path(p).relative_to(tmp_path).as_posix() for p in data.files()] == [
        "year=2023/a.parquet",
        "year=2023/b.parquet",
        "year=2024/b.parquet",
    ]
    whole = data.scan().collect()
    assert whole.rows() == [(0, 2023), (1, 2023), (2, 2023), (3, 2024)]
    chunks = data.chunks(rows=2)
    assert [(c.offset, c.rows) for c in chunks] == [(0, 2), (2, 2)]
    assert pl.concat([c.scan().collect() for c in chunks]).equals(whole)
    assert chunks[1].scan().collect_schema()["year"] == whole.schema["year"]


def test_what_counts_as_a_dataset(tmp_path: pathlib.Path) -> None:
    _write(tmp_path, {"a.parquet": pl.DataFrame({"x": [1]})})
    assert is_dataset(tmp_path) and is_dataset(str(tmp_path)) and is_dataset(f"{tmp_path}/*.parquet")
    assert is_dataset("s3://bucket/shipments/") and is_dataset(Dataset("anything"))
    assert not is_dataset(str(tmp_path / "a.parquet")) and not is_dataset(pl.DataFrame())
    assert not is_dataset(f"{tmp_path}/kz-*.csv")  # a pattern of text files: the front door's (with --glob)
    assert not is_dataset("s3://bucket/shipments.parquet")
    assert as_dataset(pl.DataFrame()) is None


def test_the_front_door_reads_a_dataset_as_one_table(tmp_path: pathlib.Path) -> None:
    _write(tmp_path, {"part-1.parquet": pl.DataFrame({"name": ["B"]}), "part-0.parquet": pl.DataFrame({"name": ["A"]})})
    assert inputs.frame(tmp_path)["name"].to_list() == ["A", "B"]
    assert inputs.frame(f"{tmp_path}/*.parquet")["name"].to_list() == ["A", "B"]


def test_an_empty_folder_or_a_bad_file_is_named(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InputError, match="no Parquet files in the dataset"):
        Dataset(str(tmp_path)).files()
    (tmp_path / "broken.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="not a Parquet file") as caught:
        Dataset(str(tmp_path)).rows()
    assert "broken.parquet" in str(caught.value)
    with pytest.raises(InputError, match="at least 1"):
        Dataset(str(tmp_path)).chunks(rows=0)
