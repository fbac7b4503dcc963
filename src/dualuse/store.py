"""The workspace: fetched tables kept as Parquet, each with a manifest and its rejected rows.

Layout of a workspace folder::

    tables/<name>/data.parquet      accepted rows, canonical schema
    tables/<name>/rejected.parquet  rejected rows with their reasons (dualuse.rejects layout)
    tables/<name>/manifest.json     connector, settings without secrets, fetched_at, rows, hash, ...
    cache/<connector>/              the connectors' own caches

A table is written into a staging folder (``tables/.tmp-<name>-*``) with its manifest last, and
moved into place by renames: a fetch that fails midway leaves no table behind, and a folder
without a manifest is never listed. Fetching the same query again reuses the stored table unless
``refresh=True``. The workspace is a small transactional store, in the spirit of SQLite's
journal and Delta Lake's atomic commits:

* **One writer per table.** A writer holds the table's lock (``.locks/<name>.lock``, a
  :mod:`filelock` lock the system releases when the process dies) from the reuse check to the
  swap; a second writer waits up to ``lock_timeout`` seconds and then fails with
  :class:`~dualuse.errors.StoreError` naming the table, or, if the first stored the same query,
  finds it stored and reuses it.
* **A journalled swap.** Replacing a table takes two renames (old table aside, new one in); a
  journal (``.locks/<name>.swap.json``) is written before the first and removed after
  the second, so a process killed in between leaves a record of what it was doing.
* **Recovery on open.** Opening a workspace finishes a swap whose writer died (the new table is
  complete: it goes in) or rolls it back (the old table returns), and sweeps staging and retired
  folders that no live writer owns. A reader that finds a table missing while a swap is under
  way waits for it, so readers never see a replaced table disappear.
* **Verification.** :meth:`Workspace.check` (``dualuse store check``) verifies every manifest
  against its files: hash, row counts, schema, and left-over staging.

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

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    import pandas as pd

from dualuse._version import __version__
from dualuse.connectors.base import FetchContext
from dualuse.connectors.builtin.files import FileConnector
from dualuse.connectors.manager import get_connector
from dualuse.display import HTML_ROWS, html_card, short_repr
from dualuse.errors import ConfigError, ConnectorError, DualuseError, InputError, StoreError
from dualuse.rejects import empty_rejects
from dualuse.schema import validate

__all__ = ["Manifest", "Progress", "StoredTable", "TableCheck", "Workspace", "default_workspace", "read_table"]

Progress = Callable[[int, int | None, str], None]
"""A progress callback: ``(advance, total or None, description)``."""

_DATA, _REJECTED, _MANIFEST = "data.parquet", "rejected.parquet", "manifest.json"
_LOCKS, _STAGING, _RETIRED = ".locks", ".tmp-", ".old-"
_SWAP_POLL = 0.02


def _mark_for_tests(point: str) -> None:
    """Leave ``$DUALUSE_TEST_MARK_FILE.<point>`` when that variable is set (tests see where a process got to)."""
    marks = os.environ.get("DUALUSE_TEST_MARK_FILE")
    if marks:
        Path(f"{marks}.{point}").write_text(str(os.getpid()), encoding="utf-8")


def _pause_for_tests(point: str) -> None:
    """Stop at ``point`` when ``DUALUSE_TEST_PAUSE`` names it (crash tests kill the process here).

    Writes ``$DUALUSE_TEST_PAUSE_FILE`` to say it arrived, then waits until ``<that file>.go`` exists.
    """
    if os.environ.get("DUALUSE_TEST_PAUSE") != point:
        return
    marker = Path(os.environ["DUALUSE_TEST_PAUSE_FILE"])
    marker.write_text(str(os.getpid()), encoding="utf-8")
    go = marker.with_name(marker.name + ".go")
    while not go.exists():
        time.sleep(_SWAP_POLL)


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

    def __repr__(self) -> str:
        m = self.manifest
        return short_repr(
            "StoredTable",
            m.name,
            table=m.table,
            connector=m.connector,
            accepted=m.rows_accepted,
            rejected=m.rows_rejected,
        )

    def _repr_html_(self) -> str:
        m = self.manifest
        facts = [
            ("table", m.table),
            ("rows", f"{m.rows_accepted:,} accepted, {m.rows_rejected:,} rejected"),
            ("connector", f"{m.connector} ({m.connector_distribution})"),
            ("fetched", m.fetched_at.isoformat(timespec="seconds")),
            ("path", str(self.path)),
        ]
        return html_card(f"Stored table {m.name}", facts, {"rows": self.scan().head(HTML_ROWS).collect()})

    def to_pandas(self) -> pd.DataFrame:
        """The accepted rows as a pandas DataFrame (needs pandas installed)."""
        return self.read().to_pandas()

    def to_arrow(self) -> pa.Table:
        """The accepted rows as a pyarrow Table."""
        return pq.read_table(self.path / _DATA)

    @property
    def name(self) -> str:
        """The table's name in the workspace."""
        return self.manifest.name

    def scan(self) -> pl.LazyFrame:
        """The accepted rows, lazily (read when collected: a later version if the table was replaced)."""
        _wait_for_swap(self.path.parent, self.path.name)
        return pl.scan_parquet(self.path / _DATA, glob=False)

    def read(self) -> pl.DataFrame:
        """The accepted rows."""
        return _read_during_swap(self.path / _DATA)

    def rejected(self) -> pl.DataFrame:
        """The rejected rows with their reasons."""
        return _read_during_swap(self.path / _REJECTED)


