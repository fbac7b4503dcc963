"""Shared output for commands: rich tables for people, CSV and JSON for scripts, one-line errors.

Data never reaches the terminal as markup or control sequences: table cells and error messages
are printed as plain rich ``Text`` (a name such as ``[link=...]X[/link]`` or ``[/]`` prints as
written), and every printed string goes through :func:`dualuse.safe_text.terminal_text` (ANSI/OSC
escapes, control and bidi characters become visible markers). Messages passed to :func:`say` are
markup written by the commands; data put into them goes through :func:`plain`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dualuse.errors import InputError
from dualuse.safe_files import staged_file, write_text
from dualuse.safe_text import terminal_text

__all__ = ["STATE", "error", "plain", "print_frame", "say", "write_frame"]


@dataclass
class _State:
    quiet: bool = False


STATE = _State()


def _console() -> Console:
    return Console(soft_wrap=True)


def plain(value: object) -> str:
    """Data made safe to put into a :func:`say` message: markup escaped, control characters shown as markers.

    Examples:
        >>> plain("[link=http://evil.example]KVARSOL[/link]\\x1b[2J")
        '\\\\[link=http://evil.example]KVARSOL\\\\[/link]⟨U+001B⟩[2J'
    """
    return escape(terminal_text(str(value)))


def _for_terminal(text: str) -> str:
    """Text for stdout: as it is for a script reading a pipe, control characters as markers on a terminal."""
    return terminal_text(text) if sys.stdout.isatty() else text


def say(message: str) -> None:
    """Print a line of rich markup for people (suppressed by ``--quiet``); data in it must go through :func:`plain`."""
    if STATE.quiet:
        return
    try:
        _console().print(terminal_text(message))
    except MarkupError:  # a bracket in a path or name that slipped in unescaped: print it as written
        _console().print(Text(terminal_text(message)))


def error(message: str) -> None:
    """Print one error line on stderr; the message is plain text (never read as markup).

    Examples:
        >>> error("bad name [/] in row 3")  # printed on stderr, as written
    """
    line = Text.assemble(("error:", "bold red"), " ", terminal_text(message))
    Console(stderr=True, soft_wrap=True).print(line, highlight=False)


def print_frame(frame: pl.DataFrame, *, fmt: str = "table", title: str | None = None) -> None:
    """Print a frame as a rich table, CSV or JSON (records) on stdout."""
    if fmt == "csv":
        from dualuse.report.csvsafe import safe_csv

        sys.stdout.write(_for_terminal(safe_csv(frame)))
    elif fmt == "json":
        sys.stdout.write(_for_terminal(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=2)) + "\n")
    else:
        if STATE.quiet:
            return
        table = Table(title=Text(terminal_text(title)) if title is not None else None)
        for name in frame.columns:
            table.add_column(Text(terminal_text(name)), overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*[Text("" if v is None else terminal_text(str(v))) for v in row])
        _console().print(table)


def write_frame(frame: pl.DataFrame, path: Path) -> None:
    """Write a frame as Parquet, CSV (safe against formula injection) or JSON, chosen by the suffix."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        with staged_file(path) as staged:  # a link planted at path is replaced, never followed
            frame.write_parquet(staged)
    elif suffix == ".csv":
        from dualuse.report.csvsafe import write_safe_csv  # cells that a spreadsheet would run are defused

        write_safe_csv(frame, path)
    elif suffix == ".json":
        from dualuse.safe_text import neutralise_value

        records = neutralise_value(frame.to_dicts())
        write_text(path, json.dumps(records, default=str, ensure_ascii=False, indent=2))
    else:
        raise InputError("expected a .parquet, .csv or .json output file", file=str(path))


def as_json(value: Any) -> str:
    """Serialise for ``--json`` output (control characters as markers when stdout is a terminal)."""
    return _for_terminal(json.dumps(value, default=str, ensure_ascii=False, indent=2))
