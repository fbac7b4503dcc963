"""``dualuse store check``: verify every table of a workspace against its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dualuse.cli._command import DualuseCommand, FlagGroup, JsonOpt, example_text
from dualuse.cli._output import as_json, plain, print_frame, say

__all__ = ["register"]

store_app = typer.Typer(
    cls=FlagGroup,
    help="The workspace store: verify its tables.",
    no_args_is_help=True,
    epilog=example_text("dualuse store check", "dualuse store check --workspace ./ws --json"),
)


@store_app.command(
    "check",
    cls=DualuseCommand,
    epilog=example_text("dualuse store check", "dualuse store check --workspace ./ws --json"),
)
def check(
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", metavar="FOLDER", help="Workspace folder (default: DUALUSE_WORKSPACE)."),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Verify every table against its manifest (content hash, row counts, schema) and list left-overs.

    Opening the workspace first recovers what a killed process left (an interrupted swap is
    finished or rolled back, stale staging is swept). Exit codes: 0 all sound, 1 a problem found.
    """
    import polars as pl

    from dualuse.store import Workspace

    store = Workspace(workspace)
    results = store.check()
    rows = [{"table": r.name, "rows": r.rows, "status": "ok" if r.ok else "; ".join(r.problems)} for r in results]
    bad = [r for r in results if not r.ok]
    if json_output:
        typer.echo(as_json(rows))
    else:
        if rows:
            print_frame(pl.DataFrame(rows, schema={"table": pl.String, "rows": pl.Int64, "status": pl.String}))
        say(f"{len(results) - len(bad)} of {len(results)} sound in {plain(store.path)}")
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``dualuse store`` to ``app``."""
    app.add_typer(store_app, name="store")
