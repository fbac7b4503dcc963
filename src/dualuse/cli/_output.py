"""Shared output for commands: rich tables for people, CSV and JSON for scripts, one-line errors."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from dualuse.errors import InputError

__all__ = ["STATE", "error", "print_frame", "say", "write_frame"]


@dataclass
class _State:
    quiet: bool = False


STATE = _State()


def _console() -> Console:
    return Console(soft_wrap=True)


def say(message: str) -> None:
    """Print a line for people (suppressed by ``--quiet``)."""
    if not STATE.quiet:
        _console().print(message)


def error(message: str) -> None:
    """Print one error line on stderr."""
    from rich.markup import escape  # a message may hold brackets ("dualuse[explore]", "[U+202E]")

    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False)


def print_frame(frame: pl.DataFrame, *, fmt: str = "table", title: str | None = None) -> None:
    """Print a frame as a rich table, CSV or JSON (records) on stdout."""
    if fmt == "csv":
        from dualuse.report.csvsafe import safe_csv

        sys.stdout.write(safe_csv(frame))
    elif fmt == "json":
        sys.stdout.write(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=2) + "\n")
    else:
        if STATE.quiet:
            return
        table = Table(title=title)
        for name in frame.columns:
            table.add_column(name, overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*["" if v is None else str(v) for v in row])
        _console().print(table)


def write_frame(frame: pl.DataFrame, path: Path) -> None:
    """Write a frame as Parquet, CSV (safe against formula injection) or JSON, chosen by the suffix."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".csv":
        from dualuse.report.csvsafe import write_safe_csv  # cells that a spreadsheet would run are defused

        write_safe_csv(frame, path)
    elif suffix == ".json":
        path.write_text(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        raise InputError("expected a .parquet, .csv or .json output file", file=str(path))


def as_json(value: Any) -> str:
    """Serialise for ``--json`` output."""
    return json.dumps(value, default=str, ensure_ascii=False, indent=2)
