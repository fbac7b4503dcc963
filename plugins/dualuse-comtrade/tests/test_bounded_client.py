"""Bounded network against a real local server: decoded-size limits, deadlines, capped waits, cache keys (issue 14)."""

from __future__ import annotations

import itertools
import json
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dualuse.connectors import FetchContext
from dualuse.connectors.http import DownloadLimitError
from dualuse.errors import ConnectorError
from dualuse.testing.hostile import drip_server, gzip_bomb
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dualuse_comtrade import CallBudget, ComtradeClient, ComtradeConnector
from dualuse_comtrade.client import RetryPolicy

Make = Callable[..., ComtradeConnector]
GET_PATH = "/data/v1/get/C/A/HS"
EMPTY = json.dumps({"count": 0, "data": [], "error": ""})


def _client(base_url: str, tmp_path: Path, sleeps: list[float] | None = None, **kwargs: object) -> ComtradeClient:
    return ComtradeClient(
        base_url=base_url,
        budget=CallBudget(tmp_path / "budget", limit=100),
        timeout=2.0,
        sleep=(sleeps if sleeps is not None else []).append,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_gzip_bomb_stops_at_the_decoded_limit_under_a_small_memory_cap(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    bomb = gzip_bomb(2 * 1024**3)  # 2 MB on the wire, 2 GiB once decoded
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="application/json"
    )
    script = textwrap.dedent(
        f"""
        import pathlib, resource
        from dualuse_comtrade import CallBudget, ComtradeClient
        from dualuse.connectors.http import DownloadLimitError
        client = ComtradeClient(base_url={httpserver.url_for("/")!r},
                                budget=CallBudget(pathlib.Path({str(tmp_path)!r}), limit=10),
                                max_bytes=64 * 1024**2, timeout=10.0)
        print("before kB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        try:
            client.get("bomb", {{}}, describe="bomb")
        except DownloadLimitError as exc:
            print("refused:", exc)
        print("peak kB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )

    def cap_memory() -> None:  # 1 GiB of address space: the decoded bomb cannot fit
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, preexec_fn=cap_memory, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused: Comtrade query bomb: more than 67,108,864 bytes once decoded" in done.stdout
    before_kb = int(done.stdout.split("before kB", 1)[1].split()[0])
    peak_kb = int(done.stdout.rsplit("peak kB", 1)[1])
    # the body went to disk in bounded steps: the download grew the process by less than the 64 MiB
    # limit plus buffers (the imports before it weigh 200-400 MB, depending on the machine's load)
    assert peak_kb - before_kb < 192 * 1024, (before_kb, peak_kb)


def test_an_endless_body_stops_at_the_limit(httpserver: HTTPServer, tmp_path: Path) -> None:
    def endless() -> Iterator[bytes]:
        chunk = b"[" + b"0," * (1 << 19)
        while True:
            yield chunk

    httpserver.expect_request("/endless").respond_with_handler(
        lambda request: Response(endless(), content_type="application/json")
    )
    client = _client(httpserver.url_for("/"), tmp_path, max_bytes=8 * 1024**2)
    with pytest.raises(DownloadLimitError, match="more than 8,388,608 bytes once decoded"):
        client.get("endless", {}, describe="endless")


def test_a_drip_feed_hits_the_overall_deadline(tmp_path: Path) -> None:
    ticks = itertools.count(0.0, 10.0)  # a clock that moves 10 s per look: the outcome never depends on load
    limits = {"deadline": 60.0}
    with drip_server(b"x" * 10_000, pause=0.05) as url:
        client = _client(url.rsplit("/", 1)[0], tmp_path, None, clock=lambda: next(ticks), **limits)
        with pytest.raises(DownloadLimitError, match="not complete by its deadline"):
            client.get("drip", {}, describe="drip")


def test_a_long_retry_after_is_not_obeyed_by_default(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/slow").respond_with_data("busy", status=429, headers={"Retry-After": "3000"})
    sleeps: list[float] = []
    client = _client(httpserver.url_for("/"), tmp_path, sleeps)
    with pytest.raises(ConnectorError, match="asks to wait 3000 s"):
        client.get("slow", {}, describe="slow")
    assert sleeps == []


def test_the_total_of_retry_after_waits_is_capped(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/slow").respond_with_data("busy", status=429, headers={"Retry-After": "400"})
    sleeps: list[float] = []
    client = _client(httpserver.url_for("/"), tmp_path, sleeps, policy=RetryPolicy(max_retries=5))
    with pytest.raises(ConnectorError, match="would pass the 900 s allowed for waits"):
        client.get("slow", {}, describe="slow")
    assert sleeps == [400.0, 400.0]


def test_an_endless_error_page_is_read_only_in_part(httpserver: HTTPServer, tmp_path: Path) -> None:
    def endless(request: Request) -> Response:
        return Response((b"x" * 65536 for _ in iter(int, 1)), status=400)

    httpserver.expect_request("/bad").respond_with_handler(endless)
    with pytest.raises(ConnectorError, match=r"HTTP 400: x{300}$"):
        _client(httpserver.url_for("/"), tmp_path).get("bad", {}, describe="bad")


def test_the_cache_key_includes_the_base_url(
    httpserver: HTTPServer, make_connector: Make, context: FetchContext
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data(EMPTY, content_type="application/json")
    first = make_connector()
    list(first.fetch(context))
    assert len(httpserver.log) == 1
    list(make_connector().fetch(context))  # same server: served from the cache
    assert len(httpserver.log) == 1
    other = make_connector(base_url=httpserver.url_for("/").replace("localhost", "127.0.0.1"))
    if other.config.base_url == first.config.base_url:
        other = make_connector(base_url=httpserver.url_for("/") + "./")
    list(other.fetch(context))  # another server (or mirror): asked again, not served its neighbour's answer
    assert len(httpserver.log) == 2
