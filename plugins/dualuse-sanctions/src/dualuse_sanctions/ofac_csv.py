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

Example:
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
class _Address:
    row: int
    country: str | None


@dataclass(frozen=True)
class _Alias:
    row: int
    name: str


def _read_side_file(
    path: Path,
    source: str,
    columns: tuple[str, ...],
    rejected: list[Rejected],
    max_bytes: int,
) -> Iterator[tuple[int, int, list[str | None]]]:
    """(row number, ent_num, cells) of add/alt rows that have the right shape; others rejected."""
    for number, row in enumerate(iter_csv(path, max_bytes=max_bytes), start=1):
        cells = _cells(columns, row)
        if len(row) != len(columns):
            rejected.append(
                Rejected(source, number, None, None, f"expected {len(columns)} cells, found {len(row)}", cells)
            )
            continue
        values = [_null(c) for c in row]
        ent = values[0]
        if not _whole_number(ent):
            rejected.append(Rejected(source, number, columns[0], row[0], "ent_num is not a whole number", cells))
            continue
        yield number, int(ent), values


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
    sdn_source = f"{prefix}:{sdn.name}"
    side_rejects: list[Rejected] = []
    addresses: dict[int, list[_Address]] = {}
    aliases: dict[int, list[_Alias]] = {}
    if add is not None:
        add_source = f"{prefix}:{add.name}"
        for number, ent, values in _read_side_file(add, add_source, ADD_COLUMNS, side_rejects, max_bytes):
            try:
                country = iso2(values[4])
            except CountryError:
                side_rejects.append(
                    Rejected(
                        add_source,
                        number,
                        "Country",
                        values[4],
                        "names no known country",
                        _cells(ADD_COLUMNS, [v or "" for v in values]),
                    )
                )
                continue
            addresses.setdefault(ent, []).append(_Address(number, country))
    if alt is not None:
        alt_source = f"{prefix}:{alt.name}"
        for number, ent, values in _read_side_file(alt, alt_source, ALT_COLUMNS, side_rejects, max_bytes):
            if values[3] is None:
                side_rejects.append(
                    Rejected(
                        alt_source,
                        number,
                        "alt_name",
                        None,
                        "alias without a name",
                        _cells(ALT_COLUMNS, [v or "" for v in values]),
                    )
                )
                continue
            aliases.setdefault(ent, []).append(_Alias(number, values[3]))
    yield from side_rejects

    seen: set[int] = set()
    for number, row in enumerate(iter_csv(sdn, max_bytes=max_bytes), start=1):
        cells = _cells(SDN_COLUMNS, row)
        if len(row) != len(SDN_COLUMNS):
            yield Rejected(
                sdn_source, number, None, None, f"expected {len(SDN_COLUMNS)} cells, found {len(row)}", cells
            )
            continue
        values = [_null(c) for c in row]
        ent_text, name, sdn_type = values[0], values[1], values[2]
        if ent_text is None or not _whole_number(ent_text):
            yield Rejected(sdn_source, number, "ent_num", row[0], "ent_num is not a whole number", cells)
            continue
        ent = int(ent_text)
        if ent in seen:
            yield Rejected(sdn_source, number, "ent_num", ent_text, "ent_num already listed in an earlier row", cells)
            continue
        if name is None:
            yield Rejected(sdn_source, number, "SDN_Name", row[1], "no name", cells)
            continue
        type_key = sdn_type.casefold() if sdn_type else None
        if type_key not in _KINDS:
            yield Rejected(
                sdn_source, number, "SDN_Type", sdn_type, "expected individual, vessel, aircraft or -0-", cells
            )
            continue
        seen.add(ent)
        kind = _KINDS[type_key]
        remarks = parse_remarks(values[11], kind)
        party = PartyRecord(
            party_id=f"{prefix}:{ent}",
            name=name,
            source=sdn_source,
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
        for address in addresses.pop(ent, []):
            party.country = party.country or address.country
            party.merged_from.append(f"{prefix}:{add.name if add else 'add.csv'}#{address.row}")
            yield Merged(f"{prefix}:{add.name if add else 'add.csv'}", address.row, party.party_id)
        for alias_row in aliases.pop(ent, []):
            party.add_alias(alias_row.name)
            party.merged_from.append(f"{prefix}:{alt.name if alt else 'alt.csv'}#{alias_row.row}")
            yield Merged(f"{prefix}:{alt.name if alt else 'alt.csv'}", alias_row.row, party.party_id)
        party.country = (
            party.country
            or (try_iso2(values[9]) if kind == "vessel" else None)
            or remarks.nationality
            or next((i.country for i in party.identifiers if i.country), None)
        )
        yield party

    # Address and alias rows whose entity is not in sdn.csv cannot be placed: say so.
    for ent, rows in addresses.items():
        for address in rows:
            source = f"{prefix}:{add.name if add else 'add.csv'}"
            yield Rejected(source, address.row, "Ent_num", str(ent), "ent_num is not in sdn.csv", {"Ent_num": str(ent)})
    for ent, alias_rows in aliases.items():
        for alias_row in alias_rows:
            source = f"{prefix}:{alt.name if alt else 'alt.csv'}"
            yield Rejected(
                source,
                alias_row.row,
                "ent_num",
                str(ent),
                "ent_num is not in sdn.csv",
                {"ent_num": str(ent), "alt_name": alias_row.name},
            )
