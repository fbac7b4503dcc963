"""mkdocs hook: ``<!-- columns: NAME -->`` in a page becomes the column table of output NAME.

The table is made by running the code (:func:`dualuse.outputs.column_table`), so it always shows
the columns the code makes; tests/test_output_columns.py fails when a column has no description.
"""

from __future__ import annotations

import re
from typing import Any

from dualuse.outputs import OUTPUTS, column_table

MARKER = re.compile(r"<!-- columns: ([\w.]+) -->")


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace every column marker with its table (an unknown name fails the build)."""

    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in OUTPUTS:
            raise ValueError(f"<!-- columns: {name} -->: no such output; known: {', '.join(OUTPUTS)}")
        return column_table(name)

    return MARKER.sub(table, markdown)
