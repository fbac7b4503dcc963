"""The workspace: fetched tables kept as Parquet, each with a manifest and its rejected rows.

Layout of a workspace folder::

    tables/<name>/data.parquet      accepted rows, canonical schema
    tables/<name>/rejected.parquet  rejected rows with their reasons (dualuse.rejects layout)
    tables/<name>/manifest.json     connector, settings without secrets, fetched_at, rows, hash, ...
    cache/<connector>/              the connectors' own caches

A table is written into a temporary folder and moved into place with one rename, with its
manifest written last: a fetch that fails midway leaves no table behind, and a folder without a
manifest is never listed. Fetching the same query again reuses the stored table unless
``refresh=True``.

A file connector (CSV, Parquet, Excel) maps and validates the whole file in one lazy query that
polars' streaming engine sinks straight into both Parquet files (:meth:`FileConnector.write
<dualuse.connectors.builtin.FileConnector.write>`): multi-threaded, memory bounded, each row
validated once. Every batch any other connector yields is validated here with
:func:`dualuse.schema.validate`. In the rejected rows, ``row`` is the 0-based record index for
the file connectors and the 0-based position among the rows yielded for other connectors;
``source_row`` is always kept, so a rejected row can be found in its input either way.

Examples:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "flows.csv").write_text("t,i,j,k,v,q\\n2023,156,398,854231,1200.5,3.2\\n", encoding="utf-8")
    >>> workspace = Workspace(folder / "ws")
    >>> table = workspace.fetch("csv", {"path": str(folder / "flows.csv"), "preset": "baci"})
    >>> table.manifest.rows_accepted, table.read()["value_usd"].to_list()
    (1, [1200500.0])
    >>> workspace.fetch("csv", {"path": str(folder / "flows.csv"), "preset": "baci"}).name == table.name
    True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from dualuse._version import __version__
from dualuse.connectors.base import FetchContext
from dualuse.connectors.builtin.files import FileConnector
from dualuse.connectors.manager import get_connector
from dualuse.errors import ConfigError, ConnectorError, DualuseError, InputError
from dualuse.rejects import empty_rejects
from dualuse.schema import validate

__all__ = ["Manifest", "Progress", "StoredTable", "Workspace", "default_workspace", "read_table"]

Progress = Callable[[int, int | None, str], None]
"""A progress callback: ``(advance, total or None, description)``."""

_DATA, _REJECTED, _MANIFEST = "data.parquet", "rejected.parquet", "manifest.json"


def default_workspace() -> Path:
    """``$DUALUSE_WORKSPACE`` if set, else the platform's user data folder for dualuse.

    Examples:
        >>> import os; os.environ["DUALUSE_WORKSPACE"] = "/tmp/ws"; default_workspace()
        PosixPath('/tmp/ws')
    """
    configured = os.environ.get("DUALUSE_WORKSPACE")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("dualuse", appauthor=False)) / "workspace"


class Manifest(BaseModel):
    """What a stored table is and where it came from (``manifest.json``)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str
    table: str
    connector: str
    connector_distribution: str
    config: dict[str, Any]
    query_key: str
    fetched_at: dt.datetime
    rows_accepted: int
    rows_rejected: int
    content_hash: str
    library_version: str
    schema_: dict[str, str]

    def to_json(self) -> str:
        """The manifest as indented JSON (``schema_`` is written as ``schema``)."""
        data = self.model_dump(mode="json")
        data["schema"] = data.pop("schema_")
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest written by :meth:`to_json`."""
        data = json.loads(text)
        data["schema_"] = data.pop("schema")
        return cls.model_validate(data)


@dataclass(frozen=True)
class StoredTable:
    """One complete table in a workspace."""

    path: Path
    manifest: Manifest

    @property
    def name(self) -> str:
        """The table's name in the workspace."""
        return self.manifest.name

    def scan(self) -> pl.LazyFrame:
        """The accepted rows, lazily."""
        return pl.scan_parquet(self.path / _DATA)

    def read(self) -> pl.DataFrame:
        """The accepted rows."""
        return pl.read_parquet(self.path / _DATA)

    def rejected(self) -> pl.DataFrame:
        """The rejected rows with their reasons."""
        return pl.read_parquet(self.path / _REJECTED)


