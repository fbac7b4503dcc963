"""Fixtures of the explore tests: one demo run per session, its workspace and the database built from it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def demo_database(demo_workspace: Path) -> Path:
    """The explore database of the demo workspace."""
    pytest.importorskip("sqlite_utils", reason="the explore extra is not installed")
    from dualuse.explore import build_database

    return build_database(demo_workspace).path


@pytest.fixture(scope="session")
def explore_server(demo_database: Path) -> Iterator[str]:
    """The demo database served by Datasette with the dualuse plugin on 127.0.0.1; yields the base URL."""
    pytest.importorskip("datasette", reason="the explore extra is not installed")
    import asyncio

    import uvicorn

    from dualuse.explore.serve import datasette_app

    app = datasette_app(demo_database)
    asyncio.run(app.invoke_startup())
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the explore server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
