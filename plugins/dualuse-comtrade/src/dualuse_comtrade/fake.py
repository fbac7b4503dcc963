"""An offline stand-in for the Comtrade API: a local HTTP server answering from records you give.

For demos, docs and your own tests: it answers ``public/v1/preview/C/{A|M}/HS`` and
``data/v1/get/C/{A|M}/HS`` like Comtrade does, keeping the records that match every filter of
the query (``reporterCode``, ``partnerCode``, ``period``, ``cmdCode``, ``flowCode`` and the
breakdown pins), cut at ``maxRecords``. :meth:`FakeComtrade.fail` queues failures (429, 500, a
broken body) for the next requests.

Examples:
    >>> from dualuse_comtrade.fake import FakeComtrade
    >>> import httpx
    >>> records = [{"freqCode": "A", "period": "2023", "reporterCode": 398, "partnerCode": 643,
    ...             "flowCode": "X", "cmdCode": "880622", "primaryValue": 2.7e6}]
    >>> with FakeComtrade(records) as server:
    ...     answer = httpx.get(f"{server.url}/public/v1/preview/C/A/HS", params={"reporterCode": "398"}).json()
    >>> answer["count"], answer["data"][0]["primaryValue"]
    (1, 2700000.0)
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeComtrade"]

_PATH = re.compile(r"^/(?:public/v1/preview|data/v1/get)/C/(?P<freq>[AM])/HS$")
_FILTERS = {
    "reporterCode": "reporterCode",
    "partnerCode": "partnerCode",
    "period": "period",
    "cmdCode": "cmdCode",
    "flowCode": "flowCode",
    "partner2Code": "partner2Code",
    "motCode": "motCode",
    "customsCode": "customsCode",
}
_DEFAULTS: dict[str, Any] = {"typeCode": "C", "partner2Code": 0, "motCode": 0, "customsCode": "C00"}


@dataclass(frozen=True)
class _Failure:
    status: int
    headers: Mapping[str, str]
    body: bytes


def _matches(record: Mapping[str, Any], freq: str, query: Mapping[str, list[str]]) -> bool:
    if record.get("freqCode", "A") != freq:
        return False
    for param, field in _FILTERS.items():
        wanted = query.get(param)
        if wanted and str(record.get(field)) not in wanted[0].split(","):
            if param == "cmdCode" and any(w == f"AG{len(str(record.get(field)))}" for w in wanted[0].split(",")):
                continue
            return False
    return True


class FakeComtrade:
    """A Comtrade look-alike on ``127.0.0.1`` (a free port); use it as a context manager."""

    def __init__(self, records: Iterable[Mapping[str, Any]] = (), *, api_key: str | None = None) -> None:
        self.records = [{**_DEFAULTS, **record} for record in records]
        self.api_key = api_key
        """When set, ``data/v1/get`` answers 401 unless the request carries this key."""
        self.requests: list[dict[str, str]] = []
        """The query parameters of every request received, in order."""
        self._failures: list[_Failure | None] = []  # None: answer normally
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give the connector as ``base_url``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        after: int = 0,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ) -> None:
        """Answer ``times`` requests with ``status`` (and ``headers``, ``body``), after ``after`` normal ones."""
        with self._lock:
            failure = _Failure(status, dict(headers or {}), body.encode("utf-8"))
            self._failures += [None] * after + [failure] * times

    def start(self) -> Self:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def answer(
        self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]
    ) -> tuple[int, Mapping[str, str], bytes]:
        """The status, headers and body Comtrade would send for one GET."""
        with self._lock:
            self.requests.append({key: values[0] for key, values in query.items()})
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return failure.status, failure.headers, failure.body
        found = _PATH.match(path)
        if found is None:
            return 404, {}, b'{"statusCode": 404, "message": "Resource not found"}'
        if (
            path.startswith("/data/")
            and self.api_key is not None
            and headers.get("Ocp-Apim-Subscription-Key") != self.api_key
        ):
            return 401, {}, b'{"statusCode": 401, "message": "Access denied due to invalid subscription key."}'
        data = [r for r in self.records if _matches(r, found["freq"], query)]
        cap = int(query.get("maxRecords", ["100000"])[0])
        body = {"elapsedTime": "0.01 secs", "count": min(len(data), cap), "data": data[:cap], "error": ""}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode("utf-8")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                status, headers, body = fake.answer(url.path, parse_qs(url.query), dict(self.headers.items()))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # keep test and docs output quiet
                return

        return Handler
