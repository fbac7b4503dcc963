"""The tables of the explore database: columns, keys, foreign keys, indexes and full-text search.

One :class:`SqlTable` per table, so that the build, the pages and the documentation agree on
one layout. Dates are ISO text (``2023-06-22``), lists and structs JSON text, money USD.

Examples:
    >>> TABLES["shipments"].foreign_keys[0]
    ('exporter_party', 'parties', 'party_id')
    >>> [t.name for t in TABLES.values() if t.fts]
    ['party_names', 'findings']
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["INPUT_TABLES", "TABLES", "SqlTable"]


@dataclass(frozen=True)
class SqlTable:
    """One table: ``columns`` maps name to Python type (``str``, ``int``, ``float``)."""

    name: str
    columns: dict[str, type]
    pk: str | None = None
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    fts: tuple[str, ...] = ()
    description: str = ""
    by_workspace_table: bool = field(default=False)
    """Rows carry ``workspace_table``: loaded and replaced per workspace table (the incremental part)."""


_SHIPMENT = {
    "row_id": int,
    "shipment_id": str,
    "date": str,
    "hs_code": str,
    "hs6": str,
    "description": str,
    "exporter_name": str,
    "exporter_country": str,
    "exporter_id": str,
    "exporter_party": str,
    "importer_name": str,
    "importer_country": str,
    "importer_id": str,
    "importer_party": str,
    "manufacturer": str,
    "brand": str,
    "origin_country": str,
    "dispatch_country": str,
    "value_usd": float,
    "value_original": float,
    "currency": str,
    "quantity": float,
    "quantity_unit": str,
    "net_weight_kg": float,
    "source": str,
    "source_row": int,
    "workspace_table": str,
}

_FLOW = {
    "row_id": int,
    "period": str,
    "freq": str,
    "reporter": str,
    "partner": str,
    "flow": str,
    "hs_code": str,
    "hs_version": str,
    "value_usd": float,
    "valuation": str,
    "net_weight_kg": float,
    "quantity": float,
    "quantity_unit": str,
    "source": str,
    "source_row": int,
    "workspace_table": str,
}

_RECORD = {
    "record_id": int,
    "list_kind": str,
    "party_key": str,
    "name": str,
    "aliases": str,
    "kind": str,
    "country": str,
    "identifiers": str,
    "programs": str,
    "listed_on": str,
    "founded": str,
    "employees": int,
    "revenue_usd": float,
    "owners": str,
    "source": str,
    "source_row": int,
    "workspace_table": str,
}

_PARTY = {
    "party_id": str,
    "name": str,
    "country": str,
    "aliases": str,
    "identifiers": str,
    "resolved_by": str,
    "records": int,
    "in_shipments": int,
    "in_value_usd": float,
    "first_in_date": str,
    "last_in_date": str,
    "out_shipments": int,
    "out_value_usd": float,
    "first_out_date": str,
    "last_out_date": str,
    "chains": int,
    "hub_chains": int,
    "reexport_value_usd": float,
    "red_flags": int,
    "screening_hits": int,
    "top_hit_score": float,
}

_CHAIN = {
    "chain_id": str,
    "route": str,
    "legs": int,
    "hs6": str,
    "list_item": str,
    "first_date": str,
    "last_date": str,
    "quantity": float,
    "value_usd": float,
    "score": float,
    "score_identifiers": float,
    "score_product": float,
    "score_time": float,
    "score_quantity": float,
    "origin_party": str,
    "target_party": str,
    "parties": str,
    "party_names": str,
    "shipment_ids": str,
}

_LINK = {
    "chain_id": str,
    "hop": int,
    "party_id": str,
    "inbound_shipment_id": str,
    "inbound_source": str,
    "inbound_source_row": int,
    "inbound_date": str,
    "outbound_shipment_id": str,
    "outbound_source": str,
    "outbound_source_row": int,
    "outbound_date": str,
    "gap_days": int,
    "quantity": float,
    "value_usd": float,
    "product_evidence": str,
    "product_score": float,
}

_HIT = {
    "hit_id": int,
    "party_id": str,
    "query_name": str,
    "match_id": str,
    "match_record": int,
    "match_name": str,
    "score": float,
    "explanation": str,
    "features": str,
    "query_matched_name": str,
    "match_matched_name": str,
    "match_kind": str,
    "match_country": str,
    "match_source": str,
    "match_source_row": int,
    "match_programs": str,
}


def _table(name: str, columns: dict[str, type], **options: object) -> tuple[str, SqlTable]:
    return name, SqlTable(name, columns, **options)  # type: ignore[arg-type]


TABLES: dict[str, SqlTable] = dict(
    [
        _table(
            "manifests",
            {
                "name": str,
                "kind": str,
                "role": str,
                "connector": str,
                "connector_distribution": str,
                "fetched_at": str,
                "rows_accepted": int,
                "rows_rejected": int,
                "content_hash": str,
                "library_version": str,
                "config": str,
            },
            pk="name",
            description="Every workspace table the database was built from: connector, settings, time, rows, hash.",
        ),
        _table(
            "parties",
            _PARTY,
            pk="party_id",
            indexes=(("country",), ("in_value_usd",), ("reexport_value_usd",), ("first_in_date",)),
            description="Parties of the shipment records, one per company whatever its spelling or script.",
        ),
        _table(
            "shipments",
            _SHIPMENT,
            pk="row_id",
            foreign_keys=(
                ("exporter_party", "parties", "party_id"),
                ("importer_party", "parties", "party_id"),
                ("workspace_table", "manifests", "name"),
            ),
            indexes=(("importer_party", "date"), ("exporter_party", "date"), ("source", "source_row"), ("hs_code",)),
            description="Shipment lines as fetched, with the party each side was resolved to.",
            by_workspace_table=True,
        ),
        _table(
            "flows",
            _FLOW,
            pk="row_id",
            foreign_keys=(("workspace_table", "manifests", "name"),),
            indexes=(("hs_code",), ("reporter", "partner"), ("source", "source_row")),
            description="Aggregate trade statistics as fetched.",
            by_workspace_table=True,
        ),
        _table(
            "party_records",
            _RECORD,
            pk="record_id",
            foreign_keys=(("workspace_table", "manifests", "name"),),
            indexes=(("party_key",),),
            description="Watch-list and registry entries as fetched (list_kind says which).",
            by_workspace_table=True,
        ),
        _table(
            "party_identifiers",
            {"party_id": str, "record_id": int, "scheme": str, "value": str},
            foreign_keys=(("party_id", "parties", "party_id"), ("record_id", "party_records", "record_id")),
            indexes=(("value",), ("party_id",), ("record_id",)),
            description="Identifiers (INN, BIN, tax ids) of parties and of watch-list and registry entries.",
        ),
        _table(
            "party_names",
            {"party_id": str, "record_id": int, "form": str, "name": str, "latin": str, "phonetic": str},
            foreign_keys=(("party_id", "parties", "party_id"), ("record_id", "party_records", "record_id")),
            fts=("name", "latin", "phonetic"),
            description="Every name and alias, as written, transliterated to Latin and as a phonetic key (searchable).",
        ),
        _table(
            "party_trade",
            {"party_id": str, "direction": str, "year": int, "hs6": str, "shipments": int, "value_usd": float},
            foreign_keys=(("party_id", "parties", "party_id"),),
            indexes=(("party_id", "direction"), ("hs6",)),
            description="Shipments and value in and out of each party by year and HS subheading (first six digits).",
        ),
        _table(
            "counterparties",
            {
                "party_id": str,
                "counterparty_id": str,
                "direction": str,
                "shipments": int,
                "value_usd": float,
                "first_date": str,
                "last_date": str,
            },
            foreign_keys=(("party_id", "parties", "party_id"), ("counterparty_id", "parties", "party_id")),
            indexes=(("party_id",), ("counterparty_id",)),
            description="Who traded with whom: 'supplier' sold to the party, 'customer' bought from it.",
        ),
        _table(
            "chains",
            _CHAIN,
            pk="chain_id",
            foreign_keys=(("origin_party", "parties", "party_id"), ("target_party", "parties", "party_id")),
            indexes=(("hs6",), ("score",), ("route",)),
            description="Shipment chains origin -> intermediaries -> target, with their score.",
        ),
        _table(
            "chain_parties",
            {"chain_id": str, "position": int, "party_id": str},
            foreign_keys=(("chain_id", "chains", "chain_id"), ("party_id", "parties", "party_id")),
            indexes=(("party_id",), ("chain_id",)),
            description="The parties of each chain in order (position 0 is the origin).",
        ),
        _table(
            "chain_links",
            _LINK,
            foreign_keys=(("chain_id", "chains", "chain_id"), ("party_id", "parties", "party_id")),
            indexes=(("chain_id",), ("party_id",)),
            description="Each intermediary of a chain: the shipment in, the shipment out, the gap and the quantity.",
        ),
        _table(
            "chain_legs",
            {
                "chain_id": str,
                "leg": int,
                "from_party": str,
                "to_party": str,
                "shipment_id": str,
                "date": str,
                "quantity": float,
                "value_usd": float,
                "source": str,
                "source_row": int,
            },
            foreign_keys=(
                ("chain_id", "chains", "chain_id"),
                ("from_party", "parties", "party_id"),
                ("to_party", "parties", "party_id"),
            ),
            indexes=(("chain_id",),),
            description="The legs of each chain, each with the shipment line behind it (source, source_row).",
        ),
        _table(
            "red_flags",
            {"flag_id": int, "party_id": str, "name": str, "country": str, "flag": str, "detail": str, "value": float},
            pk="flag_id",
            foreign_keys=(("party_id", "parties", "party_id"),),
            indexes=(("party_id",), ("flag",)),
            description="Red flags on parties (the 2023 multilateral guidance); their rows are in evidence.",
        ),
        _table(
            "screening_hits",
            _HIT,
            pk="hit_id",
            foreign_keys=(("party_id", "parties", "party_id"), ("match_record", "party_records", "record_id")),
            indexes=(("party_id",),),
            description="Parties of the shipment records that match a watch-list entry, with the explanation.",
        ),
        _table(
            "findings",
            {
                "finding_id": str,
                "kind": str,
                "subject": str,
                "score": float,
                "summary": str,
                "metrics": str,
                "party_id": str,
            },
            pk="finding_id",
            foreign_keys=(("party_id", "parties", "party_id"),),
            indexes=(("kind", "score"),),
            fts=("subject", "summary"),
            description="Every finding but the one per chain (the chains table holds those); its rows are in evidence.",
        ),
        _table(
            "evidence",
            {"owner": str, "owner_id": str, "table_name": str, "source": str, "source_row": int},
            indexes=(("owner", "owner_id"),),
            description="The input rows behind each finding, red flag and screening hit (owner says which).",
        ),
    ]
)
"""Every table, in the order they are created (a table comes after the tables it refers to)."""

INPUT_TABLES = {"shipments": "shipments", "flows": "flows", "parties": "party_records"}
"""Canonical table of a fetched workspace table -> the table its rows go to."""
