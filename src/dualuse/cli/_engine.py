"""``--engine`` and ``--partitions``: where the partitions of a command's run go, with progress.

``--engine`` (or ``DUALUSE_ENGINE``) names an engine: ``local`` (partitions one after another in
this process) or ``ray`` (a Ray cluster: ``RAY_ADDRESS``, or a local one), or one a plugin adds.
A run is partitioned when the engine is not ``local``, when ``--partitions`` is given, or when the
input is a partitioned dataset (a folder of Parquet files, a glob or an object storage URL).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dualuse.execution import Dataset, Executor

__all__ = ["EngineOpt", "PartitionsOpt", "dataset_of", "executor_for", "rows_of"]

EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        envvar="DUALUSE_ENGINE",
        metavar="ENGINE",
        help="Where partitions run: local (this process) or ray (RAY_ADDRESS, or a local Ray cluster); "
        "or an engine a plugin adds (see `dualuse plugins`).",
    ),
]
PartitionsOpt = Annotated[
    int | None,
    typer.Option(
        "--partitions",
        min=1,
        metavar="N",
        help="Run in N partitions (default: whole-table, or about 2 million rows a partition for a dataset).",
    ),
]


def executor_for(engine: str, step: Callable[[str], None]) -> Executor:
    """The engine named ``engine``, reporting each finished partition through ``step``."""
    from dualuse.execution import get_executor

    def progress(done: int, total: int, label: str) -> None:
        step(f"{label}: {done:,} of {total:,} partitions done")

    return get_executor(engine, progress=progress)


def dataset_of(spec: str | Path) -> Dataset | None:
    """``spec`` as a partitioned dataset when it names one (a folder, a glob, a URL), else None.

    Examples:
        >>> dataset_of("shipments.csv") is None
        True
    """
    from dualuse.execution import as_dataset

    return as_dataset(str(spec))


def rows_of(data: object) -> int:
    """The rows of a frame or a dataset (from its files' metadata)."""
    from dualuse.execution import Dataset

    if isinstance(data, Dataset):
        return data.rows()
    height = getattr(data, "height", 0)
    return int(height)
