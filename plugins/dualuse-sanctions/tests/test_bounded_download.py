"""Bounded downloads against a real local server: decoded limits, deadlines, capped waits, company (issue 14)."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
from dualuse_sanctions.download import Downloader, RetryPolicy
from pytest_httpserver import HTTPServer

from dualuse.connectors.http import DownloadLimitError
from dualuse.errors import ConnectorError
from dualuse.testing.hostile import drip_server, gzip_bomb


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_max_bytes_counts_decoded_bytes_and_nothing_is_left_in_the_cache(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data(
        gzip_bomb(64 * 2**20), headers={"Content-Encoding": "gzip"}, content_type="text/csv"
    )
    cache = tmp_path / "cache"
    downloader = Downloader(timeout=5.0, max_bytes=2**20, retry=RetryPolicy(attempts=2), sleep=lambda s: None)
    with pytest.raises(DownloadLimitError, match="more than 1,048,576 bytes once decoded"):
        downloader.fetch(httpserver.url_for("/sdn.csv"), cache / "sdn.csv")
    assert _leftovers(cache) == []
    assert len(httpserver.log) == 1  # a limit is not retried


def test_a_drip_feed_hits_the_overall_deadline_and_leaves_no_part_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ticks = itertools.count(0.0, 10.0)  # a clock that moves 10 s per look: the outcome never depends on load
    limits = {"deadline": 60.0}
    with drip_server(b"x" * 10_000, pause=0.05) as url:
        downloader = Downloader(timeout=5.0, sleep=lambda s: None, clock=lambda: next(ticks), **limits)  # type: ignore[arg-type]
        with pytest.raises(DownloadLimitError, match="not complete by its deadline"):
            downloader.fetch(url, cache / "sdn.csv")
    assert _leftovers(cache) == []


def test_the_total_of_retry_after_waits_is_capped(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data("busy", status=429, headers={"Retry-After": "100"})
    waits: list[float] = []
    retry = RetryPolicy(attempts=10, max_wait=120.0, max_total_wait=250.0)
    with pytest.raises(ConnectorError, match="would pass the 250 s allowed for waits"):
        Downloader(timeout=2.0, retry=retry, sleep=waits.append).fetch(
            httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv"
        )
    assert waits == [100.0, 100.0]


def test_two_fetches_of_one_file_take_turns_and_both_succeed(tmp_path: Path) -> None:
    body = b"47950,ELEM GROUP\n" * 4
    cache = tmp_path / "cache"
    results: list[object] = []
    with drip_server(body, pause=0.01) as url:

        def fetch() -> None:
            try:
                results.append(Downloader(timeout=5.0, sleep=lambda s: None).fetch(url, cache / "sdn.csv").size)
            except Exception as exc:
                results.append(exc)

        threads = [threading.Thread(target=fetch) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert results == [len(body), len(body)]
    assert (cache / "sdn.csv").read_bytes() == body
    assert _leftovers(cache) == ["sdn.csv", "sdn.csv.meta.json"]
