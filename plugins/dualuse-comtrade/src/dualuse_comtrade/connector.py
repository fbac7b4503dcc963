"""The ``comtrade`` connector: a query in, canonical ``flows`` frames out.

A fetch plans its calls (:func:`dualuse_comtrade.query.plan`), checks the daily budget for the
calls not yet cached, then runs them in order. Each completed call's body is cached under the
host's cache folder, so an interrupted fetch resumes where it stopped. A call whose answer has as
many rows as the row cap is split (:func:`dualuse_comtrade.query.split`) and asked again in parts;
its capped answer is never used as data.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Literal, Self

import httpx
import polars as pl
from dualuse.connectors import Connector, ConnectorConfig, FetchContext
from dualuse.errors import ConfigError, ConnectorError
from pydantic import Field, SecretStr, model_validator

from dualuse_comtrade.client import ComtradeClient, RetryPolicy
from dualuse_comtrade.mapping import Answer, map_records, parse_response
from dualuse_comtrade.query import MAX_PERIODS, MAX_URL_LENGTH, ComtradeQuery, QueryFields, plan, split
from dualuse_comtrade.store import CallBudget, ResponseCache, call_key, utc_today

__all__ = ["API_KEY_ENV", "DEFAULT_BASE_URL", "ROW_CAPS", "ComtradeConfig", "ComtradeConnector"]

API_KEY_ENV = "COMTRADE_API_KEY"
"""The environment variable read for the key when the settings give none."""

DEFAULT_BASE_URL = "https://comtradeapi.un.org"

ROW_CAPS: dict[str, int] = {"preview": 500, "get": 100_000}
"""Rows one call returns at most: the keyless preview, and the keyed endpoint with a free key."""

_PATHS = {"preview": "public/v1/preview/C/{freq}/HS", "get": "data/v1/get/C/{freq}/HS"}
_log = logging.getLogger("dualuse_comtrade")


class ComtradeConfig(ConnectorConfig, QueryFields):
    """Settings of the ``comtrade`` connector: the query, the endpoint, and the limits.

    Examples:
        >>> config = ComtradeConfig(reporters="KZ", partners="RU", hs_codes="8542", periods="2022,2023",
        ...     api_key="s3cret")
        >>> config.reporters, config.periods, "s3cret" in repr(config), "api_key" in config.public_dump()
        ((398,), ('2022', '2023'), False, False)
    """

    endpoint: Literal["auto", "preview", "get"] = "auto"
    """``get`` (keyed, ``data/v1/get``), ``preview`` (keyless, ``public/v1/preview``), ``auto``: get when a key is set."""
    base_url: str = DEFAULT_BASE_URL
    api_key: SecretStr | None = None
    """Subscription key; also read from ``COMTRADE_API_KEY`` (or ``DUALUSE_COMTRADE_API_KEY``)."""
    row_cap: int | None = Field(default=None, ge=1)
    """Rows a call returns at most: 500 for the preview, 100,000 for the keyed endpoint unless set."""
    max_periods: int = Field(default=MAX_PERIODS, ge=1, le=MAX_PERIODS)
    max_url_length: int = Field(default=MAX_URL_LENGTH, ge=256)
    daily_budget: int = Field(default=500, ge=1)
    """Calls allowed per UTC day (500 for the free key); counted on disk in the cache folder."""
    timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait for an answer before retrying."""
    max_retries: int = Field(default=5, ge=0)
    backoff: float = Field(default=1.0, ge=0)
    max_backoff: float = Field(default=60.0, ge=0)
    max_retry_after: float = Field(default=600.0, ge=0)
    """The longest single wait a ``Retry-After`` may ask for."""
    max_total_wait: float = Field(default=900.0, ge=0)
    """All the waits of one call together; beyond, the fetch stops with a clear error."""
    max_bytes: int = Field(default=512 * 1024**2, ge=1)
    """Largest answer accepted, once decoded (a gzip bomb stops here)."""
    deadline: float = Field(default=900.0, gt=0)
    """Seconds one call may take in all, retries and waits included."""

    @model_validator(mode="after")
    def _base_url_is_http(self) -> ComtradeConfig:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url {self.base_url!r}: expected an http:// or https:// URL")
        return self

    def to_query(self) -> ComtradeQuery:
        """The query part of the settings."""
        return ComtradeQuery(**self.query_fields())


