"""Mirror and hubs, partitioned: by ranges of HS chapters, with the few global figures reduced first.

What is closed under which key:

- **Pairing** (mirror) pairs reports of one flow key ``(freq, exporter, importer, hs_code)``, and
  the **legs, production prior and matched imports** (hubs) are per good: both are closed under
  any grouping of (harmonised) HS codes.
- **CIF/FOB margins** are medians per (route, product group) and per product group: closed under
  the product group (the first ``product_digits`` digits), so partitions are ranges of HS chapters
  (``product_digits`` of 2 or more) and a chapter is never split.
- **Global figures**, reduced over all partitions first and shared: which countries reported in
  which year (the ``ghost_*`` / ``*_silent`` status), each reporter's reliability (a median over all
  its baseline pairs, every good), a hub's number of baseline years (its production prior is a mean
  per year), and which countries appear at all (the missing-hub warning).
- **Periods are not a partition key**: monthly pairing looks up to ``max_lag_months`` ahead, hubs
  match imports over ``window_months`` before, and both use a pre-war baseline across periods.

Each partition's rows are harmonised to one HS version before they are cut (a concordance may move a
code to another chapter). A frame is cut in this process; a partitioned dataset is read chunk by
chunk on the executor, each chunk's rows written to a scratch folder by chapter, so no process holds
more than a chunk or a partition. Results are put in the whole-table order: identical to it.

Examples:
    >>> import datetime as dt, polars as pl
    >>> from dualuse.flows import mirror
    >>> y = dt.date(2021, 1, 1)
    >>> flows = pl.DataFrame({"period": [y] * 4, "freq": ["A"] * 4, "reporter": ["CN", "KZ", "CN", "KZ"],
    ...     "partner": ["KZ", "CN", "KZ", "CN"], "flow": ["export", "import"] * 2,
    ...     "hs_code": ["854231", "854231", "880622", "880622"], "value_usd": [100.0, 110.0, 50.0, 52.0],
    ...     "source": ["s"] * 4, "source_row": [0, 1, 2, 3]})
    >>> mirror(flows).equals(mirror(flows, partitions=2))
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dualuse.execution import Chunk, Engine, Executor, as_dataset, get_executor
from dualuse.execution.plan import Scratch, contiguous_ranges, partition_count
from dualuse.flows._prepare import harmonise, read_flows
from dualuse.flows.hubs import HubSettings, in_hubs_order, keep_listed, triangulate, warn_missing_hubs
from dualuse.flows.mirror import (
    _decode_evidence,
    _pair,
    apply_margins,
    estimate_margins,
    estimate_reliability,
    reconcile,
    status_of,
)
from dualuse.hs import HSVersion

__all__ = ["Prepared", "hubs_partitioned", "mirror_partitioned", "prepared_partitions"]

RowFilter = Callable[[pl.DataFrame], pl.DataFrame]


@dataclass(frozen=True)
class _Part:
    """One partition's harmonised flows: rows in memory, or pieces on the scratch folder."""

    frame: pl.DataFrame | None = None
    files: tuple[str, ...] = ()

    def rows(self) -> pl.DataFrame:
        if self.frame is not None:
            return self.frame
        return pl.read_parquet(list(self.files))


@dataclass(frozen=True)
class Prepared:
    """Harmonised flows cut into partitions, and the global figures every partition needs.

    ``reporter_years``: ``(reporter, year)`` of every row (after ``keep``); ``countries``: every
    reporter and partner (before ``keep``). ``scratch`` holds the pieces of a dataset's rows.
    """

    parts: list[_Part]
    reporter_years: pl.DataFrame
    countries: frozenset[str]
    scratch: Scratch | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _ChunkJob:
    what: str
    hs_version: str
    digits: int
    keep: RowFilter | None
    scratch: Scratch | None
    years_from: dt.date | None = None  # reporter-years are counted over [years_from, years_to)
    years_to: dt.date | None = None


def _chapter(digits: int) -> pl.Expr:
    return pl.col("hs_code").str.slice(0, digits).alias("__key")


def _prepare(frame: object, job: _ChunkJob) -> tuple[pl.DataFrame, pl.DataFrame, frozenset[str]]:
    """Harmonised rows with their partition key, the reporter-years and the countries seen."""
    rows = harmonise(read_flows(frame, what=job.what), job.hs_version)
    countries = frozenset(rows.get_column("reporter").unique().to_list()) | frozenset(
        rows.get_column("partner").unique().to_list()
    )
    if job.keep is not None:
        rows = job.keep(rows)
    inside = pl.lit(True)
    if job.years_from is not None:
        inside = inside & (pl.col("period") >= job.years_from)
    if job.years_to is not None:
        inside = inside & (pl.col("period") < job.years_to)
    years = rows.filter(inside).select("reporter", pl.col("period").dt.year().alias("year")).unique()
    return rows.with_columns(_chapter(job.digits)), years, countries


