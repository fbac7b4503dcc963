"""Every output frame's column table in the docs is generated from the code and describes every column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dualuse.outputs import OUTPUTS, column_table, undocumented

DOCS = Path(__file__).resolve().parents[1] / "docs"
MARKERS = {
    m: page.relative_to(DOCS)
    for page in DOCS.rglob("*.md")
    for m in re.findall(r"<!-- columns: ([\w.]+) -->", page.read_text(encoding="utf-8"))
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_every_column_the_code_makes_is_described(name: str) -> None:
    assert undocumented(name) == []
    assert "not described" not in column_table(name)


def test_every_output_has_its_table_in_the_docs() -> None:
    assert set(MARKERS) == set(OUTPUTS)


def test_a_new_column_shows_up_as_not_described(monkeypatch: pytest.MonkeyPatch) -> None:
    output = OUTPUTS["did"]
    monkeypatch.setitem(
        OUTPUTS, "did-probe", type(output)(output.title, dict(list(output.columns.items())[1:]), output.sample)
    )
    assert undocumented("did-probe") == ["estimate"]
    assert "| `estimate` | Float64 | **not described** |" in column_table("did-probe")