class ComtradeConnector(Connector[ComtradeConfig]):
    """UN Comtrade API v1 (goods, HS): annual or monthly flows, mapped to the canonical ``flows`` table.

    ``sleep``, ``now``, ``today`` and ``transport`` are for tests: they replace waiting, the clock
    used for ``Retry-After`` dates, the UTC day of the budget, and the HTTP transport.
    """

    name: ClassVar[str] = "comtrade"
    table: ClassVar[Literal["flows"]] = "flows"
    config_model: ClassVar[type[ConnectorConfig]] = ComtradeConfig
    description: ClassVar[str] = "UN Comtrade API v1: annual and monthly trade flows by HS code (preview or keyed)"

    def __init__(
        self,
        config: ComtradeConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] | None = None,
        today: Callable[[], dt.date] = utc_today,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(config)
        self._sleep = sleep
        self._now = now
        self._today = today
        self._transport = transport

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Self:
        """Validate ``settings``; the key may come from ``COMTRADE_API_KEY`` (raises ConfigError)."""
        values = dict(settings)
        if "api_key" not in values and os.environ.get(API_KEY_ENV):
            values["api_key"] = os.environ[API_KEY_ENV]
        return super().from_settings(values)

    def api_key(self) -> SecretStr | None:
        """The key from the settings, else from ``COMTRADE_API_KEY`` / ``DUALUSE_COMTRADE_API_KEY``."""
        if self.config.api_key is not None:
            return self.config.api_key
        for variable in (API_KEY_ENV, "DUALUSE_COMTRADE_API_KEY"):
            if os.environ.get(variable):
                return SecretStr(os.environ[variable])
        return None

    def endpoint(self) -> Literal["preview", "get"]:
        """The endpoint a fetch uses (``auto`` resolved by whether a key is set)."""
        chosen = self.config.endpoint
        if chosen == "auto":
            return "get" if self.api_key() is not None else "preview"
        if chosen == "get" and self.api_key() is None:
            raise ConfigError(
                f"connector 'comtrade': endpoint 'get' needs a key: set {API_KEY_ENV} or api_key, "
                "or use endpoint 'preview' (keyless, 500 rows a call)"
            )
        return chosen

    def query(self) -> dict[str, Any]:
        """What identifies this fetch in the store: the settings without the key, ``auto`` resolved."""
        return {**self.config.public_dump(), "endpoint": self.endpoint(), "row_cap": self.row_cap()}

    def row_cap(self) -> int:
        """Rows one call returns at most (an answer with this many rows is split further)."""
        endpoint = self.endpoint()
        if endpoint == "preview" and (self.config.row_cap or 0) > ROW_CAPS["preview"]:
            # The preview never sends more than 500 rows: a higher cap would take cut answers for whole ones.
            raise ConfigError(
                f"connector 'comtrade': row_cap {self.config.row_cap} is above the preview endpoint's 500 rows; "
                "set a key to use the keyed endpoint"
            )
        return self.config.row_cap or ROW_CAPS[endpoint]

    def path(self) -> str:
        """The endpoint path, e.g. ``data/v1/get/C/A/HS``."""
        return _PATHS[self.endpoint()].format(freq=self.config.freq)

    def plan(self) -> list[ComtradeQuery]:
        """The calls a fetch starts with (before any split for the row cap)."""
        return plan(
            self.config.to_query(),
            base_url=self.config.base_url,
            path=self.path(),
            max_periods=self.config.max_periods,
            max_url_length=self.config.max_url_length,
            max_records=self.row_cap(),
        )

    def fetch(self, context: FetchContext) -> Iterator[pl.DataFrame]:
        """Yield canonical flows, one frame per completed call; parse-level rejects go to ``context.reject``."""
        return _Fetch(
            self, context, sleep=self._sleep, now=self._now, today=self._today, transport=self._transport
        ).run()