def _query_key(connector: str, query: Mapping[str, Any]) -> str:
    text = json.dumps({"connector": connector, "query": query}, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def _arrow_schema(frame: pl.DataFrame) -> pa.Schema:
    """The Arrow schema a batch is written with: all-null columns become text."""
    fixed = frame.with_columns([pl.col(n).cast(pl.String) for n, d in frame.schema.items() if d == pl.Null])
    return fixed.to_arrow().schema


class _TableWriter:
    """Appends batches to one Parquet file; later batches are cast to the first batch's schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._schema: pl.Schema | None = None

    def write(self, frame: pl.DataFrame) -> None:
        if self._writer is None:
            frame = frame.with_columns([pl.col(n).cast(pl.String) for n, d in frame.schema.items() if d == pl.Null])
            self._schema = frame.schema
            self._writer = pq.ParquetWriter(self.path, _arrow_schema(frame), compression="lz4")
        elif frame.schema != self._schema:
            assert self._schema is not None
            frame = frame.select(
                [pl.col(n).cast(d) if n in frame.columns else pl.lit(None, d).alias(n) for n, d in self._schema.items()]
            )
        if frame.height:
            self._writer.write_table(frame.to_arrow())
        self.rows += frame.height

    def close(self, empty_schema: pl.Schema) -> pl.Schema:
        if self._writer is None:
            pl.DataFrame(schema=empty_schema).write_parquet(self.path)
            return empty_schema
        self._writer.close()
        assert self._schema is not None
        return self._schema


class Workspace:
    """A folder of fetched tables (default: :func:`default_workspace`)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_workspace()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    @property
    def tables_dir(self) -> Path:
        """Where the tables live."""
        return self.path / "tables"

    def tables(self) -> list[StoredTable]:
        """Every complete table (a folder with a manifest), by name."""
        if not self.tables_dir.is_dir():
            return []
        found = []
        for folder in sorted(self.tables_dir.iterdir()):
            if folder.name.startswith(".") or not (folder / _MANIFEST).is_file():
                continue
            found.append(StoredTable(folder, Manifest.from_json((folder / _MANIFEST).read_text(encoding="utf-8"))))
        return found

    def table(self, name: str) -> StoredTable:
        """The table called ``name``; :class:`ConfigError` listing the stored names."""
        folder = self.tables_dir / name
        if name.startswith(".") or "/" in name or not (folder / _MANIFEST).is_file():
            known = ", ".join(t.name for t in self.tables()) or "none"
            raise ConfigError(f"no table {name!r} in workspace {self.path}; stored tables: {known}")
        return StoredTable(folder, Manifest.from_json((folder / _MANIFEST).read_text(encoding="utf-8")))

    def fetch(
        self,
        connector_name: str,
        settings: Mapping[str, Any],
        *,
        refresh: bool = False,
        progress: Progress | None = None,
        name: str | None = None,
    ) -> StoredTable:
        """Fetch with a connector and store the result, or reuse the stored table of the same query."""
        from dualuse.connectors.manager import plugin_report

        cls = get_connector(connector_name)
        connector = cls.from_settings(settings)
        key = _query_key(connector_name, connector.query())
        name = name or f"{connector_name}-{key[:12]}"
        if "/" in name or name.startswith("."):
            raise ConfigError(f"table name {name!r}: must not contain '/' or start with '.'")
        final = self.tables_dir / name
        if not refresh and (final / _MANIFEST).is_file():
            stored = self.table(name)
            if stored.manifest.query_key == key:
                return stored
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        staging = self.tables_dir / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            rejected: list[pl.DataFrame] = []
            context = FetchContext(
                self.path / "cache" / connector_name,
                refresh=refresh,
                on_progress=progress,
                on_reject=rejected.append,
            )
            table = connector.output_table()
            if isinstance(connector, FileConnector):
                # a file connector maps and validates by itself, streaming the whole file into both files
                rows_accepted, rows_rejected = connector.write(context, staging / _DATA, staging / _REJECTED)
                schema = pl.read_parquet_schema(staging / _DATA)
            else:
                rows_accepted, rows_rejected, schema = _write_batches(
                    connector.fetch(context), connector_name, table, staging, rejected
                )
            distribution = next((p.distribution for p in plugin_report() if connector_name in p.connectors), "unknown")
            manifest = Manifest(
                name=name,
                table=table,
                connector=connector_name,
                connector_distribution=distribution,
                config=connector.config.public_dump(),
                query_key=key,
                fetched_at=dt.datetime.now(dt.UTC),
                rows_accepted=rows_accepted,
                rows_rejected=rows_rejected,
                content_hash=_file_hash(staging / _DATA),
                library_version=__version__,
                schema_={column: str(dtype) for column, dtype in schema.items()},
            )
            (staging / _MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
            _swap_into_place(staging, final)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return self.table(name)


def _write_batches(
    fetched: Iterable[pl.DataFrame] | pl.LazyFrame,
    connector: str,
    table: str,
    staging: Path,
    rejected: list[pl.DataFrame],
) -> tuple[int, int, pl.Schema]:
    """Validate and store what a connector yields (``rejected`` holds what it rejected itself).

    Returns (rows accepted, rows rejected, schema).
    """
    writer = _TableWriter(staging / _DATA)
    offset = 0
    for batch in _batches(fetched, connector):
        checked = validate(batch, table)
        if checked.rejected.height:
            rejected.append(checked.rejected.with_columns((pl.col("row") + offset).cast(pl.UInt32)))
        writer.write(checked.accepted)
        offset += batch.height
    schema = writer.close(pl.DataFrame(schema=_canonical(table)).schema)
    rejects = pl.concat(rejected, how="diagonal_relaxed") if rejected else empty_rejects(list(_canonical(table)))
    rejects.write_parquet(staging / _REJECTED)
    return writer.rows, rejects.height, schema


def _canonical(table: str) -> pl.Schema:
    from dualuse.schema import polars_schema

    return polars_schema(table)


def _batches(fetched: Iterable[pl.DataFrame] | pl.LazyFrame, connector: str) -> Iterable[pl.DataFrame]:
    """The connector's output as eager batches; a non-dualuse failure becomes a ConnectorError."""
    try:
        if isinstance(fetched, pl.LazyFrame):
            yield from fetched.collect_batches()
        else:
            for batch in fetched:
                if not isinstance(batch, pl.DataFrame):
                    raise ConnectorError(
                        f"connector {connector!r} yielded {type(batch).__name__}, not a polars DataFrame"
                    )
                yield batch
    except DualuseError:
        raise
    except Exception as exc:
        raise ConnectorError(f"connector {connector!r} failed: {type(exc).__name__}: {exc}") from exc


def _swap_into_place(staging: Path, final: Path) -> None:
    """Move a complete table into place; an older table of the same name is replaced, never mixed."""
    if final.exists():
        retired = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, retired)
        os.replace(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, final)


def read_table(
    spec: str | Path, *, workspace: Workspace | str | Path | None = None, table: str | None = None
) -> pl.DataFrame:
    """Read a ``.parquet``, ``.csv`` or ``.xlsx`` file, or a table of the workspace by name.

    CSV cells are read as text, so identifiers and HS codes keep their leading zeros. With
    ``table`` (a canonical table name) the frame is validated and cast; a bad row is an
    :class:`InputError` naming the file, the row (0-based, as in :mod:`dualuse.rejects`) and the column.

    Examples:
        >>> import pathlib, tempfile, polars as pl
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("hs_code,n" + chr(10) + "010121,1" + chr(10), encoding="utf-8")
        >>> read_table(path).row(0)
        ('010121', '1')
    """
    path = Path(spec)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".csv", ".xlsx"):
        if not path.is_file():
            raise InputError("no such file", file=str(path))
        try:
            if suffix == ".parquet":
                frame = pl.read_parquet(path, glob=False)
            elif suffix == ".csv":
                frame = pl.read_csv(path, infer_schema=False, glob=False)
            else:
                frame = pl.read_excel(path, engine="calamine")
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"cannot read: {exc}", file=str(path)) from None
    else:
        ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        frame = ws.table(str(spec)).read()
    if table is None:
        return frame
    result = validate(frame, table)
    if not result.ok:
        first = result.rejected.row(0, named=True)
        more = f" ({result.rejected.height} bad rows)" if result.rejected.height > 1 else ""
        raise InputError(f"{first['reason']}{more}", file=str(spec), row=first["row"], column=first["column"])
    return result.accepted
