"""Shipment chains, partitioned: one resolution of parties, then chains per group of parties and goods.

What is closed under which key:

- **Parties** are resolved once over all records: every decision depends only on the distinct
  spellings (name, country, identifier) and how often each occurs, which are small next to the
  lines; a partitioned run counts them chunk by chunk, resolves them once and shares the result.
- **FIFO allocation** runs per *group*, a party and a heading (four HS digits): goods never match
  across headings (:func:`~dualuse.trace.product_match`), and a party's stock is its own.
- **Paths** follow a line that leaves one group and enters another (a hub-to-hub leg): such a line
  is an outbound leg of its exporter's group and an inbound leg of its importer's. So the groups
  linked by such lines (connected components) are closed: every leg, link, path, chain and
  unexplained outflow lies inside one. Components (not headings alone: one heading of integrated
  circuits can hold a third of all lines) are packed into partitions of about equal lines.
- **The reduce** puts the partitions' chains together: a chain found twice (two paths over lines
  with the same shipment ids) is kept once, by the lowest ``(source, source_row)`` of its lines;
  chains are kept for a list by the items of their own lines; everything is put in the whole-table
  order.

A frame is cut in this process. A partitioned dataset is read out-of-core, chunk by chunk on the
executor: read and validate (counting spellings), resolve once, assign parties and groups (with the
component links), pack, write each chunk's lines to a scratch folder by partition, then chains per
partition. The resolved shipments stay on the scratch folder and are read only when
:attr:`ChainResult.shipments` is asked for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import polars as pl

from dualuse.execution import Chunk, Engine, Executor, as_dataset, get_executor
from dualuse.execution.components import components
from dualuse.execution.plan import ROWS_PER_PARTITION, Scratch, bin_pack, partition_count
from dualuse.inputs import read
from dualuse.schema import ReadOptions
from dualuse.trace.chain import (
    ChainPart,
    ChainResult,
    ChainSettings,
    assemble,
    chains_of_lines,
    inbound_leg,
    outbound_leg,
    warn_missing_side,
)
from dualuse.trace.fuzzy import FUZZY_THRESHOLD
from dualuse.trace.parties import (
    Resolution,
    add_spellings,
    assign_parties,
    count_spellings,
    parties_table,
    resolve_parties,
    resolve_spellings,
)

__all__ = ["GroupCounts", "chains_partitioned", "count_groups", "pack_groups", "with_groups"]

_GROUPS = ("__in_group", "__out_group")


def with_groups(lines: pl.DataFrame, settings: ChainSettings) -> pl.DataFrame:
    """``lines`` with the group each is a leg of: ``__in_group`` (its importer's, when it enters a hub)
    and ``__out_group`` (its exporter's, when it leaves one), as ``party|heading``; null when not a leg."""
    heading = pl.col("hs_code").str.slice(0, 4)
    return lines.with_columns(
        pl.when(inbound_leg(settings.hubs, settings.target))
        .then(pl.concat_str(pl.col("importer_party"), pl.lit("|"), heading))
        .alias("__in_group"),
        pl.when(outbound_leg(settings.hubs, settings.target))
        .then(pl.concat_str(pl.col("exporter_party"), pl.lit("|"), heading))
        .alias("__out_group"),
    )


@dataclass(frozen=True)
class GroupCounts:
    """``links``: distinct pairs of groups one line is a leg of both (``a``, ``b``); ``sizes``: lines per group."""

    links: pl.DataFrame
    sizes: pl.DataFrame


def count_groups(grouped: pl.DataFrame) -> GroupCounts:
    """The links between groups and the lines of each (a line counts for its inbound group, else its outbound)."""
    links = grouped.select(pl.col("__in_group").alias("a"), pl.col("__out_group").alias("b")).drop_nulls().unique()
    sizes = (
        grouped.select(pl.coalesce(*_GROUPS).alias("group"))
        .drop_nulls()
        .group_by("group")
        .agg(pl.len().cast(pl.Int64).alias("rows"))
    )
    return GroupCounts(links, sizes)


def _add_counts(counts: list[GroupCounts]) -> GroupCounts:
    links = pl.concat([c.links for c in counts]).unique()
    sizes = pl.concat([c.sizes for c in counts]).group_by("group").agg(pl.col("rows").sum())
    return GroupCounts(links, sizes)


def pack_groups(counts: GroupCounts, partitions: int | None) -> pl.DataFrame:
    """``group, partition``: linked groups (connected components) packed into partitions of about equal lines."""
    names = (
        pl.concat([counts.sizes.get_column("group"), counts.links.get_column("a"), counts.links.get_column("b")])
        .unique()
        .sort()
    )
    number = {"group": names, "node": pl.int_range(names.len(), dtype=pl.Int64, eager=True)}
    nodes = pl.DataFrame(number)
    edges = (
        counts.links.join(nodes.rename({"group": "a", "node": "na"}), on="a")
        .join(nodes.rename({"group": "b", "node": "nb"}), on="b")
        .select(pl.col("na").alias("a"), pl.col("nb").alias("b"))
    )
    nodes = nodes.with_columns(components(names.len(), edges).alias("component"))
    sized = nodes.join(counts.sizes, on="group", how="left").with_columns(pl.col("rows").fill_null(0))
    per_component = sized.group_by("component").agg(pl.col("rows").sum()).rename({"component": "key"})
    total = int(per_component.get_column("rows").sum() or 0)
    packed = bin_pack(per_component, partition_count(total, partitions))
    return nodes.join(packed.rename({"key": "component"}), on="component").select("group", "partition")


def _partition_of(grouped: pl.DataFrame, packing: pl.DataFrame) -> pl.DataFrame:
    """``grouped`` with ``__part`` (the partition of its groups; null for a line that is no leg) for its groups.

    Only the two group columns are joined, so the lines themselves are not copied.
    """
    found = grouped.select(_GROUPS)
    for column in _GROUPS:
        found = found.join(
            packing.rename({"group": column, "partition": f"{column}_part"}),
            on=column,
            how="left",
            maintain_order="left",
        )
    part = found.select(pl.coalesce(*(f"{c}_part" for c in _GROUPS)).alias("__part")).to_series()
    return grouped.drop(*_GROUPS).with_columns(part)


def _chains_part(
    task: tuple[int, pl.DataFrame | tuple[str, ...]], shared: tuple[pl.DataFrame, ChainSettings]
) -> ChainPart:
    """The chains of one partition (its lines in memory, or its pieces on the scratch folder)."""
    number, lines = task
    names, settings = shared
    frame = lines if isinstance(lines, pl.DataFrame) else pl.read_parquet(list(lines))
    return chains_of_lines(frame, names, settings, part=number)


def chains_partitioned(
    shipments: object,
    settings: ChainSettings,
    *,
    options: ReadOptions | None = None,
    fuzzy: float | None = FUZZY_THRESHOLD,
    engine: Engine = None,
    partitions: int | None = None,
) -> ChainResult:
    """:func:`~dualuse.trace.chains` run partitioned (see the module documentation)."""
    executor = get_executor(engine)
    dataset = as_dataset(shipments)
    if dataset is not None:
        return _out_of_core(dataset.chunks(rows=_CHUNK_ROWS), settings, options, fuzzy, executor, partitions)
    validated = read(shipments, "shipments", options=options)
    resolved = resolve_parties(validated.accepted, fuzzy=fuzzy)
    grouped = with_groups(resolved.shipments, settings)
    assigned = _partition_of(grouped, pack_groups(count_groups(grouped), partitions))
    del grouped
    frames = assigned.filter(pl.col("__part").is_not_null()).partition_by("__part", as_dict=True, maintain_order=True)
    tasks: list[tuple[int, pl.DataFrame | tuple[str, ...]]] = [
        (int(str(key[0])), frame.drop("__part"))
        for key, frame in sorted(frames.items(), key=lambda kv: int(str(kv[0][0])))
    ]
    del assigned, frames
    if not tasks:  # no line is a leg: one empty partition, as a whole-table run sees it
        tasks = [(0, resolved.shipments.head(0))]
    names = resolved.parties.select("party_id", "name")
    parts = executor.map(_chains_part, tasks, (names, settings), label="chains")
    directions = frozenset().union(*(part.directions for part in parts))
    warn_missing_side(directions, resolved.shipments.height, settings, stacklevel=5)
    chain_frame, link_frame, unexplained = executor.reduce(lambda found: assemble(found, settings), parts)
    return ChainResult(
        chains=chain_frame,
        links=link_frame,
        unexplained=unexplained,
        parties=resolved.parties,
        shipments=resolved.shipments,
        rejected=validated.rejected,
    )


# ---------------------------------------------------------------- out-of-core, from a dataset

_CHUNK_ROWS = ROWS_PER_PARTITION // 2
"""Rows read and validated at a time (whole files): a chunk's working memory is a few times this."""


@dataclass(frozen=True)
class _ReadJob:
    options: ReadOptions
    scratch: Scratch


def _read_chunk(task: tuple[int, Chunk], job: _ReadJob) -> tuple[str, pl.DataFrame, pl.DataFrame]:
    """Validate one chunk (rows numbered as in the whole dataset); keep its lines; count its spellings."""
    number, chunk = task
    options = dataclasses.replace(job.options, first_row=chunk.offset)
    validated = read(chunk.scan(), "shipments", options=options)
    path = job.scratch.write(validated.accepted, "valid", f"chunk-{number:06d}.parquet")
    return path, count_spellings(validated.accepted), validated.rejected


@dataclass(frozen=True)
class _GroupJob:
    resolution: Resolution
    settings: ChainSettings


def _group_chunk(path: str, job: _GroupJob) -> tuple[GroupCounts, pl.DataFrame]:
    """One chunk's parties and groups: the links and sizes of its groups, its orphan sides."""
    lines, orphans = assign_parties(pl.read_parquet(path), job.resolution)
    return count_groups(with_groups(lines, job.settings)), orphans


@dataclass(frozen=True)
class _SplitJob:
    resolution: Resolution
    settings: ChainSettings
    packing: pl.DataFrame
    scratch: Scratch


def _split_chunk(task: tuple[int, str], job: _SplitJob) -> dict[int, str]:
    """Write one chunk's legs to the scratch folder, one file per partition."""
    number, path = task
    lines, _ = assign_parties(pl.read_parquet(path), job.resolution)
    assigned = _partition_of(with_groups(lines, job.settings), job.packing).filter(pl.col("__part").is_not_null())
    written = {}
    for key, piece in assigned.partition_by("__part", as_dict=True, maintain_order=True).items():
        part = int(str(key[0]))
        written[part] = job.scratch.write(piece.drop("__part"), f"part={part:05d}", f"chunk-{number:06d}.parquet")
    return written


def _out_of_core(
    chunks: list[Chunk],
    settings: ChainSettings,
    options: ReadOptions | None,
    fuzzy: float | None,
    executor: Executor,
    partitions: int | None,
) -> ChainResult:
    scratch = Scratch()
    read_chunks = executor.map(
        _read_chunk, list(enumerate(chunks)), _ReadJob(options or ReadOptions(), scratch), label="chains: reading"
    )
    valid = [path for path, _, _ in read_chunks]
    rejected = pl.concat([r for _, _, r in read_chunks], how="diagonal_relaxed")
    resolution = resolve_spellings(add_spellings([s for _, s, _ in read_chunks]), fuzzy=fuzzy)
    del read_chunks
    grouped = executor.map(_group_chunk, valid, _GroupJob(resolution, settings), label="chains: parties and groups")
    packing = pack_groups(_add_counts([g for g, _ in grouped]), partitions)
    parties = parties_table(resolution, [o for _, o in grouped])
    del grouped
    split = executor.map(
        _split_chunk,
        list(enumerate(valid)),
        _SplitJob(resolution, settings, packing, scratch),
        label="chains: partitions",
    )
    pieces: dict[int, list[str]] = {}
    for written in split:
        for part, path in written.items():
            pieces.setdefault(part, []).append(path)
    tasks: list[tuple[int, pl.DataFrame | tuple[str, ...]]] = [(p, tuple(pieces[p])) for p in sorted(pieces)]
    lines = sum(pl.scan_parquet(path).select(pl.len()).collect().item() for path in valid)
    if not tasks:
        empty = assign_parties(pl.read_parquet(valid[0]).head(0), resolution)[0] if valid else pl.DataFrame()
        tasks = [(0, empty)]
    parts = executor.map(_chains_part, tasks, (parties.select("party_id", "name"), settings), label="chains")
    directions = frozenset().union(*(part.directions for part in parts))
    warn_missing_side(directions, lines, settings, stacklevel=5)
    chain_frame, link_frame, unexplained = executor.reduce(lambda found: assemble(found, settings), parts)
    return ChainResult(
        chains=chain_frame,
        links=link_frame,
        unexplained=unexplained,
        parties=parties,
        shipments=_Deferred(valid, resolution, scratch),
        rejected=rejected,
    )


@dataclass(frozen=True)
class _Deferred:
    """The resolved shipments of an out-of-core run, read from the scratch folder when first asked for."""

    files: list[str]
    resolution: Resolution
    scratch: Scratch  # held, so that the files live as long as the result

    def __call__(self) -> pl.DataFrame:
        return pl.concat([assign_parties(pl.read_parquet(path), self.resolution)[0] for path in self.files])
