"""Fixtures for the connector, store and plugin-host tests."""

from __future__ import annotations

import pathlib
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest

from dualuse.connectors.manager import reset_plugin_manager

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> pathlib.Path:
    """The hand-written fixtures in the real layouts."""
    return DATA


@pytest.fixture
def fresh_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rebuild the plugin manager for this test and again afterwards (env changes take effect)."""
    reset_plugin_manager()
    yield
    monkeypatch.undo()
    reset_plugin_manager()


DistWriter = Callable[..., pathlib.Path]


@pytest.fixture
def install_dist(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, fresh_manager: None) -> Iterator[DistWriter]:
    """Install a real distribution (module + .dist-info with an entry point) into a folder on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(
        dist: str, module: str, source: str, *, entry_point: str | None = None, target: str | None = None
    ) -> pathlib.Path:
        monkeypatch.delitem(sys.modules, module, raising=False)  # an earlier test's module of this name
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(
            f"[dualuse]\n{entry_point or module} = {target or module}\n", encoding="utf-8"
        )
        return site

    yield install
    for name in [
        m
        for m in sys.modules
        if m.startswith("dualuse_") and (getattr(sys.modules[m], "__file__", None) or "").startswith(str(site))
    ]:
        del sys.modules[name]
