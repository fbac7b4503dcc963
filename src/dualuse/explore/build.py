"""Build, or refresh, the explore database of a workspace.

The fetched tables (shipments, flows, watch lists and registries) are loaded table by table: a
refresh reloads only the workspace tables whose content hash changed, and deletes the rows of
tables that are gone. The analysis results (:mod:`dualuse.results`) and everything computed from
them (parties with their totals, trade by year and HS chapter, counterparties, chain legs, the
search index, evidence rows) are rebuilt whenever anything changed; when the results themselves
changed, every shipment is reloaded too, because each line carries the party it was resolved to.
Nothing changed: nothing is written.

A first build writes a new file and renames it into place; a refresh runs in one transaction.

Examples:
    >>> import pathlib, tempfile, polars as pl
    >>> from dualuse.store import Workspace
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> rows = "shipment_id,date,hs_code,exporter_name,importer_name,source,source_row"
    >>> _ = (folder / "s.csv").write_text(rows + "\\nS1,2023-06-01,854231,Elem LLP,Kvarsol LLC,s.csv,2\\n")
    >>> workspace = Workspace(folder / "ws")
    >>> _ = workspace.fetch("csv", {"path": str(folder / "s.csv"), "table": "shipments"})
    >>> built = build_database(workspace)
    >>> built.rows["shipments"], built.loaded  # doctest: +ELLIPSIS
    (1, ['csv-...'])
    >>> build_database(workspace).loaded
    []
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dualuse._version import __version__
from dualuse.errors import ConfigError
from dualuse.explore import derive
from dualuse.explore.tables import INPUT_TABLES, TABLES, SqlTable
from dualuse.results import ANALYSIS_CONNECTOR, INPUT_KINDS
from dualuse.store import StoredTable, Workspace

__all__ = ["SCHEMA_VERSION", "BuildResult", "build_database", "database_path"]

SCHEMA_VERSION = 2
"""The layout version; a database of another version is rebuilt from scratch."""

Progress = Callable[[str], None]
_BATCH = 100_000


def database_path(workspace: Workspace) -> Path:
    """Where :func:`build_database` writes by default: ``WORKSPACE/explore/dualuse.db``."""
    return workspace.path / "explore" / "dualuse.db"


@dataclass
class BuildResult:
    """What a build did."""

    path: Path
    fresh: bool
    """A new file (first build, another layout version, or ``full=True``) rather than a refresh."""
    loaded: list[str] = field(default_factory=list)
    """Workspace tables (re)loaded."""
    removed: list[str] = field(default_factory=list)
    """Workspace tables whose rows were deleted because the table is gone."""
    rows: dict[str, int] = field(default_factory=dict)
    """Rows per database table after the build."""
    stale: list[str] = field(default_factory=list)
    """Input tables that changed after the stored results were computed (rerun the report)."""
    has_results: bool = False
    """Whether the workspace holds analysis results (chains, flags, hits, findings)."""
    seconds: float = 0.0


def _sources(workspace: Workspace) -> dict[str, StoredTable]:
    return {
        t.name: t
        for t in workspace.tables()
        if t.manifest.connector == ANALYSIS_CONNECTOR or t.manifest.table in INPUT_KINDS
    }


def _loaded_hashes(path: Path) -> dict[str, str] | None:
    """Content hash of each workspace table in the database, or None when it must be built afresh."""
    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            version = conn.execute("select value from _dualuse_meta where key = 'schema_version'").fetchone()
            if version is None or int(version[0]) != SCHEMA_VERSION:
                return None
            return dict(conn.execute("select name, content_hash from manifests").fetchall())
    except sqlite3.DatabaseError:
        return None


def build_database(
    workspace: Workspace | str | Path,
    path: Path | None = None,
    *,
    full: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build ``path`` (default :func:`database_path`) from ``workspace``, or refresh it.

    ``full=True`` rebuilds from scratch. Raises :class:`~dualuse.errors.ConfigError` when the
    workspace holds no table at all.
    """
    started = time.perf_counter()
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    target = path or database_path(ws)
    sources = _sources(ws)
    if not sources:
        raise ConfigError(f"workspace {ws.path} holds no table: fetch data first (dualuse fetch / dualuse demo)")
    loaded = None if full else _loaded_hashes(target)
    changed = sorted(n for n, t in sources.items() if loaded is None or loaded.get(n) != t.manifest.content_hash)
    removed = sorted(set(loaded or {}) - set(sources))
    results = {t.manifest.table: t for t in sources.values() if t.manifest.connector == ANALYSIS_CONNECTOR}
    result = BuildResult(target, fresh=loaded is None, has_results=bool(results), stale=_stale(sources, results))
    if loaded is not None and not changed and not removed:
        result.rows = _row_counts(target)
        result.seconds = time.perf_counter() - started
        return result
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(target.name + ".tmp") if loaded is None else target
    if loaded is None:
        work.unlink(missing_ok=True)
    say = progress or (lambda _message: None)
    with closing(sqlite3.connect(work, isolation_level=None)) as conn:
        _tune(conn, fresh=loaded is None)
        conn.execute("begin")
        try:
            if loaded is None:
                _create(conn)
            results_changed = any(sources[n].manifest.connector == ANALYSIS_CONNECTOR for n in changed) or any(
                n.startswith("analysis-") for n in removed
            )
            reload = [
                n
                for n, t in sorted(sources.items())
                if t.manifest.connector != ANALYSIS_CONNECTOR
                and (n in changed or (results_changed and t.manifest.table == "shipments"))
            ]
            for name in removed:
                _delete_rows(conn, name)
            sides = derive.party_sides(results["shipment_parties"]) if "shipment_parties" in results else None
            for name in reload:
                say(f"loading {name}")
                _delete_rows(conn, name)
                _load_input(conn, sources[name], sides)
            say("deriving parties, chains and the search index")
            _rebuild_derived(conn, sources, results)
            _write_manifests(conn, sources.values())
            _write_meta(conn, ws)
            if loaded is None:
                say("indexing")
                _index(conn)
            conn.execute("commit")
        except BaseException:
            if conn.in_transaction:
                conn.execute("rollback")
            raise
        conn.execute("analyze")
        result.rows = _counts(conn)
    if loaded is None:
        os.replace(work, target)
    result.loaded = [n for n in sorted(set(reload) | set(changed)) if n in sources]
    result.removed = removed
    result.seconds = time.perf_counter() - started
    return result


