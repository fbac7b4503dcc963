"""The HTTP side: one GET with retries, honouring ``Retry-After``, counted against the daily budget.

* HTTP 429 (and a 5xx that sends ``Retry-After``): wait what ``Retry-After`` says (seconds or an
  HTTP date), then retry.
* HTTP 5xx, timeouts and dropped connections: retry after ``backoff * 2**attempt`` seconds,
  capped at ``max_backoff``.
* Any other 4xx: no retry; a :class:`ConnectorError` with the status and the API's message.
* Every wait counts against ``max_total_wait``; every call has an overall ``deadline`` (retries
  and waits included) and a ``max_bytes`` limit on its *decoded* body, which is streamed (to disk
  past 8 MiB) and decoded in bounded steps, so an endless body or a gzip bomb stops at the limit.

The sleep function and the clock are injected so that tests never wait. The API key travels only
in the ``Ocp-Apim-Subscription-Key`` header; URLs that are logged or put in errors never carry it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx
from dualuse.connectors.http import ACCEPT_ENCODING, DownloadLimitError, WaitBudget, read_body, retry_after
from dualuse.errors import ConnectorError
from pydantic import SecretStr

from dualuse_comtrade.store import CallBudget

__all__ = ["KEY_HEADER", "ComtradeClient", "RetryPolicy", "retry_after_seconds"]

KEY_HEADER = "Ocp-Apim-Subscription-Key"
_log = logging.getLogger("dualuse_comtrade")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry."""

    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    max_retry_after: float = 600.0
    """A ``Retry-After`` longer than this is not waited for: the fetch stops with a clear error."""
    max_total_wait: float = 900.0
    """All the waits of one call together (``Retry-After`` and backoff); beyond, a clear error."""

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based) after a 5xx or timeout.

        Examples:
            >>> [RetryPolicy(backoff=1, max_backoff=5).delay(n) for n in range(5)]
            [1.0, 2.0, 4.0, 5.0, 5.0]
        """
        return float(min(self.backoff * 2**attempt, self.max_backoff))


def retry_after_seconds(value: str | None, *, now: dt.datetime, default: float) -> float:
    """Read a ``Retry-After`` header: delay-seconds or an HTTP date; ``default`` when absent or bad.

    Examples:
        >>> import datetime as dt
        >>> now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
        >>> retry_after_seconds("7", now=now, default=1), retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now=now, default=1)
        (7.0, 30.0)
    """
    found = retry_after(value, now=now)
    return default if found is None else found


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _error_message(response: httpx.Response, deadline: float, clock: Callable[[], float]) -> str:
    """The start of an error page (its first 4 KiB at most: an error page may be endless too)."""
    page = io.BytesIO()
    with contextlib.suppress(DownloadLimitError):
        read_body(response, page, max_bytes=4096, deadline=deadline, what="error page", clock=clock)
    text = page.getvalue()[:4096].decode("utf-8", errors="replace").strip().replace("\n", " ")
    return text[:300] if text else response.reason_phrase


@dataclass
class ComtradeClient:
    """GETs Comtrade endpoints with retries; every request sent is counted in ``budget``."""

    base_url: str
    budget: CallBudget
    api_key: SecretStr | None = None
    timeout: float = 60.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], dt.datetime] = _utc_now
    transport: httpx.BaseTransport | None = None
    max_bytes: int = 512 * 1024**2
    """Largest answer accepted, once decoded."""
    deadline: float = 900.0
    """Seconds one call may take in all, retries and waits included."""
    clock: Callable[[], float] = time.monotonic
    _http: httpx.Client | None = field(default=None, init=False, repr=False)

    def __repr__(self) -> str:  # says whether a key is set, never which
        return f"ComtradeClient(base_url={self.base_url!r}, api_key={'set' if self.api_key else 'none'})"

    def __enter__(self) -> ComtradeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (the client opens a new one if used again)."""
        if self._http is not None:
            self._http.close()
            self._http = None

    def _client(self) -> httpx.Client:
        """One connection pool for all calls of a fetch (keep-alive between calls)."""
        if self._http is None:
            self._http = self._new_client()
        return self._http

    def _new_client(self) -> httpx.Client:
        headers = {"Accept": "application/json", "User-Agent": "dualuse-comtrade", "Accept-Encoding": ACCEPT_ENCODING}
        if self.api_key is not None:
            headers[KEY_HEADER] = self.api_key.get_secret_value()
        return httpx.Client(
            base_url=self.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=self.timeout,
            transport=self.transport,
        )

    def get(self, path: str, params: Mapping[str, str], *, describe: str) -> bytes:
        """The body of a successful GET of ``path`` with ``params``; ``describe`` names the query in errors."""
        client = self._client()
        attempt = 0
        deadline = self.clock() + self.deadline
        waits = WaitBudget(self.policy.max_total_wait)
        while True:
            self.budget.spend()
            outcome = self._attempt(client, path, params, describe=describe, attempt=attempt, deadline=deadline)
            if isinstance(outcome, bytes):
                return outcome
            if attempt >= self.policy.max_retries:
                tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
                raise ConnectorError(
                    f"Comtrade query {describe}: gave up after {tries}; last problem: {outcome.problem}"
                )
            if outcome.wait > self.policy.max_retry_after:
                raise ConnectorError(
                    f"Comtrade query {describe}: throttled; the API asks to wait {outcome.wait:.0f} s, "
                    f"more than max_retry_after ({self.policy.max_retry_after:.0f} s); try again later"
                )
            waits.take(outcome.wait, what=f"Comtrade query {describe}")
            if self.clock() + outcome.wait > deadline:
                raise DownloadLimitError(
                    f"Comtrade query {describe}: not complete by its deadline of {self.deadline:g} s; "
                    f"last problem: {outcome.problem}"
                )
            _log.warning("Comtrade %s: %s; retrying in %.1f s", path, outcome.problem, outcome.wait)
            self.sleep(outcome.wait)
            attempt += 1

    def _attempt(
        self,
        client: httpx.Client,
        path: str,
        params: Mapping[str, str],
        *,
        describe: str,
        attempt: int,
        deadline: float,
    ) -> bytes | _Retry:
        """One request: the body, or what went wrong and how long to wait when it is worth retrying."""
        _log.info("GET %s %s", path, dict(params))
        try:
            with client.stream("GET", path, params=dict(params)) as response:
                return self._answer(response, describe=describe, attempt=attempt, deadline=deadline)
        except httpx.TimeoutException:
            return _Retry(f"no answer within {self.timeout:g} s", self.policy.delay(attempt))
        except httpx.TransportError as exc:
            return _Retry(f"connection failed ({type(exc).__name__}: {exc})", self.policy.delay(attempt))

    def _answer(self, response: httpx.Response, *, describe: str, attempt: int, deadline: float) -> bytes | _Retry:
        """The body of a streamed response (bounded), or the retry it asks for; errors for the rest."""
        message = _error_message(response, deadline, self.clock) if response.status_code >= 400 else ""
        if response.status_code == 429 or response.status_code >= 500:
            # A 503 may carry Retry-After too; without one, 5xx waits grow with each attempt.
            header = response.headers.get("Retry-After")
            wait = retry_after_seconds(header, now=self.now(), default=self.policy.delay(attempt))
            return _Retry(f"HTTP {response.status_code} ({message})", wait)
        if response.is_redirect:
            # Not followed: the key header would travel to wherever the redirect points.
            raise ConnectorError(
                f"Comtrade query {describe}: HTTP {response.status_code} redirect to "
                f"{response.headers.get('Location', '?')}; check base_url"
            )
        if response.status_code >= 400:
            hint = " (is the API key right?)" if response.status_code in (401, 403) else ""
            raise ConnectorError(f"Comtrade query {describe}: HTTP {response.status_code}{hint}: {message}")
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024**2) as body:  # on disk past 8 MiB
            read_body(
                response,
                body,
                max_bytes=self.max_bytes,
                deadline=deadline,
                what=f"Comtrade query {describe}",
                clock=self.clock,
            )
            body.seek(0)
            return body.read()


@dataclass(frozen=True)
class _Retry:
    problem: str
    wait: float
