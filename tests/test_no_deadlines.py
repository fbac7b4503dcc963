"""A newcomer's first test run passes on a loaded machine: nothing is timed against the wall clock."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]


def test_hypothesis_has_no_deadline_and_no_luck_by_default() -> None:
    assert settings.default is not None and settings.default.deadline is None
    assert settings.default.derandomize  # a fresh clone's first run tests what every run tests


def test_no_test_sets_a_deadline() -> None:
    tests = [
        *ROOT.glob("tests/**/*.py"),
        *ROOT.glob("plugins/*/tests/**/*.py"),
        *ROOT.glob("docs/example-plugin/tests/*.py"),
    ]
    timed = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in tests
        if path.name != Path(__file__).name
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"deadline=(?!None)", line)
    ]
    assert timed == []