def _stale(sources: dict[str, StoredTable], results: dict[str, StoredTable]) -> list[str]:
    if not results:
        return []
    used: dict[str, str] = next(iter(results.values())).manifest.config.get("inputs", {})
    current = {n: t.manifest.content_hash for n, t in sources.items() if t.manifest.connector != ANALYSIS_CONNECTOR}
    return sorted(n for n in set(current) | set(used) if current.get(n) != used.get(n))


def _tune(conn: sqlite3.Connection, *, fresh: bool) -> None:
    # A fresh file is renamed into place only when complete: it needs no journal.
    conn.execute(f"pragma journal_mode = {'off' if fresh else 'truncate'}")
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -262144")  # 256 MB
    conn.execute("pragma temp_store = memory")


def _create(conn: sqlite3.Connection) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for table in TABLES.values():
        db.table(table.name).create(table.columns, pk=table.pk, foreign_keys=list(table.foreign_keys) or None)
    db.table("_dualuse_meta").create({"key": str, "value": str}, pk="key")


def _index(conn: sqlite3.Connection) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for table in TABLES.values():
        for columns in table.indexes:
            db.table(table.name).create_index(list(columns), if_not_exists=True)


def _delete_rows(conn: sqlite3.Connection, workspace_table: str) -> None:
    for table in TABLES.values():
        if table.by_workspace_table:
            conn.execute(f"delete from [{table.name}] where workspace_table = ?", (workspace_table,))


