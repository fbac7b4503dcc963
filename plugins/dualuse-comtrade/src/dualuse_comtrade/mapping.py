"""From Comtrade's JSON to the canonical ``flows`` table: pure functions, no I/O.

Decisions (also in the docs):

* ``value_usd`` is ``primaryValue``. ``valuation`` says what it is: CIF for imports and re-imports,
  FOB for exports and re-exports, unless the record leaves that field (``cifvalue`` or ``fobvalue``,
  lower case in the JSON) empty and fills the other one: then the other one.
* ``period`` is the first day of the year (``A``) or month (``M``).
* ``reporter`` and ``partner`` are ISO alpha-2 via :func:`dualuse.geo.country` (Comtrade 842 -> US,
  0 World -> XW, 490 Other Asia -> XS).
* ``hs_version`` comes from ``classificationCode``: H0 HS1992, H1 HS1996, H2 HS2002, H3 HS2007,
  H4 HS2012, H5 HS2017, H6 HS2022; any other code is kept as given.
* A record whose ``cmdCode`` is not HS digits (``TOTAL``, all commodities) is rejected with its
  reason: the canonical ``hs_code`` is digits, and a total would be double counted next to its parts.
  Records with a country code that has no ISO equivalent or an unknown flow code are rejected too.
* ``source_row`` is the 0-based position of the record in the stitched response (every call's
  ``data`` array, concatenated in plan order); rejected rows carry the same number as ``row``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl
from dualuse.errors import ConnectorError, CountryError
from dualuse.geo import country
from dualuse.rejects import make_rejects

__all__ = [
    "EXTRA_COLUMNS",
    "FLOW_NAMES",
    "HS_VERSIONS",
    "Answer",
    "Mapped",
    "hs_version",
    "map_records",
    "parse_response",
]

FLOW_NAMES: dict[str, str] = {"M": "import", "X": "export", "RX": "re-export", "RM": "re-import"}
"""Comtrade flow codes and the canonical flow they map to."""

HS_VERSIONS: dict[str, str] = {
    "H0": "HS1992",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
}
"""Comtrade's ``classificationCode`` and the HS edition it stands for."""

_EXPECTED_VALUATION = {"M": "CIF", "RM": "CIF", "X": "FOB", "RX": "FOB"}

_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.Date(),
    "freq": pl.String(),
    "reporter": pl.String(),
    "partner": pl.String(),
    "flow": pl.String(),
    "hs_code": pl.String(),
    "hs_version": pl.String(),
    "value_usd": pl.Float64(),
    "valuation": pl.String(),
    "net_weight_kg": pl.Float64(),
    "quantity": pl.Float64(),
    "quantity_unit": pl.String(),
    "source": pl.String(),
    "source_row": pl.Int64(),
    "is_reported": pl.Boolean(),
    "is_aggregate": pl.Boolean(),
    "partner2_code": pl.Int64(),
    "mot_code": pl.Int64(),
    "customs_code": pl.String(),
}

EXTRA_COLUMNS = ("is_reported", "is_aggregate", "partner2_code", "mot_code", "customs_code")
"""Columns kept after the canonical ones: Comtrade's flags and the breakdown keys of each record."""


def hs_version(classification: str | None) -> str | None:
    """The HS edition of a Comtrade ``classificationCode``; other codes are kept as given.

    Examples:
        >>> hs_version("H6"), hs_version("H5"), hs_version("H4"), hs_version("S4")
        ('HS2022', 'HS2017', 'HS2012', 'S4')
    """
    if classification is None:
        return None
    return HS_VERSIONS.get(classification, classification)


@dataclass(frozen=True)
class Answer:
    """The records of one response, and the ``count`` the API says it has (``None`` if absent)."""

    records: list[Mapping[str, Any]]
    count: int | None

    @property
    def short(self) -> bool:
        """Whether the API counted more records than it sent (the answer was cut)."""
        return self.count is not None and self.count > len(self.records)


def parse_response(body: bytes, *, describe: str) -> Answer:
    """The records of a response body; :class:`ConnectorError` naming the query otherwise.

    Examples:
        >>> parse_response(b'{"count": 0, "data": [], "error": ""}', describe="q")
        Answer(records=[], count=0)
        >>> parse_response(b'{"data": [', describe="freq=A periods=2023")
        Traceback (most recent call last):
        dualuse.errors.ConnectorError: Comtrade query freq=A periods=2023: the response is not valid JSON (truncated?): Expecting value: line 1 column 11 (char 10)
    """
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"Comtrade query {describe}: the response is not valid JSON (truncated?): {exc}") from None
    if not isinstance(payload, dict):
        raise ConnectorError(f"Comtrade query {describe}: expected a JSON object, got {type(payload).__name__}")
    error = payload.get("error")
    if error:
        raise ConnectorError(f"Comtrade query {describe}: the API answered with an error: {error}")
    data = payload.get("data")
    if data is None:
        data = []
    if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
        raise ConnectorError(f"Comtrade query {describe}: 'data' is not a list of records")
    count = payload.get("count")
    return Answer(records=data, count=count if isinstance(count, int) and not isinstance(count, bool) else None)


@cache
def _iso2(code: object) -> str | None:
    if not isinstance(code, int | str) or isinstance(code, bool):
        return None
    try:
        return country(code)
    except CountryError:
        return None


