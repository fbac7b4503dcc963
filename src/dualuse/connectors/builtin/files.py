"""What the file connectors share: settings, the mapping step, and quarantine of bad cells.

``source`` is the file name (or the ``source`` setting) and ``source_row`` is the row number a
person sees when opening the file: in CSV and Excel the header is row 1, so the first record is
row 2; in Parquet (no header) the first record is row 1. Rejected rows carry ``row`` = 0-based
record index and every input cell as text.
"""

from __future__ import annotations

import abc
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, TypeVar

import polars as pl
from pydantic import Field, field_validator

from dualuse.connectors.base import Connector, ConnectorConfig, FetchContext, TableName
from dualuse.connectors.mapping import CompiledMapping, MappingPreset, compile_mapping, get_preset, identity_preset
from dualuse.rejects import make_rejects
from dualuse.schema import polars_schema, validate

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
    tables: ClassVar[tuple[TableName, ...]] = ("shipments", "flows", "parties")  # the preset decides
    first_row: ClassVar[int] = 2  # source_row of the first record

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

    def fetch(self, context: FetchContext) -> Iterator[pl.DataFrame]:
        """Read the file in batches; quarantine unreadable cells; yield canonical frames."""
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

    def _plan(self, raw: pl.LazyFrame, compiled: _Compiled) -> Plan:
        """Map, then validate once with :func:`dualuse.schema.validate`, all as lazy expressions."""
        good, bad = compiled.mapping.split_lazy(raw, keep=[LINE])
        unreadable = make_rejects(
            bad.with_columns(pl.col(LINE).alias("source_row")),  # type: ignore[arg-type]  # lazy-safe
            row=pl.col(LINE) - self.first_row,
            column=pl.col("__why").struct.field("column"),
            value=pl.col("__why").struct.field("value"),
            reason=pl.col("__why").struct.field("reason"),
        )
        mapped = good.with_columns(
            *compiled.provided, pl.lit(self.source_name).alias("source"), pl.col(LINE).cast(pl.Int64).alias("source_row")
        ).drop(LINE)
        with warnings.catch_warnings():
            # validate() asks a LazyFrame for .columns/.schema: it resolves the schema once, no data is read
            warnings.simplefilter("ignore", pl.exceptions.PerformanceWarning)
            checked = validate(mapped, self.output_table())  # type: ignore[arg-type]  # lazy-safe
        invalid = checked.rejected.with_columns(
            (pl.col("source_row").cast(pl.Int64) - self.first_row).cast(pl.UInt32).alias("row")
        )
        rejected: pl.LazyFrame = pl.concat([unreadable.lazy(), invalid.lazy()], how="diagonal_relaxed")
        return Plan(checked.accepted.lazy(), rejected)


@dataclass(frozen=True)
class _Compiled:
    mapping: CompiledMapping
    provided: tuple[pl.Expr, ...]  # shipment_id / party_id made from source and line when not mapped


class Plan(NamedTuple):
    """A file connector's output as two lazy queries over one scan: accepted and rejected rows."""

    accepted: pl.LazyFrame
    rejected: pl.LazyFrame