def _load_input(conn: sqlite3.Connection, stored: StoredTable, sides: pl.LazyFrame | None) -> None:
    table = TABLES[INPUT_TABLES[stored.manifest.table]]
    for batch in derive.input_rows(stored, sides).collect_batches(chunk_size=_BATCH):
        insert(conn, table, batch)


def insert(conn: sqlite3.Connection, table: SqlTable, frame: pl.DataFrame) -> None:
    """Insert ``frame`` into ``table`` (its columns that the table has; dates, lists and structs as text)."""
    frame = sql_ready(frame, table)
    if frame.is_empty():
        return
    names = ", ".join(f"[{c}]" for c in frame.columns)
    sql = f"insert into [{table.name}] ({names}) values ({', '.join('?' * frame.width)})"
    for offset in range(0, frame.height, _BATCH):
        conn.executemany(sql, frame.slice(offset, _BATCH).iter_rows())


def sql_ready(frame: pl.DataFrame, table: SqlTable) -> pl.DataFrame:
    """The columns of ``table`` that ``frame`` has, as SQLite stores them (ISO dates, JSON lists)."""
    exprs = []
    for name, dtype in frame.schema.items():
        if name not in table.columns:
            continue
        column = pl.col(name)
        if dtype == pl.Date:
            column = column.dt.to_string("%Y-%m-%d")
        elif isinstance(dtype, pl.Datetime):
            column = column.dt.to_string("%Y-%m-%dT%H:%M:%S")
        elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            # JSON of a one-field struct, unwrapped: polars escapes every string correctly
            wrapper = "{" + json.dumps(name) + ":"
            column = pl.struct(name).struct.json_encode().str.strip_prefix(wrapper).str.strip_suffix("}")
        elif dtype == pl.Boolean:
            column = column.cast(pl.Int8)
        exprs.append(column.alias(name))
    return frame.select(exprs)


def _rebuild_derived(
    conn: sqlite3.Connection, sources: dict[str, StoredTable], results: dict[str, StoredTable]
) -> None:
    derived = [t for t in TABLES.values() if not t.by_workspace_table and t.name != "manifests"]
    for table in derived:
        conn.execute(f"delete from [{table.name}]")
    frames = derive.derived_tables(conn, sources, results)
    for name, frame in frames.items():
        insert(conn, TABLES[name], frame)
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for table in TABLES.values():
        if table.fts:
            if not db.table(f"{table.name}_fts").exists():
                db.table(table.name).enable_fts(list(table.fts), tokenize="unicode61 remove_diacritics 2")
            conn.execute(f"insert into [{table.name}_fts]([{table.name}_fts]) values ('rebuild')")


def _write_manifests(conn: sqlite3.Connection, sources: Iterable[StoredTable]) -> None:
    conn.execute("delete from manifests")
    rows = [
        {
            "name": t.name,
            "kind": t.manifest.table,
            "role": "result" if t.manifest.connector == ANALYSIS_CONNECTOR else "input",
            "connector": t.manifest.connector,
            "connector_distribution": t.manifest.connector_distribution,
            "fetched_at": t.manifest.fetched_at.isoformat(),
            "rows_accepted": t.manifest.rows_accepted,
            "rows_rejected": t.manifest.rows_rejected,
            "content_hash": t.manifest.content_hash,
            "library_version": t.manifest.library_version,
            "config": json.dumps(t.manifest.config, ensure_ascii=False, sort_keys=True, default=str),
        }
        for t in sources
    ]
    insert(conn, TABLES["manifests"], pl.DataFrame(rows, schema=TABLES["manifests"].columns))


def _write_meta(conn: sqlite3.Connection, workspace: Workspace) -> None:
    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "workspace": str(workspace.path),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dualuse_version": __version__,
    }
    conn.executemany("insert or replace into _dualuse_meta (key, value) values (?, ?)", meta.items())


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in TABLES}


def _row_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return _counts(conn)
