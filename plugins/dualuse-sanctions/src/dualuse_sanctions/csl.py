"""The US Consolidated Screening List (trade.gov): eleven US lists in one file, as CSV or JSON.

It carries the OFAC SDN and non-SDN lists, the BIS Entity List (``source`` "Entity List (EL) -
Bureau of Industry and Security"), the Denied Persons and Unverified lists, and State's lists.
Columns: ``_id, source, entity_number, type, programs, name, title, addresses,
federal_register_notice, start_date, end_date, ..., remarks, source_list_url, alt_names,
citizenships, dates_of_birth, nationalities, places_of_birth, source_information_url, ids``. In
the CSV, several values share a cell joined by ``"; "``; an address is ``"street, city, postal,
CC"`` ending in the ISO alpha-2 country, and an id is ``"type, number[, country]"``. In the JSON
(``{"results": [...]}`` or a bare array) the same fields are lists and objects.

Mapping: ``type`` Individual/Entity/Vessel/Aircraft to person/company/vessel/aircraft (the Entity
List leaves it blank: ``unknown``); ``programs`` split, or the list's short name in parentheses
(``EL``) when a list has no programs; ``start_date`` is the listing date; the list's full name is
kept in ``list_name``; OFAC rows' ``remarks`` are read like the SDN file's Remarks.

Examples:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "consolidated.csv"
    >>> _ = path.write_text("_id,source,type,programs,name,addresses,start_date,alt_names,ids\\n"
    ...     "e1,Entity List (EL) - Bureau of Industry and Security,,,ACME LLP,\\"1 Abay Ave, Almaty, KZ\\","
    ...     "2023-12-06,ACME; AKME,\\n")
    >>> [(p.name, p.country, p.programs, p.listed_on.isoformat()) for p in parse_csl_csv(path)]
    [('ACME LLP', 'KZ', ['EL'], '2023-12-06')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dualuse_sanctions.countries import try_iso2
from dualuse_sanctions.identifiers import parse_date, parse_remarks, refine_scheme, scheme_for_label
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES, iter_csv_records, iter_json_array
from dualuse_sanctions.records import Event, Ident, Kind, PartyRecord, Rejected

__all__ = ["ENTITY_LIST", "parse_csl_csv", "parse_csl_json"]

ENTITY_LIST = "Entity List (EL) - Bureau of Industry and Security"
_KINDS: dict[str, Kind] = {
    "individual": "person",
    "entity": "company",
    "vessel": "vessel",
    "aircraft": "aircraft",
    "": "unknown",
}
_SHORT_NAME = re.compile(r"\(([A-Z][A-Z-]*)\)")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _build(source: str, number: int, item: Mapping[str, Any], cells: dict[str, str | None], prefix: str) -> Event:
    """A party (or a reject) from one normalised CSL record."""
    name = (item.get("name") or "").strip()
    if not name:
        return Rejected(source, number, "name", None, "no name", cells)
    type_text = (item.get("type") or "").strip()
    kind = _KINDS.get(type_text.casefold())
    if kind is None:
        return Rejected(
            source, number, "type", type_text, "expected Individual, Entity, Vessel, Aircraft or empty", cells
        )
    key = item.get("_id") or item.get("entity_number") or str(number)
    list_name = (item.get("source") or "").strip() or None
    party = PartyRecord(
        party_id=f"{prefix}:{key}",
        name=name,
        source=source,
        source_row=number,
        kind=kind,
        listed_on=parse_date(item.get("start_date")),
        list_name=list_name,
    )
    for program in item.get("programs") or []:
        party.add_program(program)
    if not party.programs and list_name:
        short = _SHORT_NAME.search(list_name)
        party.add_program(short.group(1) if short else list_name)
    for alias in item.get("alt_names") or []:
        party.add_alias(alias)
    for label, number_text, country_text in item.get("ids") or []:
        country = try_iso2(country_text)
        party.add_identifier(
            Ident(refine_scheme(scheme_for_label(label), number_text, country, kind), number_text, country, label)
        )
    remarks = parse_remarks(item.get("remarks"), kind)
    for ident in remarks.identifiers:
        party.add_identifier(ident)
    for alias in remarks.aliases:
        party.add_alias(alias)
    party.founded = remarks.founded
    countries = [c for c in (try_iso2(v) for v in item.get("countries") or []) if c]
    party.country = (
        next(iter(countries), None)
        or remarks.nationality
        or next((i.country for i in party.identifiers if i.country), None)
    )
    return party


def parse_csl_csv(path: Path, *, prefix: str = "us-csl", max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Event]:
    """One event per data row of ``consolidated.csv`` (``source_row`` counts data rows from 1)."""
    source = f"{prefix}:{path.name}"
    for row in iter_csv_records(path, required=("source", "name"), max_bytes=max_bytes):
        cells: dict[str, str | None] = dict(row.cells)
        if not row.ok:
            yield Rejected(source, row.number, None, None, "the row's cell count differs from the header's", cells)
            continue
        ids = []
        for entry in _split(row.get("ids")):
            parts = [p.strip() for p in entry.split(",")]
            if len(parts) >= 2 and parts[1]:
                ids.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
        countries = [a.rsplit(",", 1)[-1].strip() for a in _split(row.get("addresses")) if "," in a]
        countries += _split(row.get("nationalities")) + _split(row.get("citizenships"))
        item = {
            "_id": row.get("_id"),
            "entity_number": row.get("entity_number"),
            "source": row.get("source"),
            "type": row.get("type"),
            "name": row.get("name"),
            "programs": _split(row.get("programs")),
            "alt_names": _split(row.get("alt_names")),
            "start_date": row.get("start_date"),
            "remarks": row.get("remarks"),
            "ids": ids,
            "countries": countries,
        }
        yield _build(source, row.number, item, cells, prefix)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_csl_json(path: Path, *, prefix: str = "us-csl", max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Event]:
    """One event per record of ``consolidated.json``, streamed (``source_row`` = position from 1)."""
    source = f"{prefix}:{path.name}"
    for number, record in enumerate(iter_json_array(path, "results", max_bytes=max_bytes), start=1):
        if not isinstance(record, dict):
            yield Rejected(source, number, None, str(record)[:200], "expected a JSON object", {})
            continue
        cells = {k: (v if isinstance(v, str) or v is None else str(v)) for k, v in record.items()}
        ids = [
            (str(i.get("type") or "ID"), str(i.get("number")).strip(), i.get("country"))
            for i in _as_list(record.get("ids"))
            if isinstance(i, dict) and i.get("number")
        ]
        countries = [a.get("country") for a in _as_list(record.get("addresses")) if isinstance(a, dict)]
        countries += _as_list(record.get("nationalities")) + _as_list(record.get("citizenships"))
        item = {
            "_id": record.get("id") or record.get("_id"),
            "entity_number": record.get("entity_number"),
            "source": record.get("source"),
            "type": record.get("type"),
            "name": record.get("name"),
            "programs": [str(p) for p in _as_list(record.get("programs"))],
            "alt_names": [str(a) for a in _as_list(record.get("alt_names"))],
            "start_date": record.get("start_date"),
            "remarks": record.get("remarks"),
            "ids": ids,
            "countries": [str(c) for c in countries if c],
        }
        yield _build(source, number, item, cells, prefix)
