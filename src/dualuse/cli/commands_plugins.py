"""``dualuse plugins``, ``dualuse fetch`` and ``dualuse ingest``: the plugin host and the workspace store."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dualuse.cli._command import JsonOpt, add, flag
from dualuse.cli._output import STATE, plain, print_frame, say
from dualuse.errors import ConfigError

if TYPE_CHECKING:
    from dualuse.store import Progress, StoredTable

__all__ = ["parse_assignments", "register"]


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """Turn ``key=value`` strings into settings; values are read as TOML when they parse, else as text.

    Examples:
        >>> parse_assignments(["path=data/x.csv", "batch_rows=1000", "usd_rate=1.08", "encoding=cp1251"])
        {'path': 'data/x.csv', 'batch_rows': 1000, 'usd_rate': 1.08, 'encoding': 'cp1251'}
    """
    settings: dict[str, Any] = {}
    for item in assignments:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected key=value")
        try:
            value: Any = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        settings[key.strip()] = value
    return settings


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--config {path}: cannot read: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"--config {path}: not valid {'JSON' if path.suffix == '.json' else 'TOML'}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: expected a table of settings")
    return data


@contextmanager
def _progress_bar() -> Iterator[Progress]:
    """A rich progress bar on stderr (silent with --quiet or when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=STATE.quiet or not console.is_terminal,
    )
    task = bar.add_task("fetching", total=None)

    def advance(step: int, total: int | None, description: str) -> None:
        bar.update(task, advance=step, total=total, description=plain(description or "fetching"))

    with bar:
        yield advance


def _fetch(
    connector: str,
    settings: dict[str, Any],
    workspace: Path | None,
    refresh: bool,
    name: str | None,
    json_output: bool = False,
) -> StoredTable:
    from dualuse.store import Workspace

    with _progress_bar() as progress:
        stored = Workspace(workspace).fetch(connector, settings, refresh=refresh, progress=progress, name=name)
    manifest = stored.manifest
    if json_output:
        sys.stdout.write(
            json.dumps({"name": stored.name, "path": str(stored.path), **json.loads(manifest.to_json())}, indent=2)
            + "\n"
        )
        return stored
    say(
        f"stored [bold]{plain(stored.name)}[/] ({manifest.table}): {manifest.rows_accepted:,} rows accepted, "
        f"{manifest.rows_rejected:,} rejected -> {plain(stored.path)}"
    )
    return stored


def plugins(
    json_output: JsonOpt = False,
    trace: Annotated[
        bool, flag("--trace", help="Name each plugin on stderr as it is imported (finds one that hangs).")
    ] = False,
) -> None:
    """List plugins: name, version, distribution, connectors, tables, engines, hooks and load errors."""
    import os

    from dualuse.connectors.manager import plugin_report, reset_plugin_manager
    from dualuse.execution import engine_plugins

    if trace:
        os.environ["DUALUSE_TRACE_PLUGINS"] = "1"
        reset_plugin_manager()  # load again, tracing

    engines = engine_plugins()
    rows = [
        {
            "name": p.name,
            "version": p.version,
            "distribution": p.distribution,
            "connectors": list(p.connectors),
            "tables": list(p.tables),
            "engines": sorted(name for name, plugin in engines.items() if plugin == p.name),
            "hooks": list(p.hooks),
            "errors": list(p.errors),
        }
        for p in plugin_report()
    ]
    if json_output:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    import polars as pl

    flat = [{k: ", ".join(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows]
    print_frame(pl.DataFrame(flat), title="Plugins")


SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", metavar="KEY=VALUE", help="A setting as key=value (repeatable); values read as TOML."),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", metavar="FOLDER", help="Workspace folder (default: DUALUSE_WORKSPACE)."),
]
NameOpt = Annotated[str | None, typer.Option("--name", metavar="NAME", help="Store under this table name.")]


def fetch(
    connector: Annotated[str, typer.Argument(metavar="CONNECTOR", help="Connector name (see `dualuse plugins`).")],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", metavar="FILE", help="Settings file (TOML or JSON).")
    ] = None,
    assignments: SetOpt = None,
    workspace: WorkspaceOpt = None,
    refresh: Annotated[bool, flag("--refresh", help="Fetch again even if the same query is stored.")] = False,
    name: NameOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Fetch with a connector into the workspace (settings from --config and/or --set)."""
    settings = _read_config(config) if config is not None else {}
    settings.update(parse_assignments(assignments or []))
    _fetch(connector, settings, workspace, refresh, name, json_output)


def ingest(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .csv/.tsv/.txt/.dat, .parquet or .xlsx file.")],
    preset: Annotated[
        str | None, typer.Option("--preset", "-p", metavar="PRESET", help="Mapping preset name or a .toml mapping.")
    ] = None,
    assignments: SetOpt = None,
    workspace: WorkspaceOpt = None,
    refresh: Annotated[bool, flag("--refresh", help="Read the file again even if stored.")] = False,
    name: NameOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Load a file into the workspace through a mapping preset (shorthand for the file connectors)."""
    suffix = file.suffix.lower()
    connector = {".parquet": "parquet", ".xlsx": "excel"}.get(suffix, "csv")
    settings: dict[str, Any] = {"path": str(file)}
    if preset is not None:
        settings["preset"] = preset
    settings.update(parse_assignments(assignments or []))
    _fetch(connector, settings, workspace, refresh, name, json_output)


def register(app: typer.Typer) -> None:
    """Add ``plugins``, ``fetch`` and ``ingest`` to ``app``."""
    add(app, "plugins", plugins, "dualuse plugins", "dualuse plugins --json", "dualuse plugins --trace")
    add(
        app,
        "fetch",
        fetch,
        "dualuse fetch comtrade --set reporters=KZ --set partners=RU --set hs_codes=8542 --set periods=2023",
        "dualuse fetch ofac-sdn --config sdn.toml --workspace ws --json",
    )
    add(
        app,
        "ingest",
        ingest,
        "dualuse ingest declarations.csv --preset ru-declarations --workspace ws",
        "dualuse ingest baci.parquet --preset baci --name trade --json",
    )
