"""``dualuse explore``: build the workspace's SQLite database and serve it with Datasette.

Exit codes: 0 done (or the server was stopped), 1 error (one line on stderr), 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dualuse.cli._command import JsonOpt, add, flag
from dualuse.cli._output import STATE, as_json, say

__all__ = ["register"]


def explore(
    workspace: Annotated[
        Path | None,
        typer.Argument(
            metavar="WORKSPACE", help="The workspace folder (default: $DUALUSE_WORKSPACE or the user data folder)."
        ),
    ] = None,
    database: Annotated[
        Path | None,
        typer.Option("--db", metavar="FILE", help="The SQLite file (default: WORKSPACE/explore/dualuse.db)."),
    ] = None,
    build_only: Annotated[
        bool, flag("--build-only", help="Write the database and stop (for datasette publish or any SQLite client).")
    ] = False,
    full: Annotated[bool, flag("--full", help="Rebuild from scratch instead of refreshing.")] = False,
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="Address to listen on; anything but loopback shows the data to your network."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="NUMBER", help="Port to listen on.")] = 8001,
    json_output: JsonOpt = False,
) -> None:
    """Explore a workspace in the browser: dossiers, chain graphs, search, every source row.

    Builds (or refreshes: only changed tables are reloaded) one SQLite database from the
    workspace's fetched tables and stored results (run `dualuse report --workspace` first for
    chains, flags and screening hits), then serves it read-only with Datasette on this machine.
    Needs the `explore` extra: pip install 'dualuse\\[explore]'.

    Exit codes: 0 done, 1 error (one line on stderr), 2 usage error.
    """
    from dualuse.explore import build_database, require
    from dualuse.explore.serve import is_loopback, serve
    from dualuse.store import Workspace

    require("sqlite_utils") if build_only else require("sqlite_utils", "datasette", "uvicorn")
    ws = Workspace(workspace)
    progress = None if STATE.quiet else (lambda message: say(f"[dim]{message}[/]"))
    built = build_database(ws, database, full=full, progress=progress)
    if json_output:
        summary = {
            "database": str(built.path),
            "fresh": built.fresh,
            "loaded": sorted(built.loaded),
            "removed": sorted(built.removed),
            "rows": dict(sorted(built.rows.items())),
            "has_results": built.has_results,
            "stale": sorted(built.stale),
            "serving": None if build_only else f"http://{host}:{port}/-/dualuse/",
        }
        typer.echo(as_json(summary))
    elif built.loaded or built.removed:
        verb = "built" if built.fresh else "refreshed"
        say(f"{verb} {built.path} in {built.seconds:.1f} s: {len(built.loaded)} tables loaded, "
            f"{built.rows.get('shipments', 0):,} shipment lines, {built.rows.get('chains', 0):,} chains")  # fmt: skip
    else:
        say(f"{built.path} is up to date")
    if not built.has_results:
        say(f"[yellow]note[/] the workspace holds no analysis results: run "
            f"`dualuse report --workspace {ws.path} --out REPORT_DIR` for chains, red flags and screening hits")  # fmt: skip
    elif built.stale:
        say(f"[yellow]note[/] results predate changes to {', '.join(built.stale)}: rerun `dualuse report --workspace`")
    if build_only:
        return
    if not is_loopback(host):
        say(f"[yellow]warning[/] listening on {host}: anyone who can reach this machine can read the data")
    shown = f"[{host}]" if ":" in host else host
    say(f"Serving http://{shown}:{port}/-/dualuse/ (read-only; Ctrl-C to stop)")
    serve(built.path, host=host, port=port)


def register(app: typer.Typer) -> None:
    """Add ``dualuse explore`` to ``app``."""
    add(
        app,
        "explore",
        explore,
        "dualuse explore demo-output/workspace",
        "dualuse explore demo-output/workspace --build-only --json",
    )
