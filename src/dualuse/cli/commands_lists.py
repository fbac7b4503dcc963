"""``dualuse lists``: show bundled and user dual-use lists, match codes against them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer

from dualuse.cli import _output
from dualuse.cli._command import DualuseCommand, FlagGroup, JsonOpt, ListVersionOpt, example_text
from dualuse.cli._output import print_frame

if TYPE_CHECKING:
    from dualuse.lists.model import DualUseList

__all__ = ["register"]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]

lists_app = typer.Typer(
    cls=FlagGroup,
    help="Dual-use lists: CHPL versions, the UAV watch list, your own lists.",
    invoke_without_command=True,
    epilog=example_text("dualuse lists", "dualuse lists --json"),
)


def _format(fmt: Format, as_json: bool) -> str:
    return "json" if as_json else fmt.value


@lists_app.callback()
def _overview(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the available lists and versions."""
    if ctx.invoked_subcommand is not None:
        return
    from dualuse import lists

    rows = [
        {"name": lst.name, "version": lst.version.version, "items": len(lst), "title": lst.title}
        for lst in sorted(lists.available(), key=lambda x: (x.name, x.version.version))
    ]
    print_frame(pl.DataFrame(rows), fmt=_format(Format.table, as_json), title="Dual-use lists")


@lists_app.command(
    "show",
    cls=DualuseCommand,
    epilog=example_text("dualuse lists show chpl", "dualuse lists show chpl --list-version 2023 --format csv"),
)
def show(
    name: Annotated[str, typer.Argument(metavar="LIST", help="List name, e.g. chpl, or a path to a CSV/TOML list.")],
    version: ListVersionOpt = None,
    fmt: FormatOpt = Format.table,
    as_json: JsonOpt = False,
) -> None:
    """Show the items of a list."""
    lst = _resolve(name, version)
    frame = lst.to_frame().with_columns(pl.col("hs2017").list.join(";"))
    print_frame(frame, fmt=_format(fmt, as_json), title=f"{lst.title or lst.name} ({lst.version})")


@lists_app.command(
    "match",
    cls=DualuseCommand,
    epilog=example_text("dualuse lists match 8541.21.0000 8806.22 9403.60", "dualuse lists match 854231 --json"),
)
def match(
    codes: Annotated[
        list[str], typer.Argument(metavar="CODE", help="HS or national codes (6 to 10 digits, either HS version).")
    ],
    name: Annotated[str, typer.Option("--list", "-l", metavar="LIST", help="List name or file.")] = "chpl",
    version: ListVersionOpt = None,
    fmt: FormatOpt = Format.table,
    as_json: JsonOpt = False,
) -> None:
    """Say which list items (and tiers) each code falls under.

    A code that is not an HS code is reported on stderr and the others are still matched (exit code 1).
    """
    from dualuse.errors import DualuseError
    from dualuse.hs import HSCode

    lst = _resolve(name, version)
    digits, bad = [], []
    for code in codes:
        try:
            digits.append(HSCode.parse(code).digits)
        except (DualuseError, ValueError) as exc:
            bad.append(str(exc))
    if digits:
        print_frame(lst.match(digits), fmt=_format(fmt, as_json), title=f"{lst.name} ({lst.version})")
    for message in bad:
        _output.error(message)
    if bad:
        raise typer.Exit(1)


def _resolve(name: str, version: str | None) -> DualUseList:
    from dualuse import lists

    if name.endswith((".csv", ".toml")) or Path(name).exists():
        return lists.load(name)
    return lists.get(name, version=version)


def register(app: typer.Typer) -> None:
    """Add ``dualuse lists`` to ``app``."""
    app.add_typer(lists_app, name="lists")
