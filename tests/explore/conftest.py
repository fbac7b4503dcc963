"""Fixtures of the explore tests: one demo run per session, its workspace and the database built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dualuse.demo import DemoResult, run_demo


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """The demo, run once into a temporary folder (its workspace holds inputs and results)."""
    return run_demo(tmp_path_factory.mktemp("explore-demo"))


@pytest.fixture(scope="session")
def demo_workspace(demo_run: DemoResult) -> Path:
    """The demo's workspace folder."""
    assert demo_run.workspace is not None
    return demo_run.workspace.path
