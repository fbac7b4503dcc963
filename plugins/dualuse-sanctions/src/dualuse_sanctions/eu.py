"""The EU Financial Sanctions Files (FSF): the CSV v1.1 and the XML export.

The CSV (semicolon-delimited, header row) has one row per sub-record: each row repeats the
entity's columns (``Entity_LogicalId``, ``Entity_SubjectType``, ``Entity_Regulation_Programme``,
``Entity_DesignationDate``, ...) and carries at most one name alias, address, birth date,
identification or citizenship. Rows are grouped by ``Entity_LogicalId``: the first row of an
entity becomes the party and every later row is merged into it (listed in ``merged_from``).

The XML (namespace ``http://eu.europa.ec/fpi/fsd/export``) has one ``<sanctionEntity>`` per
entity with ``<nameAlias wholeName=..>``, ``<identification identificationTypeCode=.. number=..
countryIso2Code=..>``, ``<address countryIso2Code=..>``, ``<citizenship ..>`` and ``<regulation
programme=.. publicationDate=..>`` children.

Mapping: subject type ``P``/person is a person and ``E``/enterprise a company; identification
type codes passport, id, regnumber, tax/fiscalcode, swiftbic and imo map to PASSPORT,
NATIONAL_ID, REG_NO, TAX_ID, SWIFT_BIC and IMO (then refined: a Russian tax number with valid
INN check digits is an INN, ...); the EU's ``00`` country means unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dualuse_sanctions.countries import try_iso2
from dualuse_sanctions.identifiers import parse_date, refine_scheme, scheme_for_label
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES, HeaderRow, iter_csv_records, iter_xml, local_name
from dualuse_sanctions.records import Event, Ident, Kind, Merged, PartyRecord, Rejected

__all__ = ["parse_eu_csv", "parse_eu_xml"]

_TYPE_CODES = {
    "passport": "PASSPORT",
    "id": "NATIONAL_ID",
    "ssn": "NATIONAL_ID",
    "regnumber": "REG_NO",
    "tax": "TAX_ID",
    "fiscalcode": "TAX_ID",
    "swiftbic": "SWIFT_BIC",
    "imo": "IMO",
}
_NATIONAL_WORD = re.compile(r"\b(INN|OGRN|BIN|IIN)\b")
_LIST_NAME = "EU Financial Sanctions Files"


def _kind(code: str | None, subject: str | None) -> Kind:
    key = (code or subject or "").strip().casefold()
    if key in ("p", "person"):
        return "person"
    if key in ("e", "enterprise"):
        return "company"
    return "unknown"


def _identifier(code: str | None, description: str | None, number: str, country: str | None, kind: Kind) -> Ident:
    word = _NATIONAL_WORD.search(description or "")
    if word:
        scheme = word.group(1)
    else:
        scheme = _TYPE_CODES.get((code or "").casefold()) or scheme_for_label(description or code or "OTHER")
    return Ident(refine_scheme(scheme, number, country, kind), number, country, description or code)


@dataclass
class _Group:
    party: PartyRecord
    rows: list[int] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    id_countries: list[str] = field(default_factory=list)
    regulation_dates: list[dt.date] = field(default_factory=list)


def _absorb_csv_row(group: _Group, row: HeaderRow) -> None:
    """Add what one sub-record row carries to its entity."""
    party = group.party
    whole = row.get("NameAlias_WholeName")
    if whole:
        if party.name:
            party.add_alias(whole)
        else:
            party.name = whole
    party.add_program(row.get("Entity_Regulation_Programme"))
    published = parse_date(row.get("Entity_Regulation_PublicationDate"))
    if published:
        group.regulation_dates.append(published)
    if country := try_iso2(row.get("Address_CountryIso2Code")):
        group.addresses.append(country)
    if country := try_iso2(row.get("Citizenship_CountryIso2Code")):
        group.citizenships.append(country)
    number = row.get("Identification_Number")
    if number:
        country = try_iso2(row.get("Identification_CountryIso2Code"))
        if country:
            group.id_countries.append(country)
        party.add_identifier(
            _identifier(
                row.get("Identification_TypeCode"),
                row.get("Identification_TypeDescription"),
                number,
                country,
                party.kind,
            )
        )


def _finish(group: _Group) -> None:
    party = group.party
    if party.listed_on is None and group.regulation_dates:
        party.listed_on = min(group.regulation_dates)
    citizenship = group.citizenships if party.kind == "person" else []
    party.country = next(iter(group.addresses + citizenship + group.id_countries), None)


def parse_eu_csv(path: Path, *, prefix: str = "eu-fsf", max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Event]:
    """One event per row of the FSF CSV v1.1: a party for an entity's first row, merged for the rest.

    Entities are held until the end of the file (sub-records of one entity need not be adjacent);
    the EU list has some ten thousand entities, so this stays small.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "eu.csv"
        >>> _ = path.write_text("Entity_LogicalId;Entity_SubjectType_ClassificationCode;NameAlias_WholeName;"
        ...     "Address_CountryIso2Code\\n13;E;ACME LLP;\\n13;E;;KZ\\n")
        >>> [type(e).__name__ for e in parse_eu_csv(path)]
        ['Merged', 'PartyRecord']
    """
    source = f"{prefix}:{path.name}"
    groups: dict[str, _Group] = {}
    for row in iter_csv_records(path, required=("Entity_LogicalId",), delimiter=";", max_bytes=max_bytes):
        if not row.ok:
            yield Rejected(
                source, row.number, None, None, "the row's cell count differs from the header's", dict(row.cells)
            )
            continue
        logical_id = row.get("Entity_LogicalId")
        if logical_id is None:
            yield Rejected(source, row.number, "Entity_LogicalId", None, "no Entity_LogicalId", dict(row.cells))
            continue
        group = groups.get(logical_id)
        if group is None:
            kind = _kind(row.get("Entity_SubjectType_ClassificationCode"), row.get("Entity_SubjectType"))
            party = PartyRecord(
                party_id=f"{prefix}:{logical_id}",
                name="",
                source=source,
                source_row=row.number,
                kind=kind,
                listed_on=parse_date(row.get("Entity_DesignationDate")),
                list_name=_LIST_NAME,
            )
            group = groups[logical_id] = _Group(party)
        group.rows.append(row.number)
        _absorb_csv_row(group, row)
    for logical_id, group in groups.items():
        party = group.party
        first, *rest = group.rows
        if not party.name:
            yield Rejected(
                source,
                first,
                "NameAlias_WholeName",
                None,
                f"entity {logical_id} has no name in any row",
                {"Entity_LogicalId": logical_id},
            )
            for number in rest:
                yield Rejected(
                    source,
                    number,
                    "Entity_LogicalId",
                    logical_id,
                    f"sub-record of entity {logical_id}, which has no name",
                    {"Entity_LogicalId": logical_id},
                )
            continue
        _finish(group)
        for number in rest:
            party.merged_from.append(f"{source}#{number}")
            yield Merged(source, number, party.party_id)
        yield party


def parse_eu_xml(path: Path, *, prefix: str = "eu-fsf", max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Event]:
    """One event per ``<sanctionEntity>`` of the FSF XML export, streamed and parsed safely.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "eu.xml"
        >>> _ = path.write_text('<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="13" '
        ...     'designationDate="2022-02-23"><regulation programme="RUS"/><subjectType classificationCode="E"/>'
        ...     '<nameAlias wholeName="ACME LLP"/><address countryIso2Code="KZ"/></sanctionEntity></export>')
        >>> [(p.party_id, p.name, p.country, p.programs) for p in parse_eu_xml(path)]
        [('eu-fsf:13', 'ACME LLP', 'KZ', ['RUS'])]
    """
    source = f"{prefix}:{path.name}"
    for number, entity in enumerate(iter_xml(path, "sanctionEntity", max_bytes=max_bytes), start=1):
        logical_id = entity.get("logicalId")
        children: dict[str, list[dict[str, str]]] = {}
        for child in entity:
            children.setdefault(local_name(child.tag), []).append(dict(child.attrib))
        subject = next(iter(children.get("subjectType", [])), {})
        names = [n["wholeName"].strip() for n in children.get("nameAlias", []) if n.get("wholeName", "").strip()]
        cells = {
            "logicalId": logical_id,
            "euReferenceNumber": entity.get("euReferenceNumber"),
            "name": next(iter(names), None),
        }
        if not logical_id:
            yield Rejected(source, number, "logicalId", None, "sanctionEntity without a logicalId", cells)
            continue
        if not names:
            yield Rejected(source, number, "nameAlias", None, "no nameAlias with a wholeName", cells)
            continue
        kind = _kind(subject.get("classificationCode"), subject.get("code"))
        party = PartyRecord(
            party_id=f"{prefix}:{logical_id}",
            name=names[0],
            source=source,
            source_row=number,
            kind=kind,
            listed_on=parse_date(entity.get("designationDate")),
            list_name=_LIST_NAME,
        )
        group = _Group(party)
        for alias in names[1:]:
            party.add_alias(alias)
        for regulation in children.get("regulation", []):
            party.add_program(regulation.get("programme"))
            if published := parse_date(regulation.get("publicationDate")):
                group.regulation_dates.append(published)
        for ident in children.get("identification", []):
            value = (ident.get("number") or "").strip()
            if value:
                country = try_iso2(ident.get("countryIso2Code"))
                group.id_countries += [country] if country else []
                party.add_identifier(
                    _identifier(
                        ident.get("identificationTypeCode"),
                        ident.get("identificationTypeDescription"),
                        value,
                        country,
                        kind,
                    )
                )
        group.addresses = [c for a in children.get("address", []) if (c := try_iso2(a.get("countryIso2Code")))]
        group.citizenships = [c for a in children.get("citizenship", []) if (c := try_iso2(a.get("countryIso2Code")))]
        _finish(group)
        yield party
