"""The pytest plugin of dualuse (``pytest11`` entry point): fixtures for plugin authors.

Fixtures: ``dualuse_workspace`` (a :class:`~dualuse.store.Workspace` in a temporary folder, also
set as ``DUALUSE_WORKSPACE``), ``fetch_context`` (a :class:`~dualuse.connectors.FetchContext`
with a temporary cache folder) and ``register_plugin`` (register a plugin object with the plugin
manager for one test).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dualuse.connectors.base import FetchContext
    from dualuse.store import Workspace

__all__ = ["dualuse_workspace", "fetch_context", "register_plugin"]


@pytest.fixture
def dualuse_workspace(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """An empty workspace in a temporary folder (``DUALUSE_WORKSPACE`` points to it)."""
    from dualuse.store import Workspace

    folder = tmp_path / "workspace"
    monkeypatch.setenv("DUALUSE_WORKSPACE", str(folder))
    return Workspace(folder)


@pytest.fixture
def fetch_context(tmp_path: pathlib.Path) -> FetchContext:
    """A fetch context with a temporary cache folder; rejected rows collect in ``.rejected``."""
    from dualuse.connectors.base import FetchContext

    return FetchContext(tmp_path / "cache")


@pytest.fixture
def register_plugin() -> Iterator[Callable[[object, str], None]]:
    """``register_plugin(plugin, name)`` registers a plugin object for the duration of one test."""
    from dualuse.plugins.host import get_plugin_manager

    manager = get_plugin_manager()
    names: list[str] = []

    def register(plugin: object, name: str) -> None:
        manager.register(plugin, name=name)
        names.append(name)

    yield register
    for name in names:
        if manager.has_plugin(name):
            manager.unregister(name=name)
