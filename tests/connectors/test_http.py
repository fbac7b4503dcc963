"""dualuse.connectors.http: reading Retry-After as both plugins need it."""

from __future__ import annotations

import datetime as dt

import pytest

from dualuse.connectors.http import retry_after

NOW = dt.datetime(2026, 11, 29, 5, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("42", 42.0),
        (" 3 ", 3.0),
        ("Sun, 29 Nov 2026 05:00:42 GMT", 42.0),
        ("Sun, 29 Nov 2026 05:00:42 -0000", 42.0),  # no zone: read as UTC, not local time
        ("Sun, 29 Nov 2026 04:00:00 GMT", 0.0),  # already past: no wait
        (None, None),
        ("", None),
        ("later", None),
        ("-5", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str | None, seconds: float | None) -> None:
    assert retry_after(header, now=NOW) == seconds