def _chunk_pieces(
    chunk: tuple[int, Chunk], job: _ChunkJob
) -> tuple[dict[str, tuple[int, str]], pl.DataFrame, frozenset[str]]:
    """Prepare one chunk of a dataset and write its rows to the scratch folder, one file per key."""
    number, source = chunk
    rows, years, countries = _prepare(source.scan(), job)
    assert job.scratch is not None
    pieces = {}
    for (key,), piece in rows.partition_by("__key", as_dict=True, maintain_order=True).items():
        path = job.scratch.write(piece.drop("__key"), "flows", f"key={key}", f"chunk-{number:06d}.parquet")
        pieces[str(key)] = (piece.height, path)
    return pieces, years, countries


def prepared_partitions(
    flows: object,
    *,
    what: str,
    hs_version: HSVersion | str,
    digits: int,
    partitions: int | None,
    executor: Executor,
    keep: RowFilter | None = None,
    years_from: dt.date | None = None,
    years_to: dt.date | None = None,
) -> Prepared:
    """``flows`` read, harmonised and cut into ranges of ``hs_code[:digits]`` of about equal rows.

    ``keep`` filters the rows (after the countries are noted); reporter-years are those of the
    rows in ``[years_from, years_to)``.
    """
    version = str(HSVersion.parse(hs_version))
    dataset = as_dataset(flows)
    if dataset is None:
        rows, years, countries = _prepare(flows, _ChunkJob(what, version, digits, keep, None, years_from, years_to))
        counts = rows.group_by(pl.col("__key").alias("key")).agg(pl.len().alias("rows"))
        ranges = contiguous_ranges(counts, partition_count(rows.height, partitions))
        numbered = rows.join(ranges.rename({"key": "__key", "partition": "__part"}), on="__key", maintain_order="left")
        frames = numbered.drop("__key").partition_by("__part", include_key=False, maintain_order=True)
        return Prepared([_Part(frame=f) for f in frames] or [_Part(frame=rows.drop("__key"))], years, countries)
    scratch = Scratch()
    total = dataset.rows()
    chunks = dataset.chunks(rows=max(1, -(-total // partition_count(total, partitions))))
    job = _ChunkJob(what, version, digits, keep, scratch, years_from, years_to)
    found = executor.map(_chunk_pieces, list(enumerate(chunks)), job, label=f"{what}: reading chunks")
    files: dict[str, list[str]] = {}
    sizes: dict[str, int] = {}
    for pieces, _, _ in found:
        for key, (height, path) in pieces.items():
            files.setdefault(key, []).append(path)
            sizes[key] = sizes.get(key, 0) + height
    years = pl.concat([f[1] for f in found]).unique() if found else pl.DataFrame()
    countries = frozenset().union(*(f[2] for f in found))
    counts = pl.DataFrame(
        {"key": list(sizes), "rows": list(sizes.values())}, schema={"key": pl.String, "rows": pl.Int64}
    )
    ranges = contiguous_ranges(counts, partition_count(total, partitions))
    by_part: dict[int, list[str]] = {}
    for key, number in ranges.iter_rows():
        by_part.setdefault(number, []).extend(files[key])
    parts = [_Part(files=tuple(by_part[number])) for number in sorted(by_part)]
    if not parts:  # no row at all: one empty partition, read as the whole-table run reads it
        parts = [_Part(frame=_prepare(dataset.scan(), job)[0].drop("__key"))]
    return Prepared(parts, years, countries, scratch)


# ---------------------------------------------------------------- mirror


@dataclass(frozen=True)
class _MirrorJob:
    options: Mapping[str, Any]
    reporter_years: pl.DataFrame


def mirror_partitioned(
    flows: object, options: Mapping[str, Any], *, engine: Engine, partitions: int | None
) -> pl.DataFrame:
    """:func:`~dualuse.flows.mirror` run partitioned (see the module documentation).

    ``options`` are mirror's keyword arguments.
    """
    executor = get_executor(engine)
    digits = min(2, int(options["product_digits"]))
    prepared = prepared_partitions(
        flows, what="mirror", hs_version=options["hs_version"], digits=digits, partitions=partitions, executor=executor
    )
    job = _MirrorJob(options, prepared.reporter_years)
    adjusted = executor.map(_mirror_part, prepared.parts, job, label="mirror")
    return executor.reduce(lambda frames: _reconcile_all(frames, options), adjusted)


def _mirror_part(part: _Part, job: _MirrorJob) -> pl.DataFrame:
    """Pairs of one partition, margins removed, evidence decoded, status from the global reporter-years."""
    options = job.options
    pairs, codes = _pair(
        part.rows(),
        what="mirror",
        max_lag_months=options["max_lag_months"],
        hs_version=options["hs_version"],
        product_digits=options["product_digits"],
    )
    pairs = _global_status(pairs, job.reporter_years)
    margins = options["margins"]
    if margins is None:
        margins = estimate_margins(
            pairs,
            baseline_start=options["baseline_start"],
            baseline_end=options["baseline_end"],
            min_pairs=options["min_pairs"],
            default=options["default_margin"],
            max_margin=options["max_margin"],
        )
    return _decode_evidence(apply_margins(pairs, margins), codes)


def _global_status(pairs: pl.DataFrame, reporter_years: pl.DataFrame) -> pl.DataFrame:
    """Re-derive an unpaired report's status from who reported in its year over *all* goods.

    A partition only sees its own goods, so whether the other country "reported that year"
    (``ghost_*``) or not (``*_silent``) is looked up in the global reporter-years instead.
    """
    active = reporter_years.select(
        pl.col("reporter").cast(pl.String), pl.col("year").cast(pl.Int32), pl.lit(True).alias("__a")
    )
    year = pl.col("period").dt.year().cast(pl.Int32)
    keyed = pairs.with_columns(year.alias("__year"))
    for side in ("exporter", "importer"):
        keyed = keyed.join(
            active.rename({"reporter": side, "year": "__year", "__a": f"__{side}_active"}),
            on=[side, "__year"],
            how="left",
            maintain_order="left",
        )
    status = status_of(pl.col("__exporter_active").fill_null(False), pl.col("__importer_active").fill_null(False))
    return keyed.with_columns(status.alias("status")).select(pairs.columns)


def _reconcile_all(frames: list[pl.DataFrame], options: Mapping[str, Any]) -> pl.DataFrame:
    """Reliability over all partitions' pairs (unless given), then reconcile, in the whole-table order."""
    adjusted = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
    frames.clear()
    reliability = options["reliability"]
    if reliability is None:
        reliability = estimate_reliability(
            adjusted,
            baseline_start=options["baseline_start"],
            baseline_end=options["baseline_end"],
            min_pairs=options["min_pairs"],
        )
    reconciled = reconcile(
        adjusted,
        reliability,
        default_reliability=options["default_reliability"],
        weight_tolerance=options["weight_tolerance"],
    )
    # the whole-table order: period, then the flow key (exporter, importer, code, annual before monthly)
    return reconciled.sort("period", "exporter", "importer", "hs_code", "freq", maintain_order=True)


# ---------------------------------------------------------------- hubs


@dataclass(frozen=True)
class _Listed:
    """Keep the rows of listed goods (a picklable callable, so that a cluster's workers can run it)."""

    settings: HubSettings

    def __call__(self, frame: pl.DataFrame) -> pl.DataFrame:
        return keep_listed(frame, self.settings)


@dataclass(frozen=True)
class _HubsJob:
    settings: HubSettings
    years: Mapping[str, int]


def hubs_partitioned(flows: object, settings: HubSettings, *, engine: Engine, partitions: int | None) -> pl.DataFrame:
    """:func:`~dualuse.flows.hubs` run partitioned (see the module documentation)."""
    executor = get_executor(engine)
    prepared = prepared_partitions(
        flows,
        what="hubs",
        hs_version=settings.hs_version,
        digits=2,
        partitions=partitions,
        executor=executor,
        keep=_Listed(settings),
        years_from=settings.baseline_start,
        years_to=settings.baseline_end,
    )
    warn_missing_hubs(prepared.countries, settings.hubs, settings.origin, settings.target, stacklevel=5)
    counted = prepared.reporter_years.group_by("reporter").agg(pl.col("year").n_unique().alias("years"))
    years = dict(counted.iter_rows())
    results = executor.map(_hubs_part, prepared.parts, _HubsJob(settings, years), label="hubs")
    return executor.reduce(_hubs_combine, results)


def _hubs_part(part: _Part, job: _HubsJob) -> pl.DataFrame:
    # Sorted by evidence, as the whole-table run sorts: sums then add in the same order (floats).
    frame = part.rows().with_columns(pl.col("value_usd").cast(pl.Float64)).sort("source", "source_row")
    return triangulate(frame, job.settings, job.years)


def _hubs_combine(results: list[pl.DataFrame]) -> pl.DataFrame:
    return in_hubs_order(pl.concat(results, how="vertical_relaxed"))
