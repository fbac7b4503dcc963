"""The UK Sanctions List (FCDO CSV; the only UK list since 28 January 2026).

Row 1 is ``Report Date: 13-Feb-2026``, row 2 the header (``Last Updated, Unique ID, OFSI Group ID,
UN Reference Number, Name 6, Name 1 ... Name 5, Name type, ..., Regime Name, Designation Type,
..., Address Country, ..., Date Designated, D.O.B, Nationality(/ies), National Identifier number,
..., Passport number, ..., Business registration number (s), IMO number, ...``). A designation has
one row per name: the rows share a ``Unique ID`` (``RUS0296``); the first becomes the party and the
others are merged into it. Several values in one cell are joined by ``|``.

Mapping: ``Name 1`` to ``Name 5`` then ``Name 6`` (the surname, or an entity's whole name) make a
name; the ``Primary Name`` row gives the party's name and every other row an alias (and the
non-Latin script name an alias too); ``Designation Type`` Individual/Entity/Ship is
person/company/vessel; ``Regime Name`` is the program; ``Date Designated`` (dd/mm/yyyy) the listing
date; the national identifier, passport, business registration and IMO numbers are identifiers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dualuse_sanctions.countries import try_iso2
from dualuse_sanctions.identifiers import parse_date, refine_scheme
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES, HeaderRow, iter_csv_records
from dualuse_sanctions.records import Event, Ident, Kind, Merged, PartyRecord, Rejected

__all__ = ["parse_uk_csv"]

_KINDS: dict[str, Kind] = {"individual": "person", "entity": "company", "ship": "vessel"}
_IDENTIFIER_COLUMNS = (
    ("National Identifier number", "NATIONAL_ID"),
    ("Passport number", "PASSPORT"),
    ("Business registration number (s)", "REG_NO"),
    ("IMO number", "IMO"),
)
_LIST_NAME = "UK Sanctions List"


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _full_name(row: HeaderRow) -> str | None:
    parts = [row.get(f"Name {i}") for i in (1, 2, 3, 4, 5, 6)]
    name = " ".join(p for p in parts if p)
    return name or None


@dataclass
class _Group:
    party: PartyRecord
    rows: list[int] = field(default_factory=list)
    primary: bool = False
    identifiers: list[tuple[str, str, str]] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)


def parse_uk_csv(path: Path, *, prefix: str = "uk-sanctions", max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Event]:
    """One event per data row of ``UK-Sanctions-List.csv`` (rows numbered from 1 after the header).

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "UK-Sanctions-List.csv"
        >>> _ = path.write_text("Report Date: 13-Feb-2026\\nUnique ID,Name 6,Name type,Regime Name,Designation Type,"
        ...     "Address Country,Date Designated\\nRUS1,ACME LLP,Primary Name,Russia,Entity,Kazakhstan,15/03/2023\\n"
        ...     "RUS1,AKME,Alias,Russia,Entity,,15/03/2023\\n")
        >>> [(p.name, p.aliases, p.country) for p in parse_uk_csv(path) if isinstance(p, PartyRecord)]
        [('ACME LLP', ['AKME'], 'KZ')]
    """
    source = f"{prefix}:{path.name}"
    groups: dict[str, _Group] = {}
    for row in iter_csv_records(path, required=("Unique ID", "Name 6"), preamble=1, max_bytes=max_bytes):
        cells: dict[str, str | None] = dict(row.cells)
        if not row.ok:
            yield Rejected(source, row.number, None, None, "the row's cell count differs from the header's", cells)
            continue
        unique_id = row.get("Unique ID")
        name = _full_name(row)
        if unique_id is None:
            yield Rejected(source, row.number, "Unique ID", None, "no Unique ID", cells)
            continue
        if name is None:
            yield Rejected(source, row.number, "Name 6", None, "no name in Name 1 to Name 6", cells)
            continue
        type_text = row.get("Designation Type") or ""
        group = groups.get(unique_id)
        if group is None:
            party = PartyRecord(
                party_id=f"{prefix}:{unique_id}",
                name=name,
                source=source,
                source_row=row.number,
                kind=_KINDS.get(type_text.casefold(), "unknown"),
                listed_on=parse_date(row.get("Date Designated")),
                list_name=_LIST_NAME,
            )
            group = groups[unique_id] = _Group(party)
        party = group.party
        group.rows.append(row.number)
        if (row.get("Name type") or "").casefold() == "primary name" and not group.primary:
            group.primary = True
            if name != party.name:
                old, party.name = party.name, name
                party.add_alias(old)
        else:
            party.add_alias(name)
        party.add_alias(row.get("Name non-latin script"))
        party.add_program(row.get("Regime Name"))
        party.country = party.country or next((c for c in map(try_iso2, _split(row.get("Address Country"))) if c), None)
        group.nationalities += [c for c in map(try_iso2, _split(row.get("Nationality(/ies)"))) if c]
        for column, scheme in _IDENTIFIER_COLUMNS:
            group.identifiers += [(scheme, value, column) for value in _split(row.get(column))]
    for group in groups.values():
        party = group.party
        if party.country is None and party.kind == "person":
            party.country = next(iter(group.nationalities), None)
        for scheme, value, column in group.identifiers:
            # A business registration number is issued where the entity sits; a passport's issuer is not stated.
            country = party.country if scheme == "REG_NO" else None
            party.add_identifier(Ident(refine_scheme(scheme, value, country, party.kind), value, country, column))
        for number in group.rows[1:]:
            party.merged_from.append(f"{source}#{number}")
            yield Merged(source, number, party.party_id)
        yield party
