"""What the file connectors share: settings, the mapping step, and quarantine of bad cells.

:meth:`FileConnector.plan` turns a file into two lazy queries (accepted rows, rejected rows) that
map the cells, validate the rows once with :func:`dualuse.schema.validate`, and run in polars'
streaming engine; the store sinks both straight to Parquet (:meth:`FileConnector.write`).
:meth:`FileConnector.fetch` runs the same queries batch by batch, for callers that want frames.

``source`` is the file name (or the ``source`` setting) and ``source_row`` is the row number a
person sees when opening the file: in CSV and Excel the header is row 1, so the first record is
row 2; in Parquet (no header) the first record is row 1. Rejected rows carry ``row`` = 0-based
record index and every input cell as text.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, TypeVar

import polars as pl
from pydantic import Field, field_validator

from dualuse.connectors.base import Connector, ConnectorConfig, FetchContext, TableName
from dualuse.connectors.mapping import CompiledMapping, MappingPreset, compile_mapping, get_preset, identity_preset
from dualuse.errors import InputError
from dualuse.rejects import REJECT_COLUMNS, Check, any_failed, first_failure
from dualuse.schema import conformed, polars_schema, row_checks

__all__ = ["LINE", "FileConfig", "FileConnector", "Plan"]

LINE = "__line"
"""The working column that holds ``source_row`` while a file is read."""


class FileConfig(ConnectorConfig):
    """Settings every file connector takes."""

    path: Path
    preset: str | None = None
    table: TableName = "shipments"
    source: str | None = None
    usd_rate: float | None = Field(default=None, gt=0)
    batch_rows: int = Field(default=100_000, ge=1)  # bounds memory; larger batches are not faster

    @field_validator("path")
    @classmethod
    def _exists(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"no such file: {path}")
        return path

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, preset: str | None) -> str | None:
        if preset is not None:
            get_preset(preset)  # ConfigError, listing the known presets
        return preset


ConfigT = TypeVar("ConfigT", bound=FileConfig)


class FileConnector(Connector[ConfigT], abc.ABC):
    """A connector that reads one file through a mapping preset (or canonical column names)."""

    table: ClassVar[TableName] = "shipments"
    """The table without a preset (the ``table`` setting's default)."""
    tables: ClassVar[tuple[TableName, ...]] = ("shipments", "flows", "parties")
    """The canonical tables this connector may produce: all three here, since the preset decides; a
    subclass bound to one layout (a preset of its own) names its one table."""
    first_row: ClassVar[int] = 2
    """``source_row`` of the first record: 2 when the file has a header row (row 1)."""

    @cached_property
    def preset(self) -> MappingPreset | None:
        """The mapping preset, or None when the file has canonical column names."""
        return get_preset(self.config.preset) if self.config.preset else None

    def output_table(self) -> TableName:
        """The preset's table (or the ``table`` setting when there is no preset)."""
        return self.preset.table if self.preset is not None else self.config.table

    def query(self) -> dict[str, Any]:
        """Settings plus the file's size and modification time, so an edited file is fetched again."""
        stat = self.config.path.stat()
        return {**super().query(), "file_size": stat.st_size, "file_mtime_ns": stat.st_mtime_ns}

    @property
    def source_name(self) -> str:
        """The ``source`` value written on every row."""
        return self.config.source or self.config.path.name

    @abc.abstractmethod
    def scan(self, context: FetchContext) -> pl.LazyFrame:
        """The raw file as a LazyFrame with a ``__line`` column holding ``source_row``."""

    def plan(self, context: FetchContext) -> Plan:
        """The whole file as two lazy queries, accepted and rejected rows, for the streaming engine.

        This is what the store runs: one scan, mapped and validated by expressions, written by
        streaming sinks, so no Python loop touches the rows and memory stays bounded.
        """
        raw = self.scan(context)
        return self._plan(raw, self._compile(raw.collect_schema()))

    def write(self, context: FetchContext, accepted: Path, rejected: Path) -> tuple[int, int]:
        """Run :meth:`plan` with the streaming engine into two Parquet files; (rows accepted, rows rejected).

        One scan feeds both sinks (``collect_all`` shares the common part of the two queries).
        """
        plan = self.plan(context)
        try:
            pl.collect_all(
                [
                    plan.accepted.sink_parquet(accepted, compression="lz4", lazy=True),
                    plan.rejected.sink_parquet(rejected, compression="lz4", lazy=True),
                ],
                engine="streaming",
            )
        except pl.exceptions.PolarsError as exc:
            raise self.read_error(exc) from None
        counts = [pl.scan_parquet(p).select(pl.len()).collect().item() for p in (accepted, rejected)]
        context.progress(counts[0] + counts[1], counts[0] + counts[1], self.source_name)
        return counts[0], counts[1]

    def read_error(self, error: Exception, near_row: int | None = None) -> InputError:
        """What a polars failure while reading the file means, as an InputError naming the file."""
        where = f" near row {near_row}" if near_row is not None else ""
        return InputError(f"cannot read{where}: {str(error).splitlines()[0]}", file=str(self.config.path))

    def fetch(self, context: FetchContext) -> Iterator[pl.DataFrame]:
        """Read the file in batches of about ``batch_rows``; quarantine bad rows; yield canonical frames.

        Each batch goes through the same queries as :meth:`plan`, so both give the same rows.
        """
        raw = self.scan(context)
        compiled = self._compile(raw.collect_schema())
        for batch in self._batches(raw):
            accepted, rejected = pl.collect_all(list(self._plan(batch.lazy(), compiled)))
            if rejected.height:
                context.reject(rejected)
            yield accepted
            context.progress(batch.height, None, self.source_name)

    def _compile(self, schema: pl.Schema) -> _Compiled:
        columns = [c for c in schema if c != LINE]
        preset = self.preset or identity_preset(self.output_table(), columns)
        mapping = compile_mapping(preset, schema, file=str(self.config.path), usd_rate=self.config.usd_rate)
        canonical = polars_schema(self.output_table())
        provided = [
            pl.format("{}:{}", pl.lit(self.source_name), pl.col(LINE)).alias(column)
            for column in ("shipment_id", "party_id")
            if column in canonical and column not in mapping.targets
        ]
        return _Compiled(mapping, tuple(provided))

    def _batches(self, raw: pl.LazyFrame) -> Iterator[pl.DataFrame]:
        yield from raw.collect_batches(chunk_size=self.config.batch_rows)

    def record_checks(self) -> list[Check]:
        """Checks on whole records that come before the cells' (the CSV connector's ragged records)."""
        return []

    def _plan(self, raw: pl.LazyFrame, compiled: _Compiled) -> Plan:
        """Map and validate as lazy expressions over one frame, then split it by one cheap mask.

        The mapping's checks (an unreadable cell) come first, then the canonical table's
        (:func:`dualuse.schema.row_checks`, run on the mapped columns in place), so a row is
        reported with the first thing wrong with it. Reasons are built on rejected rows only, and
        the streaming engine computes the mapping once for the two outputs.
        """
        inputs = [c for c in raw.collect_schema().names() if c != LINE]
        mapping = compiled.mapping
        work = mapping.prepare(raw).with_columns(
            *[expr.alias(f"__v:{expr.meta.output_name()}") for expr in compiled.provided],
            pl.lit(self.source_name).alias("__v:source"),
            pl.col(LINE).cast(pl.Int64).alias("__v:source_row"),
        )
        schema = work.collect_schema()
        table = self.output_table()
        checks = [*self.record_checks(), *mapping.checks, *row_checks(table, schema, ref=_mapped)]
        work = work.with_columns(any_failed(checks).alias("__bad")).cache()  # one scan feeds both outputs
        canonical = polars_schema(table)
        extras = [_mapped(t).alias(t) for t in mapping.targets if t not in canonical]
        accepted = work.filter(~pl.col("__bad")).select(*conformed(table, schema, ref=_mapped), *extras)
        why = first_failure(checks).struct
        rejected = work.filter(pl.col("__bad")).select(
            (pl.col(LINE).cast(pl.Int64) - self.first_row).cast(pl.UInt32).alias("row"),
            why.field("column"),
            why.field("value"),
            why.field("reason"),
            pl.col(LINE).cast(pl.String).alias("source_row"),
            *[pl.col(c).cast(pl.String) for c in inputs if c not in _FIXED],
        )
        return Plan(accepted, rejected)


def _mapped(name: str) -> pl.Expr:
    """Where the mapping (and the connector) put canonical column ``name`` while a file is read."""
    return pl.col(f"__v:{name}")


_FIXED = frozenset({*REJECT_COLUMNS, "source_row"})
"""Columns of a rejected row that an input column of the same name must not overwrite."""


@dataclass(frozen=True)
class _Compiled:
    mapping: CompiledMapping
    provided: tuple[pl.Expr, ...]  # shipment_id / party_id made from source and line when not mapped


class Plan(NamedTuple):
    """A file connector's output as two lazy queries over one scan: accepted and rejected rows."""

    accepted: pl.LazyFrame
    rejected: pl.LazyFrame
