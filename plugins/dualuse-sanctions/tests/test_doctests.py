"""The examples in the plugin's docstrings run (the root test run does not collect plugin sources)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import dualuse_sanctions
import pytest

MODULES = sorted(m.name for m in pkgutil.iter_modules(dualuse_sanctions.__path__, "dualuse_sanctions."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_every_module_has_examples() -> None:
    without = [name for name in MODULES if doctest.testmod(importlib.import_module(name)).attempted == 0]
    assert without == []
