"""Downloads against a real HTTP server on 127.0.0.1: throttling, errors, timeouts, truncation, caching."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dualuse_sanctions.download import Downloader, RetryPolicy
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dualuse.errors import ConnectorError

BODY = b'47950,"ELEM GROUP"\r\n' * 1000


def _downloader(waits: list[float], **kwargs: object) -> Downloader:
    retry = RetryPolicy(attempts=3, backoff=0.5, max_wait=30.0)
    return Downloader(timeout=2.0, retry=retry, sleep=waits.append, **kwargs)  # type: ignore[arg-type]


def test_429_waits_for_retry_after(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data(BODY)
    result = _downloader(waits).fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert waits == [7.0]
    assert result.path.read_bytes() == BODY and result.fresh and result.size == len(BODY)
    assert len(httpserver.log) == 2


def test_429_asking_too_long_a_wait_is_a_clear_error(
    httpserver: HTTPServer, tmp_path: Path, waits: list[float]
) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(ConnectorError, match=r"asks to wait 3600 s, more than max_wait=30 s"):
        _downloader(waits).fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert waits == []


def test_500_then_success_backs_off(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data("oops", status=503)
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data(BODY)
    result = _downloader(waits).fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert waits == [0.5, 1.0]  # backoff doubles
    assert result.path.read_bytes() == BODY


def test_persistent_500_gives_up_naming_the_error(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data("oops", status=502)
    with pytest.raises(ConnectorError, match=r"/sdn.csv: gave up after 3 attempts; last error: HTTP 502"):
        _downloader(waits).fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert len(httpserver.log) == 3 and waits == [0.5, 1.0]
    assert not (tmp_path / "sdn.csv").exists() and not (tmp_path / "sdn.csv.part").exists()


def test_404_is_not_retried(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data("gone", status=404)
    with pytest.raises(ConnectorError, match="HTTP 404 NOT FOUND"):
        _downloader(waits).fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert len(httpserver.log) == 1


def test_timeout_is_retried_then_reported(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.4)
        return Response(BODY)

    httpserver.expect_request("/sdn.csv").respond_with_handler(slow)
    downloader = Downloader(timeout=0.1, retry=RetryPolicy(attempts=2, backoff=0.25), sleep=waits.append)
    with pytest.raises(ConnectorError, match=r"gave up after 2 attempts; last error: timed out after 0.1 s"):
        downloader.fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert waits == [0.25]


def _truncated(request: Request) -> Response:
    response = Response(BODY[:100])
    response.headers["Content-Length"] = str(len(BODY))
    response.automatically_set_content_length = False
    return response


def test_truncated_body_is_detected(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_handler(_truncated)
    with pytest.raises(ConnectorError, match=r"truncated body.*received 100 bytes, expected 20000"):
        _downloader(waits).fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert not (tmp_path / "sdn.csv").exists()  # never a partial file that looks complete


def test_truncated_then_complete(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/sdn.csv").respond_with_handler(_truncated)
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data(BODY)
    assert _downloader(waits).fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv").size == len(BODY)


def test_conditional_download_reuses_the_cache(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    headers = {"ETag": '"v1"', "Last-Modified": "Fri, 03 May 2024 10:00:00 GMT"}
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data(BODY, headers=headers)
    httpserver.expect_ordered_request("/sdn.csv", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_ordered_request("/sdn.csv").respond_with_data(b"new")
    downloader = _downloader(waits)
    first = downloader.fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    second = downloader.fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv")
    assert (first.fresh, first.etag) == (True, '"v1"')
    assert (second.fresh, second.path.read_bytes()) == (False, BODY)
    third = downloader.fetch(httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv", refresh=True)
    assert third.fresh and third.path.read_bytes() == b"new"
    assert "If-None-Match" not in httpserver.log[2][0].headers


def test_size_limit_and_token_redaction(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_request("/content").respond_with_data(BODY)
    downloader = _downloader(waits, max_bytes=1000)
    with pytest.raises(ConnectorError, match="20,000 bytes announced, above the limit of 1,000") as raised:
        downloader.fetch(httpserver.url_for("/content") + "?token=s3cret", tmp_path / "eu.csv")
    assert "s3cret" not in str(raised.value)


def test_progress_is_reported(httpserver: HTTPServer, tmp_path: Path, waits: list[float]) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data(BODY)
    calls: list[tuple[int, int | None, str]] = []
    _downloader(waits, progress=lambda n, total, text: calls.append((n, total, text))).fetch(
        httpserver.url_for("/sdn.csv"), tmp_path / "sdn.csv"
    )
    assert sum(n for n, _, _ in calls) == len(BODY) and {t for _, t, _ in calls} == {len(BODY)}
