"""Every promise in docs/guarantees.md links to a test that exists (so the page cannot rot)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "guarantees.md"


def test_every_guarantee_names_an_existing_test() -> None:
    cited = re.findall(r"`([\w/.-]+\.py)::(test_\w+)`", PAGE.read_text(encoding="utf-8"))
    assert len(cited) >= 40
    for path, name in cited:
        module = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        defined = {node.name for node in ast.walk(module) if isinstance(node, ast.FunctionDef)}
        assert name in defined, f"{path}::{name} is cited in guarantees.md but does not exist"
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith(("| promise", "|---")):
            assert "::test_" in line, f"a promise without its test: {line}"