def _period(freq: object, record: Mapping[str, Any]) -> dt.date | None:
    text = str(record.get("period") or record.get("refPeriodId") or "")
    try:
        if freq == "A" and len(text) >= 4:
            return dt.date(int(text[:4]), 1, 1)
        if freq == "M" and len(text) >= 6:
            return dt.date(int(text[:4]), int(text[4:6]), 1)
    except ValueError:
        return None
    return None


def _valuation(flow_code: str, record: Mapping[str, Any]) -> str:
    expected = _EXPECTED_VALUATION[flow_code]
    other = "FOB" if expected == "CIF" else "CIF"
    if record.get(f"{expected.lower()}value") is None and record.get(f"{other.lower()}value") is not None:
        return other
    return expected


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


@dataclass(frozen=True)
class Mapped:
    """Records mapped to canonical flows, and the records that could not be (``dualuse.rejects`` layout)."""

    flows: pl.DataFrame
    rejected: pl.DataFrame


def map_records(records: Sequence[Mapping[str, Any]], *, source: str, first_row: int = 0) -> Mapped:
    """Map Comtrade records to canonical flows; ``source_row`` counts from ``first_row``.

    Examples:
        >>> record = {"freqCode": "A", "period": "2023", "reporterCode": 398, "partnerCode": 643,
        ...     "flowCode": "X", "cmdCode": "854231", "classificationCode": "H6", "primaryValue": 1.5e6,
        ...     "cifvalue": None, "fobvalue": 1.5e6, "netWgt": 120.0, "qty": 3000.0, "qtyUnitCode": 8,
        ...     "qtyUnitAbbr": "u", "isReported": True, "isAggregate": False}
        >>> mapped = map_records([record, {**record, "cmdCode": "TOTAL"}], source="comtrade:data/v1/get/C/A/HS")
        >>> mapped.flows.select("period", "reporter", "partner", "flow", "hs_version", "valuation").row(0)
        (datetime.date(2023, 1, 1), 'KZ', 'RU', 'export', 'HS2022', 'FOB')
        >>> mapped.rejected.select("row", "column", "value").row(0)
        (1, 'hs_code', 'TOTAL')
    """
    columns: dict[str, list[Any]] = {name: [] for name in _SCHEMA}
    why: list[tuple[str, str, str] | None] = []
    for offset, record in enumerate(records):
        freq = record.get("freqCode")
        raw_flow = record.get("flowCode")
        flow_code = raw_flow if isinstance(raw_flow, str) and raw_flow in FLOW_NAMES else None
        cmd = record.get("cmdCode")
        hs = str(cmd) if cmd is not None else None
        unit_known = _integer(record.get("qtyUnitCode")) not in (None, -1)
        row = {
            "period": _period(freq, record),
            "freq": freq if isinstance(freq, str) else None,
            "reporter": _iso2(record.get("reporterCode")),
            "partner": _iso2(record.get("partnerCode")),
            "flow": FLOW_NAMES[flow_code] if flow_code else None,
            "hs_code": hs,
            "hs_version": hs_version(record.get("classificationCode")),
            "value_usd": _number(record.get("primaryValue")),
            "valuation": _valuation(flow_code, record) if flow_code else None,
            "net_weight_kg": _number(record.get("netWgt")),
            "quantity": _number(record.get("qty")),
            "quantity_unit": record.get("qtyUnitAbbr") if unit_known else None,
            "source": source,
            "source_row": first_row + offset,
            "is_reported": _flag(record.get("isReported")),
            "is_aggregate": _flag(record.get("isAggregate")),
            "partner2_code": _integer(record.get("partner2Code")),
            "mot_code": _integer(record.get("motCode")),
            "customs_code": str(record["customsCode"]) if record.get("customsCode") is not None else None,
        }
        for name, value in row.items():
            columns[name].append(value)
        why.append(_problem(record, row))
    frame = pl.DataFrame(columns, schema=_SCHEMA).with_columns(
        pl.Series("__column", [w[0] if w else None for w in why], dtype=pl.String),
        pl.Series("__value", [w[1] if w else None for w in why], dtype=pl.String),
        pl.Series("__reason", [w[2] if w else None for w in why], dtype=pl.String),
    )
    bad = frame.filter(pl.col("__reason").is_not_null())
    rejected = make_rejects(
        bad, row=pl.col("source_row"), column=pl.col("__column"), value=pl.col("__value"), reason=pl.col("__reason")
    )
    flows = frame.filter(pl.col("__reason").is_null()).drop("__column", "__value", "__reason")
    return Mapped(flows=flows, rejected=rejected)


def _problem(record: Mapping[str, Any], row: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(column, value, reason) of the first thing that keeps a record out of the flows table."""
    if row["freq"] not in ("A", "M"):
        return "freq", str(record.get("freqCode")), "freqCode: expected A (annual) or M (monthly)"
    if row["period"] is None:
        return "period", str(record.get("period")), f"period: not a valid {'year' if row['freq'] == 'A' else 'YYYYMM'}"
    for column, field in (("reporter", "reporterCode"), ("partner", "partnerCode")):
        if row[column] is None:
            return column, str(record.get(field)), f"{field}: Comtrade area with no ISO 3166-1 alpha-2 equivalent"
    if row["flow"] is None:
        return "flow", str(record.get("flowCode")), "flowCode: expected one of M, X, RM, RX"
    hs = row["hs_code"]
    if hs is None or not (hs.isascii() and hs.isdigit()):
        return (
            "hs_code",
            str(hs),
            "cmdCode: not an HS code (TOTAL is all commodities, not in the flows table: ask for AG2 chapters)",
        )
    return None