class _Fetch:
    """The state of one fetch: client, cache, budget and the running ``source_row``."""

    def __init__(
        self,
        connector: ComtradeConnector,
        context: FetchContext,
        *,
        sleep: Callable[[float], None],
        now: Callable[[], dt.datetime] | None,
        today: Callable[[], dt.date],
        transport: httpx.BaseTransport | None,
    ) -> None:
        config = connector.config
        self.connector = connector
        self.context = context
        self.path = connector.path()
        self.source = f"comtrade:{self.path}"
        self.row_cap = connector.row_cap()
        self.cache = ResponseCache(context.cache_dir)
        self.budget = CallBudget(context.cache_dir, limit=config.daily_budget, today=today)
        key = connector.api_key() if connector.endpoint() == "get" else None
        self.client = ComtradeClient(
            base_url=config.base_url,
            budget=self.budget,
            api_key=key,
            timeout=config.timeout,
            policy=RetryPolicy(
                config.max_retries, config.backoff, config.max_backoff, config.max_retry_after, config.max_total_wait
            ),
            sleep=sleep,
            transport=transport,
            max_bytes=config.max_bytes,
            deadline=config.deadline,
        )
        if now is not None:
            self.client.now = now
        self.next_row = 0

    def _key(self, call: ComtradeQuery) -> str:
        return call_key(self.path, call.params(max_records=self.row_cap), base_url=self.connector.config.base_url)

    def _cached(self, call: ComtradeQuery) -> bytes | None:
        return None if self.context.refresh else self.cache.get(self._key(call))

    def run(self) -> Iterator[pl.DataFrame]:
        with self.client:  # closed when the fetch ends, fails or is abandoned
            yield from self._run()

    def _run(self) -> Iterator[pl.DataFrame]:
        calls = self.connector.plan()
        missing = sum(1 for call in calls if self._cached(call) is None)
        self.budget.check(missing)  # before the first call: never start a fetch that cannot finish today
        _log.info("Comtrade %s: %d call(s) planned, %d cached", self.path, len(calls), len(calls) - missing)
        yielded = False
        for number, call in enumerate(calls, start=1):
            for frame in self._frames(call):
                yielded = True
                yield frame
            self.context.progress(1, total=len(calls), description=f"Comtrade call {number}/{len(calls)}")
        if not yielded:
            yield map_records([], source=self.source).flows

    def _frames(self, call: ComtradeQuery) -> Iterator[pl.DataFrame]:
        answer = self._answer(call)
        records = answer.records
        if len(records) >= self.row_cap or answer.short:
            why = f"{len(records)} rows, " + ("the row cap" if len(records) >= self.row_cap else f"of {answer.count}")
            _log.info("Comtrade %s: %s; splitting %s", self.path, why, call.describe())
            try:
                parts = split(call)
            except ConnectorError:
                raise ConnectorError(
                    f"Comtrade query {call.describe()}: the answer has {why}, so it may be incomplete, and the "
                    "query cannot be split further; narrow it (longer HS codes, named partners) or raise row_cap "
                    "if your key allows more"
                ) from None
            for part in parts:
                yield from self._frames(part)
            return
        mapped = map_records(records, source=self.source, first_row=self.next_row)
        self.next_row += len(records)
        if mapped.rejected.height:
            self.context.reject(mapped.rejected)
        if mapped.flows.height:
            yield mapped.flows

    def _answer(self, call: ComtradeQuery) -> Answer:
        describe = call.describe()
        body = self._cached(call)
        if body is not None:
            return parse_response(body, describe=describe)
        body = self.client.get(self.path, call.params(max_records=self.row_cap), describe=describe)
        answer = parse_response(body, describe=describe)
        self.cache.put(self._key(call), body)  # only well-formed answers are kept
        return answer
