from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from dualuse.screening import parallel


def _double(items: Sequence[int], _extra: Any) -> list[int]:
    return [2 * i for i in items]


def test_a_library_call_never_starts_processes_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DUALUSE_WORKERS", raising=False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker process was started without DUALUSE_WORKERS")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", refuse)
    assert parallel.map_in_chunks(_double, list(range(10)), None, min_parallel=2) == [2 * i for i in range(10)]


@pytest.mark.parametrize(("setting", "expected"), [("", 1), ("3", 3), ("junk", 1)])
def test_workers_setting(monkeypatch: pytest.MonkeyPatch, setting: str, expected: int) -> None:
    monkeypatch.setenv("DUALUSE_WORKERS", setting)
    assert parallel._configured_workers() == expected


def test_auto_means_every_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUALUSE_WORKERS", "auto")
    assert parallel._configured_workers() == parallel._cores()
