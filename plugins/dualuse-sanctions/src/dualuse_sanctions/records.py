"""What every list parser yields, one event per input row, and how events become frames.

A parser turns each input row into exactly one event: a :class:`PartyRecord` (the row became a
party), a :class:`Merged` (the row was folded into a party made from another row: an OFAC
``add.csv`` address, an EU sub-record, a UK alias row) or a :class:`Rejected` (with its reason).
So rows in = parties + merged + rejected holds by construction, per file, and :func:`collect`
counts it in :class:`FileTally`.

Examples:
    >>> events = [
    ...     PartyRecord(party_id="x:1", name="ACME LLP", source="x:a.csv", source_row=1),
    ...     Merged(source="x:b.csv", source_row=1, party_id="x:1"),
    ...     Rejected(source="x:b.csv", source_row=2, column="ent_num", value="?", reason="not a number"),
    ... ]
    >>> result = collect(events)
    >>> result.parties.height, result.rejected.height, [t.rows for t in result.tallies]
    (1, 1, [1, 2])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from dualuse.rejects import REJECT_COLUMNS
from dualuse.schema import polars_schema

__all__ = [
    "EXTRA_COLUMNS",
    "Batch",
    "Event",
    "FileTally",
    "Ident",
    "Kind",
    "Merged",
    "ParseResult",
    "PartyRecord",
    "Rejected",
    "Tallies",
    "batches",
    "collect",
    "parties_frame",
    "rejects_frame",
]

Kind = Literal["company", "person", "organization", "vessel", "aircraft", "unknown"]


@dataclass(frozen=True)
class Ident:
    """An identifier with what the list said about it.

    ``scheme`` is the canonical name (INN, OGRN, BIN, IIN, TAX_ID, REG_NO, NATIONAL_ID, PASSPORT,
    SWIFT_BIC, IMO, ...); ``country`` the issuing country as ISO alpha-2 when the list names one;
    ``label`` the list's own words ("Identification Number").
    """

    scheme: str
    value: str
    country: str | None = None
    label: str | None = None


@dataclass
class PartyRecord:
    """One party, built from the row at ``source``/``source_row`` (plus any merged rows)."""

    party_id: str
    name: str
    source: str
    source_row: int
    aliases: list[str] = field(default_factory=list)
    kind: Kind = "unknown"
    country: str | None = None
    identifiers: list[Ident] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_on: dt.date | None = None
    founded: dt.date | None = None
    list_name: str | None = None
    merged_from: list[str] = field(default_factory=list)

    def add_alias(self, alias: str | None) -> None:
        """Add ``alias`` unless it is empty, the name itself, or already known."""
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)

    def add_identifier(self, ident: Ident) -> None:
        """Add ``ident`` unless the same scheme and value are already there."""
        if all((i.scheme, i.value) != (ident.scheme, ident.value) for i in self.identifiers):
            self.identifiers.append(ident)

    def add_program(self, program: str | None) -> None:
        """Add ``program`` unless empty or already there."""
        if program and program not in self.programs:
            self.programs.append(program)


@dataclass(frozen=True)
class Merged:
    """An input row folded into the party ``party_id`` (made from another row)."""

    source: str
    source_row: int
    party_id: str


@dataclass(frozen=True)
class Rejected:
    """An input row that became nothing, with the first bad ``column``, its ``value`` and the ``reason``.

    ``cells`` keeps every input cell as text, so nothing the user gave is lost.
    """

    source: str
    source_row: int
    column: str | None
    value: str | None
    reason: str
    cells: Mapping[str, str | None] = field(default_factory=dict)


Event = PartyRecord | Merged | Rejected


@dataclass(frozen=True)
class FileTally:
    """How the rows of one input file were accounted for: ``rows == parties + merged + rejected``."""

    source: str
    rows: int
    parties: int
    merged: int
    rejected: int


@dataclass(frozen=True)
class ParseResult:
    """A whole parse: the parties frame, the rejected rows, and one tally per input file."""

    parties: pl.DataFrame
    rejected: pl.DataFrame
    tallies: tuple[FileTally, ...]

    def tally(self, source: str) -> FileTally:
        """The tally of one input file, by its ``source`` name."""
        for item in self.tallies:
            if item.source == source:
                return item
        raise KeyError(f"no rows were read from {source!r}; sources: {[t.source for t in self.tallies]}")


EXTRA_COLUMNS: dict[str, pl.DataType] = {
    "list_name": pl.String(),
    "identifier_details": pl.List(
        pl.Struct({"scheme": pl.String, "value": pl.String, "country": pl.String, "label": pl.String})
    ),
    "merged_from": pl.List(pl.String()),
}
"""Columns kept after the canonical ``parties`` columns: the list a party came from, each
identifier with its issuing country and the list's label, and the ``source#row`` of every row that
was merged into the party (its provenance)."""


def parties_frame(records: Iterable[PartyRecord]) -> pl.DataFrame:
    """A ``parties`` frame (canonical columns, then :data:`EXTRA_COLUMNS`) from records.

    Examples:
        >>> frame = parties_frame([PartyRecord(party_id="p", name="N", source="s", source_row=3,
        ...     identifiers=[Ident("BIN", "220340015717", "KZ", "Identification Number")])])
        >>> frame.row(0, named=True)["identifiers"]
        [{'scheme': 'BIN', 'value': '220340015717'}]
    """
    rows = [
        {
            "party_id": r.party_id,
            "name": r.name,
            "aliases": r.aliases,
            "kind": r.kind,
            "country": r.country,
            "identifiers": [{"scheme": i.scheme, "value": i.value} for i in r.identifiers],
            "programs": r.programs,
            "listed_on": r.listed_on,
            "source": r.source,
            "source_row": r.source_row,
            "founded": r.founded,
            "employees": None,
            "revenue_usd": None,
            "owners": [],
            "list_name": r.list_name,
            "identifier_details": [
                {"scheme": i.scheme, "value": i.value, "country": i.country, "label": i.label} for i in r.identifiers
            ],
            "merged_from": r.merged_from,
        }
        for r in records
    ]
    schema = pl.Schema({**dict(polars_schema("parties")), **EXTRA_COLUMNS})
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def rejects_frame(rejects: Iterable[Rejected]) -> pl.DataFrame:
    """Rejected rows in the :mod:`dualuse.rejects` layout, then ``source`` and the input cells.

    ``row`` is 0-based, as the layout asks (``source_row - 1``).

    Examples:
        >>> rejects_frame([Rejected("x:a.csv", 3, "ent_num", "?", "not a number", {"ent_num": "?"})]).row(0)
        (2, 'ent_num', '?', 'not a number', 'x:a.csv', '?')
    """
    items = list(rejects)
    cell_names: list[str] = []
    for item in items:
        cell_names.extend(c for c in item.cells if c not in cell_names and c not in REJECT_COLUMNS and c != "source")
    schema = {**REJECT_COLUMNS, "source": pl.String(), **{c: pl.String() for c in cell_names}}
    rows = [
        {
            "row": item.source_row - 1,
            "column": item.column,
            "value": item.value,
            "reason": item.reason,
            "source": item.source,
            **{c: item.cells.get(c) for c in cell_names},
        }
        for item in items
    ]
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


@dataclass
class _Counter:
    rows: int = 0
    parties: int = 0
    merged: int = 0
    rejected: int = 0


class Tallies:
    """Counts events per input file as they stream past."""

    def __init__(self) -> None:
        self._counts: dict[str, _Counter] = {}

    def count(self, event: Event) -> None:
        """Count one event against its file."""
        counter = self._counts.setdefault(event.source, _Counter())
        counter.rows += 1
        if isinstance(event, PartyRecord):
            counter.parties += 1
        elif isinstance(event, Merged):
            counter.merged += 1
        else:
            counter.rejected += 1

    def result(self) -> tuple[FileTally, ...]:
        """One :class:`FileTally` per file, in the order the files were first seen."""
        return tuple(FileTally(source, c.rows, c.parties, c.merged, c.rejected) for source, c in self._counts.items())


@dataclass(frozen=True)
class Batch:
    """A slice of a streaming parse: at most ``batch_size`` parties and the rejects seen meanwhile."""

    parties: pl.DataFrame
    rejected: pl.DataFrame


def batches(events: Iterable[Event], batch_size: int = 50_000, tallies: Tallies | None = None) -> Iterator[Batch]:
    """Turn a stream of events into frames of at most ``batch_size`` parties (memory stays bounded).

    Examples:
        >>> events = [PartyRecord(party_id=str(i), name="N", source="s", source_row=i) for i in range(1, 6)]
        >>> [b.parties.height for b in batches(events, batch_size=2)]
        [2, 2, 1]
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    parties: list[PartyRecord] = []
    rejects: list[Rejected] = []
    for event in events:
        if tallies is not None:
            tallies.count(event)
        if isinstance(event, PartyRecord):
            parties.append(event)
        elif isinstance(event, Rejected):
            rejects.append(event)
        if len(parties) >= batch_size:
            yield Batch(parties_frame(parties), rejects_frame(rejects))
            parties, rejects = [], []
    if parties or rejects:
        yield Batch(parties_frame(parties), rejects_frame(rejects))


def collect(events: Iterable[Event]) -> ParseResult:
    """Run a whole parse into one :class:`ParseResult` (for files that fit in memory, and tests)."""
    tallies = Tallies()
    parts = list(batches(events, batch_size=1_000_000, tallies=tallies))
    parties = pl.concat([p.parties for p in parts]) if parts else parties_frame([])
    rejected = pl.concat([p.rejected for p in parts], how="diagonal_relaxed") if parts else rejects_frame([])
    return ParseResult(parties=parties, rejected=rejected, tallies=tallies.result())
