"""Screening, partitioned: slices of the parties, each against one prepared watch list.

Screening is closed per query party: a party's candidate pairs, scores and best names depend only
on that party and on the watch list (the blocking index is built from the watch list alone). So
the parties are cut into slices (contiguous rows, or whole files of a partitioned dataset), the
watch list is normalised and indexed once and shared with every task (a Ray cluster holds one copy
per node, in its object store), each slice is screened on its own, and the results are put
together in :func:`~dualuse.screening.screen`'s order. Parties without a ``party_id`` get
``query-{row}`` numbered over the whole input, as in a whole-table run, so the result is the same.

Examples:
    >>> import polars as pl
    >>> from dualuse.screening import screen
    >>> watch = pl.DataFrame({"party_id": ["w1"], "name": ["Elem Group LLP"], "country": ["KZ"]})
    >>> mine = pl.DataFrame({"name": ["ТОО «Элем Групп»", "Orion LLC", "ELEM GROUP, TOO"], "country": ["KZ"] * 3})
    >>> whole = screen(mine, watch)
    >>> whole.equals(screen(mine, watch, partitions=3)), whole["query_id"].to_list()
    (True, ['query-0', 'query-2'])
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dualuse import inputs
from dualuse.execution import Chunk, Engine, as_dataset, get_executor
from dualuse.execution.plan import partition_count
from dualuse.screening.api import (
    PreparedWatchlist,
    ScreenSettings,
    empty_result,
    in_result_order,
    party_table,
    prepare_watchlist,
    screen_prepared,
)

__all__ = ["screen_partitioned"]


@dataclass(frozen=True)
class _Slice:
    """Query parties: rows in memory, or whole files of a dataset; ``offset`` is the first row's position."""

    offset: int
    frame: pl.DataFrame | None = None
    chunk: Chunk | None = None

    def rows(self) -> pl.DataFrame:
        if self.frame is not None:
            return self.frame
        assert self.chunk is not None
        return inputs.frame(self.chunk.scan(), what="parties")


def screen_partitioned(
    parties: object, watchlist: object, settings: ScreenSettings, *, engine: Engine, partitions: int | None
) -> pl.DataFrame:
    """:func:`~dualuse.screening.screen` run partitioned (see the module documentation)."""
    executor = get_executor(engine)
    slices = _slices(parties, partitions)
    watch = prepare_watchlist(watchlist, settings)
    results = executor.map(_screen_slice, slices, (watch, settings), label="screening")
    return executor.reduce(_combine, results)


def _slices(parties: object, partitions: int | None) -> list[_Slice]:
    dataset = as_dataset(parties)
    if dataset is not None:
        total = dataset.rows()
        per_slice = max(1, -(-total // partition_count(total, partitions)))
        return [_Slice(chunk.offset, chunk=chunk) for chunk in dataset.chunks(rows=per_slice)]
    table = inputs.frame(parties, what="parties")
    per_slice = max(1, -(-table.height // partition_count(table.height, partitions)))
    return [_Slice(start, frame=table.slice(start, per_slice)) for start in range(0, max(table.height, 1), per_slice)]


def _screen_slice(piece: _Slice, shared: tuple[PreparedWatchlist, ScreenSettings]) -> pl.DataFrame:
    """Screen one slice of the parties against the shared watch list."""
    watch, settings = shared
    frame = piece.rows()
    if "party_id" not in frame.columns:  # the id a whole-table run gives: query-{row of the whole input}
        ids = pl.int_range(piece.offset, piece.offset + pl.len(), dtype=pl.Int64)
        frame = frame.with_columns(pl.format("query-{}", ids).alias("party_id"))
    return screen_prepared(party_table(frame, "query", settings.name_column, settings.kind), watch, settings)


def _combine(results: list[pl.DataFrame]) -> pl.DataFrame:
    found = [result for result in results if result.height]
    if not found:
        return empty_result()
    return in_result_order(pl.concat(found))
