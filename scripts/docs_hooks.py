"""mkdocs hooks: tables made from the code and the recorded benchmark runs, so pages cannot go stale.

``<!-- columns: NAME -->`` in a page becomes the column table of output NAME, made by running the
code (:func:`dualuse.outputs.column_table`); tests/test_output_columns.py fails when a column has
no description. ``<!-- benchmarks -->`` becomes the latest figures and the history of every
benchmark, from ``benchmarks/results.jsonl`` (:func:`benchmarks.record.page`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from dualuse.outputs import OUTPUTS, column_table

MARKER = re.compile(r"<!-- columns: ([\w.]+) -->")
BENCHMARKS = "<!-- benchmarks -->"
ROOT = Path(__file__).resolve().parents[1]


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace every column marker with its table (an unknown name fails the build)."""

    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in OUTPUTS:
            raise ValueError(f"<!-- columns: {name} -->: no such output; known: {', '.join(OUTPUTS)}")
        return column_table(name)

    if BENCHMARKS in markdown:
        sys.path.insert(0, str(ROOT))  # the benchmarks package lives beside src/, not inside it
        from benchmarks.record import page, read

        markdown = markdown.replace(BENCHMARKS, page(read()))
    return MARKER.sub(table, markdown)
