"""CSV that is safe to open in a spreadsheet: no cell is ever read as a formula.

Spreadsheets treat a cell that starts with ``=``, ``+``, ``-``, ``@`` (and tab or carriage return)
as a formula, so a company named ``=HYPERLINK("http://evil", "click")`` in a watch list would run
when an analyst opens the export (OWASP "CSV injection"). Text cells that start with one of these
characters are prefixed with a single quote; numbers are left as numbers. Bidi control characters
(a right-to-left override that makes a name display as another) are shown as ``⟨U+202E⟩``
markers (:mod:`dualuse.safe_text`), and files are written without following planted links
(:mod:`dualuse.safe_files`).

Examples:
    >>> import polars as pl
    >>> frame = pl.DataFrame({"name": ["=1+2", "ООО «Ромашка»", "-x"], "value": [-1.5, 2.0, 3.0]})
    >>> print(safe_csv(frame), end="")
    name,value
    '=1+2,-1.5
    ООО «Ромашка»,2.0
    '-x,3.0
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualuse.safe_files import write_text
from dualuse.safe_text import neutralise_bidi_column

__all__ = ["FORMULA_PREFIXES", "defuse_cell", "defuse_frame", "safe_csv", "write_safe_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def defuse_cell(value: str) -> str:
    """Prefix ``'`` to text that a spreadsheet would read as a formula.

    Examples:
        >>> defuse_cell("@SUM(A1)"), defuse_cell("plain")
        ("'@SUM(A1)", 'plain')
    """
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def defuse_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Defuse every text cell; nested columns (lists, structs) are written as JSON text first.

    Examples:
        >>> defuse_frame(pl.DataFrame({"a": [["=x", "y"]], "b": ["\\t=1"]})).row(0)
        ('["=x","y"]', "'\\t=1")
        >>> defuse_frame(pl.DataFrame({"name": ["ACME\\u202eCLL"]})).item()
        'ACME⟨U+202E⟩CLL'

    """
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            column = column.map_elements(_json, return_dtype=pl.String)
            dtype = pl.String()
        if dtype == pl.String:
            column = neutralise_bidi_column(column)
            pattern = "^[" + "".join(_escape(p) for p in FORMULA_PREFIXES) + "]"
            column = pl.when(column.str.contains(pattern)).then(pl.lit("'") + column).otherwise(column)
        columns.append(column.alias(name))
    return frame.select(columns)


def _escape(char: str) -> str:
    return {"\t": "\\t", "\r": "\\r", "-": "\\-", "+": "\\+"}.get(char, char)


def _json(value: object) -> str:
    import json

    if isinstance(value, pl.Series):
        value = value.to_list()
    return json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":"))


def safe_csv(frame: pl.DataFrame) -> str:
    """The frame as CSV text with every text cell defused (see :func:`defuse_cell`)."""
    return defuse_frame(frame).write_csv()


def write_safe_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write :func:`safe_csv` to ``path`` (UTF-8 with a byte-order mark, which Excel needs for Cyrillic).

    Examples:
        >>> import tempfile, pathlib
        >>> path = write_safe_csv(pl.DataFrame({"a": ["+7"]}), pathlib.Path(tempfile.mkdtemp()) / "a.csv")
        >>> path.read_text(encoding="utf-8-sig")
        "a\\n'+7\\n"
    """
    write_text(path, safe_csv(frame), encoding="utf-8-sig")
    return path
