"""Fixtures: the OFAC sample in ../shared (skipped when absent) and a no-wait sleep recorder."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
OFAC_RAW = REPO_ROOT.parent / "shared" / "data" / "sanctions" / "ofac_raw"


@pytest.fixture(scope="session")
def ofac_raw() -> Path:
    """The byte-exact OFAC sdn/add/alt sample; CI provides it, a user's fresh clone skips."""
    if not (OFAC_RAW / "sdn.csv").is_file():
        pytest.skip(f"OFAC sample not found at {OFAC_RAW} (CI provides ../shared/data)")
    return OFAC_RAW


@pytest.fixture
def waits() -> list[float]:
    """Stands in for time.sleep as ``waits.append``: records each wait instead of waiting."""
    return []


@pytest.fixture(autouse=True)
def _quiet_test_server() -> Iterator[None]:
    """The local test server's access log is the server's, not ours: keep it out of captured logs.

    (It prints each request line, query string included; the secret-hygiene tests read our logs.)
    """
    logger = logging.getLogger("werkzeug")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)
