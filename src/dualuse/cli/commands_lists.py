"""``dualuse lists``: show bundled and user dual-use lists, match codes against them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer

from dualuse.cli._output import print_frame

if TYPE_CHECKING:
    from dualuse.lists.model import DualUseList

__all__ = ["register"]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


lists_app = typer.Typer(
    help="Dual-use lists: CHPL versions, the UAV watch list, your own lists.", invoke_without_command=True
)


@lists_app.callback()
def _overview(ctx: typer.Context) -> None:
    """List the available lists and versions."""
    if ctx.invoked_subcommand is not None:
        return
    from dualuse import lists

    rows = [
        {"name": lst.name, "version": lst.version.version, "items": len(lst), "title": lst.title}
        for lst in sorted(lists.available(), key=lambda x: (x.name, x.version.version))
    ]
    print_frame(pl.DataFrame(rows), title="Dual-use lists")


@lists_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="List name, e.g. chpl, or a path to a CSV/TOML list.")],
    version: Annotated[str | None, typer.Option("--version", "-v", help="List version (default: latest).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Show the items of a list."""
    lst = _resolve(name, version)
    frame = lst.to_frame().with_columns(pl.col("hs2017").list.join(";"))
    print_frame(frame, fmt=fmt.value, title=f"{lst.title or lst.name} ({lst.version})")


@lists_app.command("match")
def match(
    codes: Annotated[list[str], typer.Argument(help="HS or national codes (6 to 10 digits, either HS version).")],
    name: Annotated[str, typer.Option("--list", "-l", help="List name or file.")] = "chpl",
    version: Annotated[str | None, typer.Option("--version", "-v", help="List version (default: latest).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Say which list items (and tiers) each code falls under."""
    from dualuse.hs import HSCode

    lst = _resolve(name, version)
    digits = [HSCode.parse(c).digits for c in codes]
    print_frame(lst.match(digits), fmt=fmt.value, title=f"{lst.name} ({lst.version})")


def _resolve(name: str, version: str | None) -> DualUseList:
    from dualuse import lists

    if name.endswith((".csv", ".toml")) or Path(name).exists():
        return lists.load(name)
    return lists.get(name, version=version)


def register(app: typer.Typer) -> None:
    """Add ``dualuse lists`` to ``app``."""
    app.add_typer(lists_app, name="lists")
