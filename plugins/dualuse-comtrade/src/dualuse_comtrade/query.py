"""What to ask UN Comtrade for, and how to cut it into calls the API accepts.

A :class:`ComtradeQuery` names reporters, partners, HS codes, flows and periods. The API takes at
most 12 periods a call, URLs of at most 4,096 characters and returns at most a fixed number of
rows (500 for the keyless preview, 100,000 with a key). :func:`plan` cuts a query into calls that
respect the first two limits; :func:`split` cuts one call in two when its answer hit the row cap.

Examples:
    >>> from dualuse_comtrade.query import ComtradeQuery, plan
    >>> query = ComtradeQuery(reporters=["KZ"], partners=["RU"], hs_codes=["8542"], periods=range(2008, 2024))
    >>> [call.periods for call in plan(query, base_url="https://comtradeapi.un.org", path="data/v1/get/C/A/HS")]
    [('2008', '2009', '2010', '2011', '2012', '2013', '2014', '2015', '2016', '2017', '2018', '2019'), ('2020', '2021', '2022', '2023')]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import httpx
from dualuse.errors import ConnectorError, CountryError
from dualuse.geo import country
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

__all__ = [
    "MAX_PERIODS",
    "MAX_URL_LENGTH",
    "ComtradeQuery",
    "FlowCode",
    "QueryFields",
    "area_code",
    "plan",
    "split",
    "url_length",
]

MAX_PERIODS = 12
"""The most periods Comtrade accepts in one call."""

MAX_URL_LENGTH = 4096
"""The longest URL Comtrade accepts."""

FlowCode = Literal["M", "X", "RM", "RX"]
_HS = re.compile(r"^(?:\d{2}|\d{4}|\d{6}|AG2|AG4|AG6)$")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_MONTH = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])$")
_SPLIT_ORDER = ("reporters", "partners", "hs_codes", "periods", "flows")


@cache
def _area_codes() -> dict[str, int]:
    text = files("dualuse_comtrade").joinpath("data", "area_codes.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["iso2"]: int(row["comtrade_code"]) for row in rows}


def area_code(value: str | int) -> int:
    """The Comtrade code of a country given as ISO code, name or number (numbers are kept as given).

    Examples:
        >>> area_code("USA"), area_code("Kazakhstan"), area_code("World"), area_code(251)
        (842, 398, 0, 251)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"country code {value}: expected a Comtrade code >= 0")
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        iso2 = country(text)
    except CountryError as exc:
        raise ValueError(str(exc)) from None
    found = _area_codes().get(iso2)
    if found is None:
        raise ValueError(f"country {value!r} ({iso2}): Comtrade has no code for it; give the Comtrade number instead")
    return found


def _as_list(value: Any) -> list[Any]:
    """Accept a list, a range, a single value, or text with commas (as `--set key=a,b` gives)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (int, float)):
        return [value]
    return list(value)


class QueryFields(BaseModel):
    """The fields of a Comtrade query, shared by :class:`ComtradeQuery` and the connector's config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    freq: Literal["A", "M"] = "A"
    """``A`` annual (periods ``2023``) or ``M`` monthly (periods ``202301``)."""
    reporters: tuple[int, ...] | None = None
    """Reporting countries (ISO codes, names or Comtrade numbers); ``None`` = every reporter."""
    partners: tuple[int, ...] | None = None
    """Partner countries; ``None`` = every partner (including World, ``XW``)."""
    hs_codes: tuple[str, ...]
    """HS codes of 2, 4 or 6 digits, or ``AG2``/``AG4``/``AG6`` for every code at that level."""
    flows: tuple[FlowCode, ...] = ("M", "X")
    """``M`` imports, ``X`` exports, ``RM`` re-imports, ``RX`` re-exports."""
    periods: tuple[str, ...]
    """Years (``2023``) for annual data, ``YYYYMM`` (``202301``) for monthly data."""
    breakdowns: bool = False
    """Ask for the second-partner, transport-mode and customs-procedure breakdowns (rows then overlap)."""

    @field_validator("reporters", "partners", mode="before")
    @classmethod
    def _areas(cls, value: Any) -> tuple[int, ...] | None:
        if value is None:
            return None
        codes = tuple(dict.fromkeys(area_code(v) for v in _as_list(value)))
        if not codes:
            raise ValueError("expected at least one country, or leave it out for all")
        return codes

    @field_validator("hs_codes", mode="before")
    @classmethod
    def _hs(cls, value: Any) -> tuple[str, ...]:
        codes = tuple(dict.fromkeys(str(v).replace(".", "").strip().upper() for v in _as_list(value)))
        if not codes:
            raise ValueError("expected at least one HS code")
        for code in codes:
            if code == "TOTAL":
                raise ValueError(
                    "'TOTAL' (all commodities) has no HS code in the flows table; ask for 'AG2' (every chapter)"
                )
            if not _HS.match(code):
                raise ValueError(f"HS code {code!r}: expected 2, 4 or 6 digits, or AG2/AG4/AG6")
        for code in codes:
            if code.isdigit() and f"AG{len(code)}" in codes:  # the API would return its rows twice
                raise ValueError(f"HS code {code!r} is already part of AG{len(code)}; ask for one or the other")
        return codes

    @field_validator("flows", mode="before")
    @classmethod
    def _flows(cls, value: Any) -> tuple[str, ...]:
        flows = tuple(dict.fromkeys(str(v).strip().upper() for v in _as_list(value)))
        if not flows:
            raise ValueError("expected at least one flow of M, X, RM, RX")
        return flows

    @field_validator("periods", mode="before")
    @classmethod
    def _periods(cls, value: Any) -> tuple[str, ...]:
        periods = tuple(dict.fromkeys(str(v).strip() for v in _as_list(value)))
        if not periods:
            raise ValueError("expected at least one period")
        return periods

    @model_validator(mode="after")
    def _periods_match_freq(self) -> QueryFields:
        pattern, form = (_YEAR, "a year such as 2023") if self.freq == "A" else (_MONTH, "YYYYMM such as 202301")
        for period in self.periods:
            if not pattern.match(period):
                raise ValueError(f"period {period!r}: freq {self.freq} expects {form}")
        return self

    def query_fields(self) -> dict[str, Any]:
        """The query's own fields, as a dict (what :class:`ComtradeQuery` takes)."""
        return {name: getattr(self, name) for name in QueryFields.model_fields}


