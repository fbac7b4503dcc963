"""Text from the data, made harmless before people see it: no bidi overrides, no terminal control.

Names in watch lists and declarations are data, and data can be hostile. A right-to-left override
(U+202E) makes ``ACME‮LLC`` display as something else in a report, a spreadsheet or a terminal;
an ANSI or OSC escape sequence recolours the terminal, retitles the window or prints a link. Every
such character is shown as a visible marker instead (``⟨U+202E⟩``), so the text reads as it is
and the oddity stays visible, which is itself a red flag in a company name.

* :func:`neutralise_bidi` (the HTML report, CSV files, findings): bidi controls only; line
  breaks and tabs are data there.
* :func:`terminal_text` (everything printed): bidi controls and every control character but the
  line break and the tab. Rich markup is the printers' business (they print data as plain text).

Examples:
    >>> neutralise_bidi("ACME\\u202eCLL")
    'ACME⟨U+202E⟩CLL'
    >>> terminal_text("\\x1b]0;pwned\\x07KVARSOL\\x1b[31m")
    '⟨U+001B⟩]0;pwned⟨U+0007⟩KVARSOL⟨U+001B⟩[31m'
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

__all__ = ["BIDI_CONTROLS", "neutralise_bidi", "neutralise_bidi_column", "neutralise_value", "terminal_text"]

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Arabic letter mark, LRM, RLM, the embeddings and overrides (U+202A-E) and the isolates (U+2066-9)."""

_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_TERMINAL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def _marker(match: re.Match[str]) -> str:
    return f"⟨U+{ord(match.group()):04X}⟩"


def neutralise_bidi(text: str) -> str:
    """``text`` with every bidi control character replaced by a visible ``⟨U+XXXX⟩`` marker.

    Examples:
        >>> neutralise_bidi("ООО «Ромашка»")
        'ООО «Ромашка»'
    """
    return _BIDI.sub(_marker, text) if _BIDI.search(text) else text


def terminal_text(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (but ``\\n`` and ``\\t``) and bidi controls as markers.

    Examples:
        >>> terminal_text("line one\\nline\\ttwo\\r")
        'line one\\nline\\ttwo⟨U+000D⟩'
    """
    return _TERMINAL.sub(_marker, text) if _TERMINAL.search(text) else text


def neutralise_value(value: Any) -> Any:
    """:func:`neutralise_bidi` applied to every string in nested lists, tuples and dicts (keys too).

    Examples:
        >>> neutralise_value({"subject": "A\\u202eB", "evidence": [{"source": "x\\u2066"}], "score": 0.5})
        {'subject': 'A⟨U+202E⟩B', 'evidence': [{'source': 'x⟨U+2066⟩'}], 'score': 0.5}
    """
    if isinstance(value, str):
        return neutralise_bidi(value)
    if isinstance(value, dict):
        return {neutralise_value(k): neutralise_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(neutralise_value(v) for v in value)
    return value


def neutralise_bidi_column(column: pl.Expr) -> pl.Expr:
    """A polars expression: :func:`neutralise_bidi` over a text column (cells without bidi controls untouched).

    Examples:
        >>> pl.DataFrame({"name": ["A\\u202eB", "plain"]}).select(neutralise_bidi_column(pl.col("name")))["name"].to_list()
        ['A⟨U+202E⟩B', 'plain']
    """
    out = column
    for char in BIDI_CONTROLS:
        out = out.str.replace_all(char, f"⟨U+{ord(char):04X}⟩", literal=True)
    return pl.when(column.str.contains(f"[{BIDI_CONTROLS}]")).then(out).otherwise(column)
