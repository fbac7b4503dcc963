"""Helpers for connectors that fetch over HTTP (the Comtrade and sanctions plugins use them).

Examples:
    >>> import datetime as dt
    >>> now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    >>> retry_after("7", now=now), retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now), retry_after("soon", now=now)
    (7.0, 30.0, None)
"""

from __future__ import annotations

import datetime as dt
import email.utils

__all__ = ["retry_after"]


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