class ComtradeQuery(QueryFields):
    """One question for UN Comtrade; also what a single API call asks (see :func:`plan`).

    Examples:
        >>> q = ComtradeQuery(reporters="CN", partners=["KZ", "KG"], hs_codes=["8542.31"], periods=[2023])
        >>> q.reporters, q.partners, q.hs_codes, q.params()["partner2Code"]
        ((156,), (398, 417), ('854231',), '0')
    """

    def params(self, *, max_records: int | None = None) -> dict[str, str]:
        """The query string of the call; pins partner2, transport mode and customs to totals."""
        params: dict[str, str] = {}
        if self.reporters is not None:
            params["reporterCode"] = ",".join(map(str, self.reporters))
        if self.partners is not None:
            params["partnerCode"] = ",".join(map(str, self.partners))
        params["period"] = ",".join(self.periods)
        params["cmdCode"] = ",".join(self.hs_codes)
        params["flowCode"] = ",".join(self.flows)
        if not self.breakdowns:
            # Without these pins the API adds breakdown rows that double count the totals.
            params.update(partner2Code="0", motCode="0", customsCode="C00")
        if max_records is not None:
            params["maxRecords"] = str(max_records)
        params["includeDesc"] = "false"
        return params

    def describe(self) -> str:
        """A short human description, used in error messages.

        Examples:
            >>> ComtradeQuery(reporters=[398], hs_codes=["8542"], periods=["2023"]).describe()
            'freq=A reporters=398 partners=all hs=8542 flows=M,X periods=2023'
        """

        def show(values: tuple[Any, ...] | None) -> str:
            if values is None:
                return "all"
            text = ",".join(map(str, values))
            return text if len(text) <= 60 else f"{text[:57]}... ({len(values)})"

        return (
            f"freq={self.freq} reporters={show(self.reporters)} partners={show(self.partners)} "
            f"hs={show(self.hs_codes)} flows={show(self.flows)} periods={show(self.periods)}"
        )


def url_length(query: ComtradeQuery, *, base_url: str, path: str, max_records: int | None = None) -> int:
    """The length of the URL of one call for ``query`` (the limit is :data:`MAX_URL_LENGTH`)."""
    url = httpx.URL(f"{base_url.rstrip('/')}/{path}", params=query.params(max_records=max_records))
    return len(str(url))


def _halve(query: ComtradeQuery, field: str) -> list[ComtradeQuery]:
    values: tuple[Any, ...] = getattr(query, field)
    middle = len(values) // 2
    return [query.model_copy(update={field: part}) for part in (values[:middle], values[middle:])]


def split(query: ComtradeQuery) -> list[ComtradeQuery]:
    """Cut one call in two along the first list with more than one value.

    The order is reporters, partners, HS codes, periods, flows. Raises :class:`ConnectorError` when
    every list has a single value (or means "all"): such a call cannot be made smaller.

    Examples:
        >>> halves = split(ComtradeQuery(reporters=[398], partners=[643, 417], hs_codes=["8542"], periods=[2023]))
        >>> [h.partners for h in halves]
        [(643,), (417,)]
    """
    for field in _SPLIT_ORDER:
        values = getattr(query, field)
        if values is not None and len(values) > 1:
            return _halve(query, field)
    raise ConnectorError(
        f"Comtrade query {query.describe()}: cannot be split further; ask for fewer rows "
        "(name the reporters and partners instead of all, or use longer HS codes)"
    )


def _chunks(values: tuple[str, ...], size: int) -> Iterable[tuple[str, ...]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def plan(
    query: ComtradeQuery,
    *,
    base_url: str,
    path: str,
    max_periods: int = MAX_PERIODS,
    max_url_length: int = MAX_URL_LENGTH,
    max_records: int | None = None,
) -> list[ComtradeQuery]:
    """Cut ``query`` into calls of at most ``max_periods`` periods and URLs of ``max_url_length``.

    The calls partition the query: every (reporter, partner, HS code, flow, period) combination
    is asked exactly once, and the order is deterministic (it fixes ``source_row``).
    """
    if max_periods < 1:
        raise ConnectorError(f"max_periods {max_periods}: expected at least 1")
    pending = [query.model_copy(update={"periods": part}) for part in _chunks(query.periods, max_periods)]
    calls: list[ComtradeQuery] = []
    while pending:
        call = pending.pop(0)
        if url_length(call, base_url=base_url, path=path, max_records=max_records) <= max_url_length:
            calls.append(call)
            continue
        pending[:0] = _split_longest(call, max_url_length)
    return calls


def _split_longest(query: ComtradeQuery, max_url_length: int) -> list[ComtradeQuery]:
    """Halve the list that takes the most room in the URL."""
    splittable = [f for f in _SPLIT_ORDER if getattr(query, f) is not None and len(getattr(query, f)) > 1]
    if not splittable:
        raise ConnectorError(
            f"Comtrade query {query.describe()}: its URL is longer than {max_url_length} characters "
            "even with a single value in each list"
        )
    longest = max(splittable, key=lambda f: len(",".join(map(str, getattr(query, f)))))
    return _halve(query, longest)
