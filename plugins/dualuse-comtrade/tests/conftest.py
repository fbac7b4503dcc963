"""Fixtures: the recorded Comtrade response, and connectors aimed at the local test server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dualuse.connectors import FetchContext
from pytest_httpserver import HTTPServer

from dualuse_comtrade import ComtradeConfig, ComtradeConnector

REPO_ROOT = Path(__file__).resolve().parents[3]
RECORDED = REPO_ROOT.parent / "shared" / "data" / "comtrade" / "comtrade_v1_get_C_A_HS_CHN_2010_fixture.json"


@pytest.fixture(scope="session")
def recorded_body() -> bytes:
    """The real recorded response of ``data/v1/get/C/A/HS`` (China 2010, TOTAL); skips when absent."""
    if not RECORDED.is_file():
        pytest.skip(f"recorded Comtrade response not found at {RECORDED} (CI provides ../shared)")
    return RECORDED.read_bytes()


@pytest.fixture
def sleeps() -> list[float]:
    """The waits a connector asked for (nothing actually sleeps)."""
    return []


@pytest.fixture
def context(tmp_path: Path) -> FetchContext:
    """A fetch context with a fresh cache folder; parse-level rejects collect in ``context.rejected``."""
    return FetchContext(tmp_path / "cache")


@pytest.fixture
def make_connector(httpserver: HTTPServer, sleeps: list[float]) -> Callable[..., ComtradeConnector]:
    """Build a connector aimed at the local server; keyword arguments are settings."""

    def make(**settings: Any) -> ComtradeConnector:
        values: dict[str, Any] = {
            "base_url": httpserver.url_for("/"),
            "reporters": ["KZ"],
            "partners": ["RU"],
            "hs_codes": ["8542"],
            "periods": ["2023"],
            "api_key": "test-key",
            "timeout": 2.0,
        }
        values.update(settings)
        return ComtradeConnector(ComtradeConfig(**values), sleep=sleeps.append)

    return make
