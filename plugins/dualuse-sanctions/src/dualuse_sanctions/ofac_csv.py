"""OFAC's legacy SDN files: ``sdn.csv`` with ``add.csv`` (addresses) and ``alt.csv`` (aliases).

The three files have no header row, CRLF line ends, ``-0-`` (often ``-0- ``) for an empty cell
and a trailing 0x1A byte. They join on ``ent_num``. Each ``sdn.csv`` row becomes a party; each
``add.csv`` and ``alt.csv`` row is merged into its party (its ``source#row`` listed in
``merged_from``) or rejected with its reason (an ``ent_num`` that is not in ``sdn.csv``, a
country that names no country, a wrong number of cells).

Mapping: ``SDN_Type`` "individual" is a person, "vessel" and "aircraft" are themselves, and an
empty type (``-0-``) is an entity, a company. ``Program`` holds several programs split by ``] [``.
The country is the first address's country (else the vessel's flag, else a nationality or an
identifier's country in Remarks). Identifiers, aliases (``a.k.a.``/``f.k.a.``/``n.k.a.``) and the
founding date are read out of Remarks (:func:`dualuse_sanctions.identifiers.parse_remarks`).

Examples:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "sdn.csv").write_bytes(
    ...     b'47950,"LIMITED LIABILITY PARTNERSHIP ELEM GROUP",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,'
    ...     b'-0- ,-0- ,-0- ,"Identification Number 220340015717 (Kazakhstan)."\\r\\n\\x1a')
    >>> from dualuse_sanctions.records import collect
    >>> result = collect(parse_ofac_csv(folder / "sdn.csv"))
    >>> party = result.parties.row(0, named=True)
    >>> party["kind"], party["country"], party["identifiers"], party["programs"]
    ('company', 'KZ', [{'scheme': 'BIN', 'value': '220340015717'}], ['RUSSIA-EO14024'])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from dualuse.errors import CountryError
from dualuse_sanctions.countries import iso2, try_iso2
from dualuse_sanctions.identifiers import parse_remarks
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES, iter_csv
from dualuse_sanctions.records import Event, Kind, Merged, PartyRecord, Rejected

__all__ = ["ADD_COLUMNS", "ALT_COLUMNS", "SDN_COLUMNS", "parse_ofac_csv"]

SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ADD_COLUMNS = ("Ent_num", "Add_num", "Address", "City/State/Province/Postal Code", "Country", "Add_remarks")
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")

_KINDS: dict[str | None, Kind] = {None: "company", "individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
_LIST_NAME = "OFAC SDN"


def _null(cell: str) -> str | None:
    value = cell.strip()
    return None if value in ("", "-0-") else value


def _whole_number(value: str | None) -> TypeGuard[str]:
    return value is not None and value.isascii() and value.isdigit()


def _cells(columns: tuple[str, ...], row: list[str]) -> dict[str, str | None]:
    names = list(columns) + [f"extra_{i}" for i in range(len(row) - len(columns))]
    return dict(zip(names, row, strict=False))


@dataclass(frozen=True)
class _SideRow:
    """A row of add.csv (``value`` is its country) or alt.csv (``value`` is the alias)."""

    source: str
    row: int
    value: str | None


def _read_side_file(
    path: Path,
    source: str,
    columns: tuple[str, ...],
    value_column: int,
    max_bytes: int,
) -> Iterator[Rejected | tuple[int, _SideRow]]:
    """Each add/alt row as ``(ent_num, row)`` or, when it is malformed or says nothing, a reject."""
    column = columns[value_column]
    for number, row in enumerate(iter_csv(path, max_bytes=max_bytes), start=1):
        if len(row) != len(columns):
            yield Rejected(
                source, number, None, None, f"expected {len(columns)} cells, found {len(row)}", _cells(columns, row)
            )
            continue
        ent = _null(row[0])
        if not _whole_number(ent):
            yield Rejected(source, number, columns[0], row[0], "ent_num is not a whole number", _cells(columns, row))
            continue
        value = _null(row[value_column])
        if column == "Country":
            try:
                value = iso2(value)
            except CountryError:
                yield Rejected(source, number, column, value, "names no known country", _cells(columns, row))
                continue
        elif value is None:
            yield Rejected(source, number, column, None, "alias without a name", _cells(columns, row))
            continue
        yield int(ent), _SideRow(source, number, value)


def _index(events: Iterator[Rejected | tuple[int, _SideRow]], rejects: list[Rejected]) -> dict[int, list[_SideRow]]:
    """Side rows by ent_num, in file order; rejects are collected."""
    index: dict[int, list[_SideRow]] = {}
    for event in events:
        if isinstance(event, Rejected):
            rejects.append(event)
        else:
            index.setdefault(event[0], []).append(event[1])
    return index


def _sdn_row(row: list[str], number: int, source: str, prefix: str, seen: set[int]) -> PartyRecord | Rejected:
    """A party from one sdn.csv row (without its addresses and aliases), or the reason it is not one."""
    if len(row) != len(SDN_COLUMNS):
        reason = f"expected {len(SDN_COLUMNS)} cells, found {len(row)}"
        return Rejected(source, number, None, None, reason, _cells(SDN_COLUMNS, row))
    values = [_null(c) for c in row]
    ent_text, name, sdn_type = values[0], values[1], values[2]

    def reject(column: str, value: str | None, reason: str) -> Rejected:
        return Rejected(source, number, column, value, reason, _cells(SDN_COLUMNS, row))

    if not _whole_number(ent_text):
        return reject("ent_num", row[0], "ent_num is not a whole number")
    ent = int(ent_text)
    if ent in seen:
        return reject("ent_num", ent_text, "ent_num already listed in an earlier row")
    if name is None:
        return reject("SDN_Name", row[1], "no name")
    kind = _KINDS.get(sdn_type.casefold() if sdn_type else None)
    if kind is None:
        return reject("SDN_Type", sdn_type, "expected individual, vessel, aircraft or -0-")
    seen.add(ent)
    remarks = parse_remarks(values[11], kind)
    party = PartyRecord(
        party_id=f"{prefix}:{ent}",
        name=name,
        source=source,
        source_row=number,
        kind=kind,
        founded=remarks.founded,
        list_name=_LIST_NAME,
    )
    for program in (values[3] or "").split("] ["):
        party.add_program(program.strip().strip("[]").strip())
    for ident in remarks.identifiers:
        party.add_identifier(ident)
    for alias in remarks.aliases:
        party.add_alias(alias)
    # Fallbacks for the country, used when no address gives one.
    party.country = (
        (try_iso2(values[9]) if kind == "vessel" else None)
        or remarks.nationality
        or next((i.country for i in party.identifiers if i.country), None)
    )
    return party


def parse_ofac_csv(
    sdn: Path,
    add: Path | None = None,
    alt: Path | None = None,
    *,
    prefix: str = "ofac-sdn",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Event]:
    """One event per row of ``sdn.csv``, ``add.csv`` and ``alt.csv`` (the last two are optional).

    ``source`` is ``"{prefix}:{file name}"``; ``source_row`` the 1-based row number in that file.
    ``add.csv`` and ``alt.csv`` are read first (they are indexed by ``ent_num``); ``sdn.csv`` is
    streamed.
    """
    rejects: list[Rejected] = []
    addresses = _index(_read_side_file(add, f"{prefix}:{add.name}", ADD_COLUMNS, 4, max_bytes), rejects) if add else {}
    aliases = _index(_read_side_file(alt, f"{prefix}:{alt.name}", ALT_COLUMNS, 3, max_bytes), rejects) if alt else {}
    yield from rejects

    sdn_source = f"{prefix}:{sdn.name}"
    seen: set[int] = set()
    for number, row in enumerate(iter_csv(sdn, max_bytes=max_bytes), start=1):
        party = _sdn_row(row, number, sdn_source, prefix, seen)
        if isinstance(party, PartyRecord):
            ent = int(row[0].strip())
            address_country = None
            for side in addresses.pop(ent, []):
                address_country = address_country or side.value
                party.merged_from.append(f"{side.source}#{side.row}")
                yield Merged(side.source, side.row, party.party_id)
            for side in aliases.pop(ent, []):
                party.add_alias(side.value)
                party.merged_from.append(f"{side.source}#{side.row}")
                yield Merged(side.source, side.row, party.party_id)
            party.country = address_country or party.country
        yield party

    # Address and alias rows whose entity is not in sdn.csv cannot be placed: say so.
    for index, column in ((addresses, "Ent_num"), (aliases, "ent_num")):
        for ent, sides in index.items():
            for side in sides:
                cells = {column: str(ent), "value": side.value}
                yield Rejected(side.source, side.row, column, str(ent), "ent_num is not in sdn.csv", cells)
