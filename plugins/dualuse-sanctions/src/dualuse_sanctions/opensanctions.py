"""OpenSanctions exports: ``targets.simple.csv`` and FollowTheMoney entities as JSON lines.

``targets.simple.csv`` columns: ``id, schema, name, aliases, birth_date, countries, addresses,
identifiers, sanctions, phones, emails, program_ids, dataset, first_seen, last_seen, last_change``
(older exports lack ``program_ids``); several values share a cell joined by ``;``. Its
``identifiers`` cell gives values without their scheme: they get the scheme ``UNSPECIFIED``.

FollowTheMoney lines are ``{"id", "caption", "schema", "properties": {prop: [values]},
"datasets", "first_seen", "last_seen", "last_change", "target"}``. Parties are the schemata
Person, Company, Organization, LegalEntity, PublicBody, Vessel and Airplane; other schemata
(Sanction, Address, Ownership, ...) are not parties and are rejected with that reason. Properties
read: ``name`` (first is the name, the rest aliases), ``alias``, ``previousName``, ``weakAlias``,
``country``/``jurisdiction``/``nationality``/``flag``, ``innCode`` (INN), ``ogrnCode`` (OGRN),
``registrationNumber`` (REG_NO), ``taxNumber`` (TAX_ID), ``idNumber`` (NATIONAL_ID for people,
else REG_NO), ``imoNumber`` (IMO), ``swiftBic`` (SWIFT_BIC), ``passportNumber`` (PASSPORT),
``leiCode`` (LEI), ``program``/``programId`` (else ``topics``), and ``createdAt`` (else the
entity's ``first_seen``) as the listing date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dualuse_sanctions.countries import try_iso2
from dualuse_sanctions.identifiers import parse_date, refine_scheme
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES, iter_csv_records, iter_json_lines
from dualuse_sanctions.records import Event, Ident, Kind, PartyRecord, Rejected

__all__ = ["PARTY_SCHEMATA", "parse_ftm_json", "parse_targets_simple"]

PARTY_SCHEMATA: dict[str, Kind] = {
    "Person": "person",
    "Company": "company",
    "Organization": "organization",
    "PublicBody": "organization",
    "LegalEntity": "unknown",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
_PROPERTY_SCHEMES = (
    ("innCode", "INN"),
    ("ogrnCode", "OGRN"),
    ("registrationNumber", "REG_NO"),
    ("taxNumber", "TAX_ID"),
    ("idNumber", "ID_NO"),
    ("imoNumber", "IMO"),
    ("swiftBic", "SWIFT_BIC"),
    ("passportNumber", "PASSPORT"),
    ("leiCode", "LEI"),
)
_LIST_NAME = "OpenSanctions"


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def parse_targets_simple(
    path: Path, *, prefix: str = "opensanctions", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Event]:
    """One event per data row of ``targets.simple.csv``.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "targets.simple.csv"
        >>> _ = path.write_text("id,schema,name,aliases,countries,identifiers,program_ids,dataset,first_seen\\n"
        ...     "NK-1,Company,ACME LLP,AKME;ACME LLP,kz,220340015717,US-RUSSIA-EO14024,us_ofac_sdn,2024-02-23T00:00:00\\n")
        >>> [(p.party_id, p.aliases, p.country, p.programs) for p in parse_targets_simple(path)]
        [('opensanctions:NK-1', ['AKME'], 'KZ', ['US-RUSSIA-EO14024'])]
    """
    source = f"{prefix}:{path.name}"
    for row in iter_csv_records(path, required=("id", "schema", "name"), max_bytes=max_bytes):
        cells: dict[str, str | None] = dict(row.cells)
        if not row.ok:
            yield Rejected(source, row.number, None, None, "the row's cell count differs from the header's", cells)
            continue
        schema, name, entity_id = row.get("schema") or "", row.get("name"), row.get("id")
        if entity_id is None:
            yield Rejected(source, row.number, "id", None, "no id", cells)
            continue
        if schema not in PARTY_SCHEMATA:
            yield Rejected(
                source, row.number, "schema", schema, f"not a party schema ({', '.join(PARTY_SCHEMATA)})", cells
            )
            continue
        if name is None:
            yield Rejected(source, row.number, "name", None, "no name", cells)
            continue
        party = PartyRecord(
            party_id=f"{prefix}:{entity_id}",
            name=name,
            source=source,
            source_row=row.number,
            kind=PARTY_SCHEMATA[schema],
            listed_on=parse_date(row.get("first_seen")),
            list_name=f"{_LIST_NAME}: {row.get('dataset')}" if row.get("dataset") else _LIST_NAME,
        )
        for alias in _split(row.get("aliases")):
            party.add_alias(alias)
        party.country = next((c for c in map(try_iso2, _split(row.get("countries"))) if c), None)
        for value in _split(row.get("identifiers")):
            party.add_identifier(Ident("UNSPECIFIED", value, None, "identifiers"))
        for program in _split(row.get("program_ids")) or _split(row.get("sanctions")):
            party.add_program(program)
        yield party


def _values(properties: Mapping[str, Any], name: str) -> list[str]:
    raw = properties.get(name) or []
    return [str(v).strip() for v in (raw if isinstance(raw, list) else [raw]) if str(v).strip()]


def parse_ftm_json(path: Path, *, prefix: str = "opensanctions", max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Event]:
    """One event per line of a FollowTheMoney JSON-lines file (``source_row`` is the line number).

    Examples:
        >>> import json, pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "entities.ftm.json"
        >>> _ = path.write_text(json.dumps({"id": "NK-1", "schema": "Company", "properties": {
        ...     "name": ["ACME LLP"], "country": ["kz"], "registrationNumber": ["220340015717"]}}) + "\\n"
        ...     + json.dumps({"id": "s-1", "schema": "Sanction", "properties": {}}) + "\\n")
        >>> [(type(e).__name__, getattr(e, "identifiers", None)) for e in parse_ftm_json(path)]  # doctest: +NORMALIZE_WHITESPACE
        [('PartyRecord', [Ident(scheme='BIN', value='220340015717', country='KZ', label='registrationNumber')]),
         ('Rejected', None)]
    """
    source = f"{prefix}:{path.name}"
    for number, entity, text in iter_json_lines(path, max_bytes=max_bytes):
        cells: dict[str, str | None] = {"json": text[:2000]}
        if not isinstance(entity, dict):
            yield Rejected(source, number, None, text[:200], "not a JSON object", cells)
            continue
        schema = str(entity.get("schema") or "")
        properties = entity.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        names = _values(properties, "name")
        entity_id = entity.get("id")
        cells.update(id=str(entity_id) if entity_id else None, schema=schema)
        if not entity_id:
            yield Rejected(source, number, "id", None, "no id", cells)
            continue
        if schema not in PARTY_SCHEMATA:
            yield Rejected(source, number, "schema", schema, f"not a party schema ({', '.join(PARTY_SCHEMATA)})", cells)
            continue
        if not names and not entity.get("caption"):
            yield Rejected(source, number, "name", None, "no name", cells)
            continue
        kind = PARTY_SCHEMATA[schema]
        created = next(iter(_values(properties, "createdAt")), None)
        party = PartyRecord(
            party_id=f"{prefix}:{entity_id}",
            name=names[0] if names else str(entity["caption"]),
            source=source,
            source_row=number,
            kind=kind,
            listed_on=parse_date(created) or parse_date(entity.get("first_seen")),
            list_name=_LIST_NAME,
        )
        for alias in names[1:] + [a for p in ("alias", "previousName", "weakAlias") for a in _values(properties, p)]:
            party.add_alias(alias)
        countries = [c for p in ("country", "jurisdiction", "nationality", "flag") for c in _values(properties, p)]
        party.country = next((c for c in map(try_iso2, countries) if c), None)
        for prop, scheme in _PROPERTY_SCHEMES:
            for value in _values(properties, prop):
                party.add_identifier(
                    Ident(refine_scheme(scheme, value, party.country, kind), value, party.country, prop)
                )
        for program in (_values(properties, "program") + _values(properties, "programId")) or _values(
            properties, "topics"
        ):
            party.add_program(program)
        yield party
