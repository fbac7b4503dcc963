"""Helpers for connectors that fetch over HTTP (the Comtrade and sanctions plugins use them).

A download is bounded whatever the server does (:func:`read_body`): the *decoded* bytes are
counted (a 2 MB gzip response that expands to 2 GiB stops at the limit, never reaching memory or
disk), the body is decoded in bounded steps (a gzip bomb never expands more than 1 MiB at once),
and an overall deadline stops a server that drips one byte every few seconds, which per-read
timeouts never catch. :class:`WaitBudget` caps the total time spent obeying ``Retry-After``.
Clients send ``Accept-Encoding: gzip, deflate`` (:data:`ACCEPT_ENCODING`), the encodings decoded here.

Examples:
    >>> import datetime as dt
    >>> now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    >>> retry_after("7", now=now), retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now), retry_after("soon", now=now)
    (7.0, 30.0, None)
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import httpx

from dualuse.errors import ConnectorError

__all__ = ["ACCEPT_ENCODING", "DownloadLimitError", "WaitBudget", "read_body", "retry_after"]

ACCEPT_ENCODING = "gzip, deflate"
"""The content encodings :func:`read_body` decodes (send it, so no server picks another)."""

_STEP = 1 << 20  # the most a compressed chunk may expand to in one go


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class DownloadLimitError(ConnectorError):
    """A download stopped by a limit (decoded size or overall deadline); retrying would not help."""


def retry_after(value: str | None, *, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date); None when absent or unreadable.

    A date in the past means no wait; a date without a zone is read as UTC, as HTTP dates are.
    """
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - now).total_seconds(), 0.0)


def _inflate(wbits: int) -> Callable[[bytes], Iterator[bytes]]:
    """A decoder that yields at most 1 MiB at a time, whatever a chunk expands to (gzip members chained)."""
    state = {"d": zlib.decompressobj(wbits)}

    def feed(data: bytes) -> Iterator[bytes]:
        while data:
            d = state["d"]
            out = d.decompress(data, _STEP)
            if out:
                yield out
            while d.unconsumed_tail:
                out = d.decompress(d.unconsumed_tail, _STEP)
                if out:
                    yield out
            data = d.unused_data if d.eof else b""
            if data:  # another gzip member follows
                state["d"] = zlib.decompressobj(wbits)

    return feed


def _decoder(response: httpx.Response) -> Callable[[bytes], Iterator[bytes]] | None:
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _inflate(zlib.MAX_WBITS | 32)  # gzip or zlib header, told apart by the data
    raise ConnectorError(f"{response.url.copy_with(query=None)}: unsupported Content-Encoding {encoding!r}")


def read_body(
    response: httpx.Response,
    sink: _Sink,
    *,
    max_bytes: int,
    deadline: float,
    what: str,
    clock: Callable[[], float] = time.monotonic,
    on_bytes: Callable[[int], None] | None = None,
) -> int:
    """Write the decoded body of a streamed ``response`` into ``sink``; the number of decoded bytes.

    Raises :class:`DownloadLimitError` naming ``what`` when the decoded body passes ``max_bytes``
    or ``clock()`` passes ``deadline`` (a :func:`time.monotonic` time) between two chunks.
    ``response`` must come from ``client.stream(...)``: the raw body is read here.

    Examples:
        >>> import gzip, io, time
        >>> body = httpx.ByteStream(gzip.compress(bytes(10**7)))
        >>> bomb = httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=body)
        >>> read_body(bomb, io.BytesIO(), max_bytes=10**6, deadline=time.monotonic() + 60, what="bomb.json")
        Traceback (most recent call last):
        dualuse.connectors.http.DownloadLimitError: bomb.json: more than 1,000,000 bytes once decoded; refused
    """
    decode = _decoder(response)
    total = 0
    for raw in response.iter_raw():  # as the bytes arrive: a chunk size would wait to fill it
        if clock() > deadline:
            raise DownloadLimitError(f"{what}: not complete by its deadline ({total:,} bytes so far); refused")
        for piece in decode(raw) if decode is not None else (raw,):
            if total + len(piece) > max_bytes:
                sink.write(piece[: max_bytes - total])  # what fits, for a caller that wants the start
                raise DownloadLimitError(f"{what}: more than {max_bytes:,} bytes once decoded; refused")
            total += len(piece)
            sink.write(piece)
            if on_bytes is not None:
                on_bytes(len(piece))
    return total


@dataclass
class WaitBudget:
    """The total seconds a download may spend waiting between attempts (``Retry-After`` or backoff).

    Examples:
        >>> budget = WaitBudget(60)
        >>> budget.take(45, what="ofac-sdn")
        >>> budget.take(30, what="ofac-sdn")
        Traceback (most recent call last):
        dualuse.errors.ConnectorError: ofac-sdn: waiting 30 s more would pass the 60 s allowed for waits (45 s already); try again later
    """

    total: float
    spent: float = 0.0

    def take(self, seconds: float, *, what: str) -> None:
        """Count ``seconds`` of waiting; ConnectorError if that passes :attr:`total`."""
        if self.spent + seconds > self.total:
            raise ConnectorError(
                f"{what}: waiting {seconds:.0f} s more would pass the {self.total:.0f} s allowed for waits "
                f"({self.spent:.0f} s already); try again later"
            )
        self.spent += seconds
