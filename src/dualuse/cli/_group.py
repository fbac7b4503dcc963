"""Command groups of the ``dualuse`` command: old option spellings kept as hidden aliases, a default subcommand.

One concept has one option name across commands (``--hubs``, ``--watchlist``, ``--list-version``);
the spellings they replace still work but appear in no help text: :class:`DualuseGroup` rewrites
them before the command line is parsed. :class:`DefaultCommandGroup` runs a default subcommand
when the first word is not one of its subcommands (``dualuse screen NAMES …`` beside
``dualuse screen eval``).

Examples:
    >>> rename_options(["-q", "hubs", "f.csv", "--hub", "KZ", "--hub=KG"])
    ['-q', 'hubs', 'f.csv', '--hubs', 'KZ', '--hubs=KG']
    >>> rename_options(["lists", "show", "chpl", "--version", "2023"])
    ['lists', 'show', 'chpl', '--list-version', '2023']
"""

from __future__ import annotations

from typing import Any

from typer import _click as click  # typer's own copy of click: its commands' types
from typer.core import TyperGroup

__all__ = ["RENAMED", "DefaultCommandGroup", "DualuseGroup", "rename_options"]

RENAMED: dict[tuple[str, ...], dict[str, str]] = {
    ("hubs",): {"--hub": "--hubs"},
    ("trace",): {"--sanctioned": "--watchlist"},
    ("screen",): {"--against": "--watchlist"},
    ("lists", "show"): {"--version": "--list-version"},
    ("lists", "match"): {"--version": "--list-version"},
}
"""Command path -> old option spelling -> the one name it now has."""


def rename_options(args: list[str]) -> list[str]:
    """``args`` with the old spellings of :data:`RENAMED` replaced (options of the root command untouched)."""
    start = next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))
    for path, renames in RENAMED.items():
        if tuple(args[start : start + len(path)]) != path:
            continue
        out = list(args[: start + len(path)])
        for n, arg in enumerate(args[start + len(path) :], start=start + len(path)):
            if arg == "--":
                return out + args[n:]
            name, eq, value = arg.partition("=")
            out.append(renames.get(name, name) + eq + value if name in renames else arg)
        return out
    return list(args)


class DualuseGroup(TyperGroup):
    """The root group: reads the old option spellings as their new names."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, rename_options(args))


class DefaultCommandGroup(TyperGroup):
    """A group that runs its ``default`` subcommand when the first word names none of its subcommands."""

    default = "names"

    def __init__(self, **attrs: Any) -> None:
        # Options before NAMES (`screen --watchlist w.csv names.csv`) are the default command's.
        attrs["context_settings"] = {**(attrs.get("context_settings") or {}), "ignore_unknown_options": True}
        super().__init__(**attrs)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            return self.default, self.commands[self.default], args
        return super().resolve_command(ctx, args)
