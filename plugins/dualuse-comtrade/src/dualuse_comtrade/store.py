"""On-disk state of the connector: cached responses (keyed by call) and the daily call budget.

Both live in the folder the host gives the connector (``FetchContext.cache_dir``). Files are
written atomically (a temporary file renamed into place), so an interrupted fetch never leaves a
half-written response that a later run would take for complete.

Examples:
    >>> import datetime as dt, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> budget = CallBudget(folder, limit=2, today=lambda: dt.date(2026, 1, 31))
    >>> budget.spend(); budget.used(), budget.remaining()
    (1, 1)
    >>> cache = ResponseCache(folder)
    >>> key = call_key("data/v1/get/C/A/HS", {"period": "2023", "cmdCode": "8542"})
    >>> cache.put(key, b'{"data": []}'); cache.get(key)
    b'{"data": []}'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pathlib
import tempfile
from collections.abc import Callable, Mapping

from dualuse.errors import ConnectorError
from filelock import FileLock

__all__ = ["CallBudget", "ResponseCache", "call_key", "utc_today"]


def _write_atomic(path: pathlib.Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise


def call_key(path: str, params: Mapping[str, str], *, base_url: str = "") -> str:
    """A stable key of one call: the server, the endpoint path and the sorted query parameters, hashed.

    The server is part of the key, so a mirror's or a test server's answers are never served as
    the official API's.

    Examples:
        >>> call_key("p", {"a": "1", "b": "2"}) == call_key("p", {"b": "2", "a": "1"})
        True
        >>> call_key("p", {}, base_url="https://comtradeapi.un.org") == call_key("p", {}, base_url="http://127.0.0.1:8000")
        False
    """
    text = json.dumps([base_url.rstrip("/"), path, sorted(params.items())], ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class ResponseCache:
    """Raw response bodies of completed calls, one file per call under ``folder/responses``."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder / "responses"

    def _path(self, key: str) -> pathlib.Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> bytes | None:
        """The cached body of the call, or ``None``."""
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def __contains__(self, key: str) -> bool:
        return self._path(key).is_file()

    def put(self, key: str, body: bytes) -> None:
        """Store the body of a call that completed (atomically)."""
        _write_atomic(self._path(key), body)


def utc_today() -> dt.date:
    """Today's date in UTC (Comtrade's quota resets at midnight UTC)."""
    return dt.datetime.now(dt.UTC).date()


class CallBudget:
    """Calls made per UTC day, counted in ``folder/budget/YYYY-MM-DD.json``; stops before ``limit``.

    The count is per cache folder and locked while it is counted, so two processes sharing one
    folder never both spend the last call.
    """

    def __init__(self, folder: pathlib.Path, *, limit: int, today: Callable[[], dt.date] = utc_today) -> None:
        self.folder = folder / "budget"
        self.limit = limit
        self._today = today

    def _path(self) -> pathlib.Path:
        return self.folder / f"{self._today().isoformat()}.json"

    def used(self) -> int:
        """Calls made today."""
        path = self._path()
        if not path.is_file():
            return 0
        try:
            return int(json.loads(path.read_text(encoding="utf-8"))["calls"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ConnectorError(f"{path}: unreadable call count ({exc}); delete the file to reset it") from None

    def remaining(self) -> int:
        """Calls left today."""
        return max(self.limit - self.used(), 0)

    def check(self, planned: int) -> None:
        """Raise :class:`ConnectorError` if ``planned`` more calls would exceed today's budget."""
        used = self.used()
        if used + planned > self.limit:
            raise ConnectorError(
                f"Comtrade daily call budget: {planned} call(s) planned, {used} of {self.limit} already used "
                f"today ({self._today().isoformat()} UTC). Calls already completed are cached and a re-run "
                "resumes from them: wait until tomorrow (UTC), raise daily_budget if your key allows more, "
                "or narrow the query"
            )

    def spend(self) -> None:
        """Count one call, raising first if it would exceed the budget (read and write under one lock)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with FileLock(self.folder / ".budget.lock", timeout=60):
            self.check(1)
            payload = json.dumps({"calls": self.used() + 1, "limit": self.limit})
            _write_atomic(self._path(), payload.encode("utf-8"))