def _locks(tables_dir: Path) -> Path:
    """Where the workspace keeps its locks and swap journals (``<workspace>/.locks``)."""
    return tables_dir.parent / _LOCKS


def _journal(tables_dir: Path, name: str) -> Path:
    return _locks(tables_dir) / f"{name}.swap.json"


def _wait_for_swap(tables_dir: Path, name: str, timeout: float = 60.0) -> None:
    """Return once no swap of ``name`` is under way (its journal gone), or after ``timeout`` seconds."""
    journal = _journal(tables_dir, name)
    waited = 0.0
    while journal.exists() and waited < timeout:
        time.sleep(_SWAP_POLL)
        waited += _SWAP_POLL


def _read_during_swap(path: Path) -> pl.DataFrame:
    """Read a table file; if a swap moved it away for an instant, wait for the swap and read again."""
    try:
        return pl.read_parquet(path, glob=False)
    except FileNotFoundError:
        _wait_for_swap(path.parent.parent, path.parent.name)
        return pl.read_parquet(path, glob=False)


@dataclass(frozen=True)
class TableCheck:
    """What :meth:`Workspace.check` found for one table (or left-over folder): ``problems`` empty when sound."""

    name: str
    rows: int | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


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
    """A folder of fetched tables (default: :func:`default_workspace`), recovered when opened.

    ``lock_timeout`` is how long a writer waits for another writer of the same table.
    """

    def __init__(self, path: str | Path | None = None, *, lock_timeout: float = 600.0) -> None:
        self.path = Path(path).expanduser() if path is not None else default_workspace()
        self.lock_timeout = lock_timeout
        self.recover()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    def _repr_html_(self) -> str:
        tables = pl.DataFrame(
            [
                {
                    "name": t.name,
                    "table": t.manifest.table,
                    "rows": t.manifest.rows_accepted,
                    "connector": t.manifest.connector,
                }
                for t in self.tables()
            ],
            schema={"name": pl.String, "table": pl.String, "rows": pl.Int64, "connector": pl.String},
        )
        return html_card(f"Workspace {self.path}", [("tables", str(tables.height))], {"tables": tables})

    @property
    def tables_dir(self) -> Path:
        """Where the tables live."""
        return self.path / "tables"

    def _lock(self, name: str) -> FileLock:
        _locks(self.tables_dir).mkdir(parents=True, exist_ok=True)
        return FileLock(_locks(self.tables_dir) / f"{name}.lock", timeout=self.lock_timeout)

    @contextlib.contextmanager
    def _writing(self, name: str) -> Iterator[None]:
        """Hold the write lock of table ``name``; StoreError naming it after ``lock_timeout`` seconds."""
        lock = self._lock(name)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            _mark_for_tests("lock-busy")
            try:
                lock.acquire()
            except Timeout:
                raise StoreError(
                    f"table {name!r} in workspace {self.path} is being written by another process; waited "
                    f"{self.lock_timeout:g} s (try again when it finishes)"
                ) from None
        try:
            yield
        finally:
            lock.release()

    def recover(self) -> list[str]:
        """Finish or roll back swaps whose writer died, and sweep staging no live writer owns; what was done.

        Called when the workspace is opened; safe to call at any time (a table being written by a
        live process is left alone).
        """
        if not _locks(self.tables_dir).is_dir() and not any(
            p.name.startswith((_STAGING, _RETIRED)) for p in self._entries()
        ):
            return []
        done: list[str] = []
        names = {p.name.removesuffix(".swap.json") for p in _locks(self.tables_dir).glob("*.swap.json")}
        names |= {_owner(p.name) for p in self._entries() if p.name.startswith((_STAGING, _RETIRED))}
        for name in sorted(names):
            lock = self._lock(name)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                continue  # a live writer: its staging and its swap are its own
            try:
                done += self._recover_table(name)
            finally:
                lock.release()
        return done

    def _entries(self) -> list[Path]:
        return list(self.tables_dir.iterdir()) if self.tables_dir.is_dir() else []

    def _recover_table(self, name: str) -> list[str]:
        """Recover table ``name`` (its lock held): finish or roll back its swap, then sweep its folders."""
        done = []
        journal = _journal(self.tables_dir, name)
        final = self.tables_dir / name
        if journal.exists():
            record = json.loads(journal.read_text(encoding="utf-8"))
            staging = self.tables_dir / record["staging"]
            retired = self.tables_dir / record["retired"] if record.get("retired") else None
            if not (final / _MANIFEST).is_file():
                if (staging / _MANIFEST).is_file():
                    os.replace(staging, final)
                    done.append(f"{name}: finished an interrupted swap (the new table is in place)")
                elif retired is not None and retired.is_dir():
                    os.replace(retired, final)
                    done.append(f"{name}: rolled back an interrupted swap (the previous table is back)")
            journal.unlink()
        for folder in self._entries():
            if folder.name.startswith((_STAGING, _RETIRED)) and _owner(folder.name) == name:
                shutil.rmtree(folder, ignore_errors=True)
                done.append(f"{name}: removed left-over {folder.name}")
        return done

    def _settle(self, name: str) -> None:
        """Wait until no swap of ``name`` is under way: a live one ends in an instant, a dead one is recovered."""
        journal = _journal(self.tables_dir, name)
        waited = 0.0
        while journal.exists() and waited <= self.lock_timeout:
            self.recover()  # a swap whose writer died is finished or rolled back; a live one is waited for
            if not journal.exists():
                return
            time.sleep(_SWAP_POLL)
            waited += _SWAP_POLL

    def tables(self) -> list[StoredTable]:
        """Every complete table (a folder with a manifest), by name; a table being replaced is waited for."""
        if not self.tables_dir.is_dir():
            return []
        for journal in _locks(self.tables_dir).glob("*.swap.json"):
            self._settle(journal.name.removesuffix(".swap.json"))
        found = []
        for folder in sorted(self.tables_dir.iterdir()):
            if folder.name.startswith(".") or not (folder / _MANIFEST).is_file():
                continue
            found.append(StoredTable(folder, Manifest.from_json((folder / _MANIFEST).read_text(encoding="utf-8"))))
        return found

    def table(self, name: str) -> StoredTable:
        """The table called ``name``; :class:`ConfigError` listing the stored names.

        A table being replaced at this instant is waited for, and one whose writer died
        mid-swap is recovered first, so a stored table never looks missing.
        """
        folder = self.tables_dir / name
        if name.startswith(".") or "/" in name:
            raise ConfigError(f"table name {name!r}: must not contain '/' or start with '.'")
        if not (folder / _MANIFEST).is_file():
            self._settle(name)
        if not (folder / _MANIFEST).is_file():
            known = ", ".join(t.name for t in self.tables()) or "none"
            raise ConfigError(f"no table {name!r} in workspace {self.path}; stored tables: {known}")
        return StoredTable(folder, Manifest.from_json((folder / _MANIFEST).read_text(encoding="utf-8")))

    def check(self) -> list[TableCheck]:
        """Verify every table against its manifest (hash, rows, schema) and report left-over folders.

        Examples:
            >>> import pathlib, tempfile
            >>> folder = pathlib.Path(tempfile.mkdtemp())
            >>> _ = (folder / "f.csv").write_text("t,i,j,k,v,q\\n2023,156,398,854231,1,2\\n", encoding="utf-8")
            >>> workspace = Workspace(folder / "ws")
            >>> stored = workspace.fetch("csv", {"path": str(folder / "f.csv"), "preset": "baci"}, name="t")
            >>> [(c.name, c.rows, c.ok) for c in workspace.check()]
            [('t', 1, True)]
            >>> with (stored.path / "data.parquet").open("ab") as handle:
            ...     _ = handle.write(b"tampered")
            >>> workspace.check()[0].problems[0][:55]
            'data.parquet does not match its manifest (content hash '
        """
        results = []
        for folder in sorted(self._entries()):
            if folder.name.startswith((_STAGING, _RETIRED)):
                results.append(TableCheck(folder.name, None, ("left-over folder of an interrupted write",)))
                continue
            if folder.is_dir() and not folder.name.startswith("."):
                results.append(_check_table(folder))
        for journal in sorted(_locks(self.tables_dir).glob("*.swap.json")):
            results.append(TableCheck(journal.name, None, ("journal of an unfinished swap",)))
        return results

    def put(
        self,
        name: str,
        frame: pl.DataFrame,
        *,
        table: str,
        connector: str,
        config: Mapping[str, Any] | None = None,
        rejected: pl.DataFrame | None = None,
    ) -> StoredTable:
        """Store ``frame`` as table ``name`` with the same guarantees as :meth:`fetch`.

        For tables that no connector fetches, such as analysis results: the table's write lock, a
        staging folder, a manifest (``table`` is its kind, ``connector`` says what made it,
        ``config`` what it was made from) and the journalled swap. An older table of that name is
        replaced whole.

        Examples:
            >>> import tempfile, polars as pl
            >>> ws = Workspace(tempfile.mkdtemp())
            >>> stored = ws.put("notes", pl.DataFrame({"a": [1, 2]}), table="notes", connector="example")
            >>> stored.manifest.rows_accepted, stored.read().height
            (2, 2)
        """
        if "/" in name or name.startswith("."):
            raise ConfigError(f"table name {name!r}: must not contain '/' or start with '.'")
        settings = dict(config or {})
        key = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        with self._writing(name):
            staging = self.tables_dir / f"{_STAGING}{name}-{uuid.uuid4().hex[:8]}"
            staging.mkdir()
            try:
                frame.write_parquet(staging / _DATA, compression="lz4")
                (rejected if rejected is not None else frame.clear()).write_parquet(staging / _REJECTED)
                manifest = Manifest(
                    name=name,
                    table=table,
                    connector=connector,
                    connector_distribution="dualuse",
                    config=settings,
                    query_key=key,
                    fetched_at=dt.datetime.now(dt.UTC),
                    rows_accepted=frame.height,
                    rows_rejected=0 if rejected is None else rejected.height,
                    content_hash=_file_hash(staging / _DATA),
                    library_version=__version__,
                    schema_={column: str(dtype) for column, dtype in frame.schema.items()},
                )
                (staging / _MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
                _swap_into_place(staging, self.tables_dir / name)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
        return self.table(name)

    def fetch(
        self,
        connector_name: str,
        settings: Mapping[str, Any],
        *,
        refresh: bool = False,
        progress: Progress | None = None,
        name: str | None = None,
    ) -> StoredTable:
        """Fetch with a connector and store the result, or reuse the stored table of the same query.

        Holds the table's write lock throughout; :class:`StoreError` when another writer holds it
        for longer than ``lock_timeout``.
        """
        from dualuse.connectors.manager import plugin_report

        cls = get_connector(connector_name)
        connector = cls.from_settings(settings)
        key = _query_key(connector_name, connector.query())
        name = name or f"{connector_name}-{key[:12]}"
        if "/" in name or name.startswith("."):
            raise ConfigError(f"table name {name!r}: must not contain '/' or start with '.'")
        final = self.tables_dir / name
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        with self._writing(name):
            if not refresh and (final / _MANIFEST).is_file():
                stored = self.table(name)
                if stored.manifest.query_key == key:
                    return stored
            staging = self.tables_dir / f"{_STAGING}{name}-{uuid.uuid4().hex[:8]}"
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
                distribution = next(
                    (p.distribution for p in plugin_report() if connector_name in p.connectors), "unknown"
                )
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
                _pause_for_tests("before-swap")
                _swap_into_place(staging, final)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
            return self.table(name)


def _owner(folder_name: str) -> str:
    """The table a staging (``.tmp-<name>-<id>``) or retired (``.old-<name>-<id>``) folder belongs to."""
    return folder_name.removeprefix(_STAGING).removeprefix(_RETIRED).rsplit("-", 1)[0]


def _check_table(folder: Path) -> TableCheck:
    """One table's files against its manifest."""
    try:
        manifest = Manifest.from_json((folder / _MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return TableCheck(folder.name, None, ("no manifest.json (not a complete table)",))
    except (ValueError, KeyError, ValidationError) as exc:
        return TableCheck(folder.name, None, (f"manifest.json unreadable: {str(exc).splitlines()[0]}",))
    problems = []
    rows: int | None = None
    for file in (_DATA, _REJECTED):
        if not (folder / file).is_file():
            problems.append(f"{file} is missing")
    if not problems:
        if _file_hash(folder / _DATA) != manifest.content_hash:
            problems.append(f"{_DATA} does not match its manifest (content hash {manifest.content_hash})")
        try:
            rows = pq.ParquetFile(folder / _DATA).metadata.num_rows
            rejected = pq.ParquetFile(folder / _REJECTED).metadata.num_rows
            schema = {c: str(d) for c, d in pl.read_parquet_schema(folder / _DATA).items()}
        except (OSError, pa.ArrowException) as exc:
            problems.append(f"unreadable Parquet: {str(exc).splitlines()[0]}")
        else:
            if rows != manifest.rows_accepted:
                problems.append(f"{_DATA} has {rows:,} rows, the manifest says {manifest.rows_accepted:,}")
            if rejected != manifest.rows_rejected:
                problems.append(f"{_REJECTED} has {rejected:,} rows, the manifest says {manifest.rows_rejected:,}")
            if schema != manifest.schema_:
                problems.append(f"{_DATA} columns differ from the manifest's schema")
    return TableCheck(folder.name, rows, tuple(problems))


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
    """Move a complete table into place; an older table of the same name is replaced, never mixed.

    The journal names both folders before the first rename, so :meth:`Workspace.recover` can
    finish or undo a swap whose process died between the two renames.
    """
    journal = _journal(final.parent, final.name)
    retired = final.with_name(f"{_RETIRED}{final.name}-{uuid.uuid4().hex[:8]}") if final.exists() else None
    record = {"staging": staging.name, "retired": retired.name if retired else None}
    temporary = journal.with_name(journal.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(record))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, journal)
    if retired is not None:
        os.replace(final, retired)
    _pause_for_tests("mid-swap")
    os.replace(staging, final)
    journal.unlink()
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


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
