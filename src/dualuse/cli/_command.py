"""How commands are declared: an example in every help, flags shown as flags, readable value names.

:func:`add` registers a function as a command with :class:`DualuseCommand`, whose help shows a
flag without a ``<bool>`` type and ends with the command's example; :data:`JsonOpt`,
:data:`QuietOpt` and the other shared options give one name and one help text to one concept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # typer's own copy of click: its commands' types
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from dualuse.cli._group import DefaultCommandGroup, DualuseGroup

__all__ = [
    "DefaultGroup",
    "DualuseCommand",
    "FlagGroup",
    "HubsOpt",
    "JsonOpt",
    "ListOpt",
    "ListVersionOpt",
    "OutFileOpt",
    "QuietOpt",
    "RootGroup",
    "WatchlistOpt",
    "add",
    "example_text",
    "flag",
]


def flag(*names: str, help: str) -> Any:
    """A boolean option shown as a flag (``--json``), without a value type."""
    return typer.Option(*names, help=help, metavar="")


class _FlagHelp:
    """``--help`` is a flag too."""

    def get_help_option(self, ctx: click.Context) -> TyperOption | None:
        option: TyperOption | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.metavar = ""
        return option


class DualuseCommand(_FlagHelp, TyperCommand):
    """A command whose ``--help`` shows flags as flags and names arguments by their metavar alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar:
                # "FILE" says what to give; a "<path>" or "<list[str]>" type column beside it says nothing more.
                param.display_type_rich = _no_type  # type: ignore[method-assign]


def _no_type(ctx: click.Context) -> None:
    return None


class RootGroup(_FlagHelp, DualuseGroup):
    """The root group (old option spellings as hidden aliases) with ``--help`` as a flag."""


class FlagGroup(_FlagHelp, TyperGroup):
    """A command group with ``--help`` as a flag."""


class DefaultGroup(_FlagHelp, DefaultCommandGroup):
    """A group with a default subcommand and ``--help`` as a flag."""


def example_text(*lines: str) -> str:
    """The epilog of a command's help: its examples, one a line.

    Examples:
        >>> print(example_text("dualuse lists match 8541.21"))
        Example:
        <BLANKLINE>
            dualuse lists match 8541.21
    """
    title = "Example:" if len(lines) == 1 else "Examples:"
    return title + "\n\n" + "\n".join(f"    {line}" for line in lines)


def add(app: typer.Typer, name: str, function: Callable[..., Any], *examples: str) -> None:
    """Register ``function`` as command ``name`` of ``app``, its help ending with ``examples``."""
    app.command(name, cls=DualuseCommand, epilog=example_text(*examples))(function)


JsonOpt = Annotated[bool, flag("--json", help="Print the results as JSON on stdout, for scripts.")]
QuietOpt = Annotated[bool, flag("--quiet", "-q", help="Print nothing but errors.")]
OutFileOpt = Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="Output file: .parquet, .csv or .json.")]
HubsOpt = Annotated[
    str, typer.Option("--hubs", metavar="COUNTRIES", help="Hub countries, comma-separated, e.g. KZ,KG.")
]
ListOpt = Annotated[
    str | None, typer.Option("--list", "-l", metavar="LIST", help="Dual-use list name (e.g. chpl) or a list file.")
]
ListVersionOpt = Annotated[
    str | None, typer.Option("--list-version", metavar="VERSION", help="List version, e.g. 2023 (default: latest).")
]
WatchlistOpt = Annotated[
    Path | None,
    typer.Option("--watchlist", metavar="FILE", help="A watch list (parties table: CSV, Parquet or Excel)."),
]
