"""Helpers the partitioned plans share: when to partition, how to cut, where pieces go.

- :func:`wants_partitions`: a run is partitioned when an engine other than ``local`` is chosen,
  when ``partitions`` is given, or when the input is a partitioned dataset (read out-of-core);
- :func:`contiguous_ranges` cuts sorted key values into ranges of about equal rows (HS ranges),
  :func:`bin_pack` spreads independent groups (connected components) over partitions;
- :class:`Scratch`: a folder (local, or a URL every worker can reach) for the pieces one stage
  writes and the next reads; a temporary one is removed when nothing refers to it any more.

Examples:
    >>> import polars as pl
    >>> counts = pl.DataFrame({"key": ["84", "85", "88", "90"], "rows": [10, 30, 5, 15]})
    >>> contiguous_ranges(counts, 2).rows()
    [('84', 0), ('85', 0), ('88', 1), ('90', 1)]
    >>> bin_pack(pl.DataFrame({"key": [1, 2, 3, 4], "rows": [5, 9, 4, 3]}), 2).sort("key").rows()
    [(1, 1), (2, 0), (3, 1), (4, 0)]
"""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
import uuid
import weakref
from dataclasses import dataclass, field

import polars as pl

from dualuse.errors import InputError
from dualuse.execution.datasets import is_dataset
from dualuse.execution.executor import Executor

__all__ = [
    "ROWS_PER_PARTITION",
    "Scratch",
    "bin_pack",
    "contiguous_ranges",
    "partition_count",
    "wants_partitions",
]

ROWS_PER_PARTITION = 2_000_000
"""Rows per partition when a dataset is read out-of-core and ``partitions`` is not given."""


def wants_partitions(data: object, engine: str | Executor | None, partitions: int | None) -> bool:
    """Whether a run goes through its partitioned plan (see the module documentation).

    Examples:
        >>> wants_partitions(object(), None, None), wants_partitions(object(), "ray", None)
        (False, True)
    """
    if partitions is not None and partitions < 1:
        raise InputError(f"partitions must be at least 1, not {partitions}", column="partitions")
    name = engine.name if isinstance(engine, Executor) else (engine or "local")
    return name != "local" or partitions is not None or is_dataset(data)


def partition_count(rows: int, partitions: int | None) -> int:
    """``partitions`` when given, else one per :data:`ROWS_PER_PARTITION` rows (at least one).

    Examples:
        >>> partition_count(5_000_000, None), partition_count(10, 4)
        (3, 4)
    """
    if partitions is not None:
        return partitions
    return max(1, -(-rows // ROWS_PER_PARTITION))


def contiguous_ranges(counts: pl.DataFrame, partitions: int) -> pl.DataFrame:
    """``key, partition``: sorted keys cut into ``partitions`` ranges of about equal ``rows``.

    ``counts`` has ``key`` and ``rows``; a key is never split, so a range holds at least one key
    (fewer ranges than asked when there are fewer keys).
    """
    ordered = counts.sort("key")
    total = max(int(ordered["rows"].sum() or 0), 1)
    cumulative = ordered["rows"].cum_sum() - ordered["rows"]  # rows before each key
    cut = (cumulative * partitions // total).clip(0, partitions - 1)
    return ordered.select("key", cut.cast(pl.Int64).alias("partition")).with_columns(
        pl.col("partition").rank("dense").cast(pl.Int64) - 1  # no empty partition numbers
    )


def bin_pack(sizes: pl.DataFrame, partitions: int) -> pl.DataFrame:
    """``key, partition``: groups (``key``, ``rows``) placed largest first on the emptiest partition.

    Ties are broken by key, so the placement does not depend on row order.
    """
    ordered = sizes.sort(["rows", "key"], descending=[True, False])
    heap = [(0, number) for number in range(max(1, partitions))]
    placed: list[int] = []
    for rows in ordered["rows"].to_list():
        load, number = heapq.heappop(heap)
        placed.append(number)
        heapq.heappush(heap, (load + int(rows), number))
    return ordered.select("key", pl.Series("partition", placed, dtype=pl.Int64))


@dataclass
class Scratch:
    """Where a partitioned run keeps the pieces between its stages.

    ``root``: a folder or an object storage URL every worker can read and write (on a cluster:
    shared storage); default ``DUALUSE_SCRATCH``, else a new temporary folder, removed once this
    object and everything holding it are gone.
    """

    root: str | None = None
    _cleanup: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.root is None:
            shared = os.environ.get("DUALUSE_SCRATCH", "").strip()
            base = shared or None
            if base is not None and "://" not in base:
                os.makedirs(base, exist_ok=True)
            if base is not None and "://" in base:
                self.root = f"{base.rstrip('/')}/dualuse-{uuid.uuid4().hex[:12]}"
            else:
                self.root = tempfile.mkdtemp(prefix="dualuse-scratch-", dir=base)
                self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, True)

    def path(self, *parts: str) -> str:
        """A path under the scratch root (folders are made when written to)."""
        assert self.root is not None
        return "/".join([self.root.rstrip("/"), *parts])

    def write(self, frame: pl.DataFrame, *parts: str) -> str:
        """Write ``frame`` as one Parquet file (fast compression: it is read back once or twice)."""
        target = self.path(*parts)
        if "://" not in target:
            os.makedirs(os.path.dirname(target), exist_ok=True)
        frame.write_parquet(target, compression="lz4", statistics=False)
        return target
