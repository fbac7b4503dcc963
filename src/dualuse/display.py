"""How results look in a notebook and a terminal: short ``repr`` lines, small HTML cards, pandas and Arrow in one call.

The library's result and model types (``DualUseList``, ``ChainResult``, ``Score``, ``StoredTable``,
``Report``, ...) print as one short line and show as a small card in Jupyter (``_repr_html_``): a
title, a few facts, the first rows of their tables. Results made of frames convert in one call
with ``to_pandas()`` and ``to_arrow()`` (:class:`Frames`).

Examples:
    >>> import polars as pl
    >>> short_repr("ChainResult", chains=12, links=14)
    'ChainResult(chains=12, links=14)'
    >>> html = html_card("CHPL", [("items", "50")], {"items": pl.DataFrame({"code": ["854231"]})})
    >>> html.startswith("<div") and "854231" in html and "<script" not in html
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["HTML_ROWS", "Frames", "html_card", "short_repr"]

HTML_ROWS = 8
"""Rows of each table a notebook card shows (the whole table is one ``to_pandas()`` away)."""


def short_repr(kind: str, *args: object, **facts: object) -> str:
    """``Kind(arg, name=value, ...)`` with each value's ``repr`` (numbers with thousands separators).

    Examples:
        >>> short_repr("DualUseList", "chpl", version="2023", items=45, rows=12_345)
        "DualUseList('chpl', version='2023', items=45, rows=12,345)"
    """

    def shown(value: object) -> str:
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else repr(value)

    parts = [shown(a) for a in args] + [f"{k}={shown(v)}" for k, v in facts.items()]
    return f"{kind}({', '.join(parts)})"


def html_card(title: str, facts: Sequence[tuple[str, str]], tables: Mapping[str, pl.DataFrame] | None = None) -> str:
    """A small HTML card: an escaped title, facts as a two-column table, the first rows of each table."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{escape(label)}</th><td style='text-align:left'>{escape(value)}</td></tr>"
        for label, value in facts
    )
    parts = [f"<div><strong>{escape(title)}</strong><table>{rows}</table>"]
    for name, frame in (tables or {}).items():
        more = f" (first {HTML_ROWS} of {frame.height:,})" if frame.height > HTML_ROWS else ""
        parts.append(f"<p><em>{escape(name)}</em>{escape(more)}</p>{_frame_html(frame.head(HTML_ROWS))}")
    parts.append("</div>")
    return "".join(parts)


def _frame_html(frame: pl.DataFrame) -> str:
    # polars' own HTML (escaped cells, dtypes under the headers), with nested values shown as text.
    nested = [n for n, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct, pl.Array))]
    flat = frame.with_columns(pl.Series(n, [None if v is None else str(v) for v in frame[n].to_list()]) for n in nested)
    return str(flat._repr_html_())


class Frames:
    """Results made of named frames: ``to_pandas()`` and ``to_arrow()`` give every frame in one call.

    A subclass implements :meth:`frames`.
    """

    def frames(self) -> dict[str, pl.DataFrame]:
        """The result's frames by name."""
        raise NotImplementedError

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """Every frame as a pandas DataFrame, by name (needs pandas installed)."""
        return {name: frame.to_pandas() for name, frame in self.frames().items()}

    def to_arrow(self) -> dict[str, pa.Table]:
        """Every frame as a pyarrow Table, by name."""
        return {name: frame.to_arrow() for name, frame in self.frames().items()}

    def _facts(self) -> list[tuple[str, str]]:
        return [(name, f"{frame.height:,} rows") for name, frame in self.frames().items()]

    def _repr_html_(self) -> str:
        return html_card(type(self).__name__, self._facts(), self.frames())
