"""Robust downloads: streamed to disk, retried with bounded backoff, checked for truncation.

* HTTP 429 waits for ``Retry-After`` (seconds or an HTTP date) when it is within ``max_wait``,
  else fails with a clear error rather than hammering the server.
* 500, 502, 503, 504, timeouts, dropped connections and truncated bodies are retried, waiting
  ``backoff``, ``2 * backoff``, ... (capped at ``max_wait``), at most ``attempts`` times in all,
  and never more than ``max_total_wait`` seconds of waiting in all.
* A body shorter than its ``Content-Length`` is a truncated download, never a complete file.
* ``max_bytes`` counts the bytes *once decoded* (a small gzip response that expands to gigabytes
  stops at the limit), and ``deadline`` bounds the whole download, retries and waits included (a
  server that drips a byte every few seconds never trips a per-read timeout).
* The body goes to a staging file of its own beside the target (``.NAME.*.part``), in chunks, and
  is renamed into place only when complete, so a file of a gigabyte never sits in memory, a
  half-written file never looks complete, and a failed download leaves nothing behind.
* Two processes fetching the same file take turns (a lock per target file): the second finds the
  first one's copy and re-validates it.
* A file downloaded before is re-validated with ``If-None-Match`` / ``If-Modified-Since``: a
  ``304 Not Modified`` keeps the cached copy.
* URLs in messages, and in httpx's own log lines, lose their query string (it may carry a token).

The ``sleep`` function is injected, so tests run without waiting.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from filelock import FileLock

from dualuse.connectors.http import ACCEPT_ENCODING, DownloadLimitError, WaitBudget, read_body, retry_after
from dualuse.errors import ConnectorError
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES

__all__ = ["Downloaded", "Downloader", "RetryPolicy", "redact"]

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: ``attempts`` in all, waits from ``backoff`` doubling to ``max_wait``."""

    attempts: int = 5
    backoff: float = 1.0
    max_wait: float = 120.0
    max_total_wait: float = 300.0
    """All the waiting of one download together, ``Retry-After`` included."""

    def wait(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (1-based).

        Examples:
            >>> tuple(RetryPolicy(backoff=1.0, max_wait=5.0).wait(n) for n in (1, 2, 3, 4))
            (1.0, 2.0, 4.0, 5.0)
        """
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_wait))


@dataclass(frozen=True)
class Downloaded:
    """A file on disk and how it got there (``fresh`` is False when a 304 kept the cached copy)."""

    path: Path
    url: str
    size: int
    fresh: bool
    etag: str | None = None
    last_modified: str | None = None


def redact(url: str) -> str:
    """The URL without its query string and credentials (safe to print).

    Examples:
        >>> redact("https://user:pw@example.org/files/list.csv?token=s3cret")
        'https://example.org/files/list.csv'
    """
    parsed = httpx.URL(url)
    return str(parsed.copy_with(query=None, fragment=None, userinfo=b""))


class _RedactUrls(logging.Filter):
    """Strips query strings from the URLs httpx logs ("HTTP Request: GET <url> ..."): they may hold tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(str(a)) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


_URL_FILTER = _RedactUrls()
logging.getLogger("httpx").addFilter(_URL_FILTER)


class _RetryableError(Exception):
    """A failure worth another attempt, with the wait the server asked for (if any)."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class Downloader:
    """Downloads files with retries, truncation checks and conditional requests.

    Examples:
        >>> downloader = Downloader(timeout=5.0, retry=RetryPolicy(attempts=2), sleep=lambda seconds: None)
        >>> downloader.retry.attempts
        2
    """

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline: float = 3600.0,
        progress: Callable[[int, int | None, str], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.progress = progress
        self._transport = transport
        self._clock = clock

    def fetch(self, url: str, dest: Path, *, refresh: bool = False) -> Downloaded:
        """Download ``url`` to ``dest`` (atomically); reuse ``dest`` when the server says it is unchanged.

        Raises :class:`dualuse.errors.ConnectorError` naming the URL (without its query) and what went
        wrong after the last attempt.
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(dest.with_name(dest.name + ".lock"), timeout=self.deadline):  # one download of a file at a time
            return self._fetch(url, dest, refresh=refresh)

    def _fetch(self, url: str, dest: Path, *, refresh: bool) -> Downloaded:
        meta_path = dest.with_name(dest.name + ".meta.json")
        headers: dict[str, str] = {"Accept-Encoding": ACCEPT_ENCODING}
        if not refresh and dest.exists() and meta_path.exists():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        shown = redact(url)
        last_error = ""
        deadline = self._clock() + self.deadline
        waits = WaitBudget(self.retry.max_total_wait)
        with httpx.Client(timeout=self.timeout, follow_redirects=True, transport=self._transport) as client:
            for attempt in range(1, self.retry.attempts + 1):
                try:
                    result = self._attempt(client, url, dest, headers, deadline)
                except _RetryableError as exc:
                    last_error = str(exc)
                    if attempt == self.retry.attempts:
                        break
                    wait = self.retry.wait(attempt) if exc.wait is None else exc.wait
                    if wait > self.retry.max_wait:
                        raise ConnectorError(
                            f"{shown}: the server asks to wait {wait:.0f} s, more than max_wait={self.retry.max_wait:.0f} s;"
                            " try again later"
                        ) from None
                    waits.take(wait, what=shown)
                    if self._clock() + wait > deadline:
                        raise DownloadLimitError(
                            f"{shown}: not complete by its deadline of {self.deadline:g} s; last error: {last_error}"
                        ) from None
                    self.sleep(wait)
                    continue
                if result.fresh:
                    meta_path.write_text(
                        json.dumps({"url": shown, "etag": result.etag, "last_modified": result.last_modified}),
                        encoding="utf-8",
                    )
                return result
        raise ConnectorError(f"{shown}: gave up after {self.retry.attempts} attempts; last error: {last_error}")

    def _attempt(
        self, client: httpx.Client, url: str, dest: Path, headers: dict[str, str], deadline: float
    ) -> Downloaded:
        shown = redact(url)
        handle, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        part = Path(name)
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304 and dest.exists():
                    return Downloaded(dest, shown, dest.stat().st_size, False, headers.get("If-None-Match"))
                if response.status_code in _RETRY_STATUS:
                    wait = retry_after(response.headers.get("Retry-After"), now=dt.datetime.now(dt.UTC))
                    raise _RetryableError(
                        f"HTTP {response.status_code}", wait if response.status_code in (429, 503) else None
                    )
                if response.status_code >= 400:
                    raise ConnectorError(f"{shown}: HTTP {response.status_code} {response.reason_phrase}")
                expected = response.headers.get("Content-Length")
                total = int(expected) if expected and expected.isdigit() else None
                if total is not None and total > self.max_bytes:
                    raise ConnectorError(f"{shown}: {total:,} bytes announced, above the limit of {self.max_bytes:,}")
                with os.fdopen(handle, "wb") as out:
                    handle = -1
                    read_body(
                        response,
                        out,
                        max_bytes=self.max_bytes,
                        deadline=deadline,
                        what=shown,
                        clock=self._clock,
                        on_bytes=None if self.progress is None else lambda n: self._progress(n, total, dest),
                    )
                received = response.num_bytes_downloaded
                if total is not None and received != total:
                    raise _RetryableError(f"truncated body: received {received:,} of {total:,} bytes")
                os.replace(part, dest)
                return Downloaded(
                    dest,
                    shown,
                    dest.stat().st_size,
                    True,
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                )
        except httpx.TimeoutException as exc:
            raise _RetryableError(f"timed out after {self.timeout:g} s ({type(exc).__name__})") from None
        except httpx.RemoteProtocolError as exc:
            raise _RetryableError(f"truncated body or dropped connection: {exc}") from None
        except httpx.TransportError as exc:
            raise _RetryableError(f"network error: {type(exc).__name__}: {exc}") from None
        finally:
            if handle != -1:
                os.close(handle)
            part.unlink(missing_ok=True)

    def _progress(self, size: int, total: int | None, dest: Path) -> None:
        assert self.progress is not None
        self.progress(size, total, dest.name)
