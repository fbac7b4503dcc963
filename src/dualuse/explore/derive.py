"""The rows of the explore database, as polars frames: fetched rows made ready, and what is derived.

:func:`input_rows` prepares one batch of a fetched table (the party of each shipment side joined
on ``source`` + ``source_row``); :func:`derived_tables` computes everything else from the stored
results and the fetched shipments: parties with their totals, trade by year and HS chapter,
counterparties, chain parties and legs, flags, hits and findings with their evidence rows, and
every name of every party in its searchable forms.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import polars as pl

from dualuse.explore.tables import TABLES
from dualuse.explore.text import search_forms
from dualuse.results import ANALYSIS_CONNECTOR
from dualuse.store import StoredTable

__all__ = ["derived_tables", "input_rows", "party_sides"]

_FILE_CONNECTORS = frozenset({"csv", "parquet", "excel"})
_IDENTIFIERS = pl.List(pl.Struct({"scheme": pl.String, "value": pl.String}))
_EVIDENCE = pl.List(pl.Struct({"table": pl.String, "source": pl.String, "source_row": pl.Int64}))


def party_sides(shipment_parties: StoredTable) -> pl.LazyFrame:
    """The party of each side of each shipment line, one row per ``source`` + ``source_row`` (lazily)."""
    sides = shipment_parties.scan().select("source", "source_row", "exporter_party", "importer_party")
    return sides.unique(["source", "source_row"], keep="first")


def input_rows(stored: StoredTable, sides: pl.LazyFrame | None) -> pl.LazyFrame:
    """A fetched table as its explore table holds it, lazily (shipments joined to their parties in one pass)."""
    kind = stored.manifest.table
    frame = stored.scan().with_columns(pl.lit(stored.name).alias("workspace_table"))
    if kind == "shipments":
        frame = frame.with_columns(pl.col("hs_code").str.slice(0, 6).alias("hs6"))
        if sides is not None:
            frame = frame.join(sides, on=["source", "source_row"], how="left", maintain_order="left")
    elif kind == "parties":
        records = frame.collect()  # watch lists and registries are small
        if "registration_id" in records.columns:
            from dualuse.synth.scenario import unflatten_registry

            records = unflatten_registry(records)
        is_file = stored.manifest.connector in _FILE_CONNECTORS
        frame = (
            records.lazy()
            .rename({"party_id": "party_key"})
            .with_columns(pl.lit("registry" if is_file else "watchlist").alias("list_kind"))
        )
    return frame


def _query(conn: sqlite3.Connection, sql: str, schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(conn.execute(sql).fetchall(), schema=schema, orient="row")


def _shipments(sources: dict[str, StoredTable], parties: pl.DataFrame) -> pl.LazyFrame:
    """Every fetched shipment line with the party of each side (lazily)."""
    scans = [
        t.scan().select("date", "hs_code", "value_usd", "source", "source_row")
        for t in sources.values()
        if t.manifest.connector != ANALYSIS_CONNECTOR and t.manifest.table == "shipments"
    ]
    if not scans:
        return pl.LazyFrame(schema={"date": pl.Date, "hs_code": pl.String, "value_usd": pl.Float64,
                                    "exporter_party": pl.String, "importer_party": pl.String})  # fmt: skip
    sides = parties.lazy().select("source", "source_row", "exporter_party", "importer_party")
    return pl.concat(scans, how="diagonal_relaxed").join(
        sides.unique(["source", "source_row"]), on=["source", "source_row"], how="inner"
    )


def _sides(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Each line twice: once for its importer (direction ``in``), once for its exporter (``out``)."""
    return pl.concat(
        [
            lines.select(
                pl.col(own).alias("party_id"),
                pl.col(other).alias("counterparty_id"),
                pl.lit(direction).alias("direction"),
                "date",
                "hs_code",
                "value_usd",
            )
            for own, other, direction in (
                ("importer_party", "exporter_party", "in"),
                ("exporter_party", "importer_party", "out"),
            )
        ]
    ).filter(pl.col("party_id").is_not_null())


def _evidence(frame: pl.DataFrame, owner: str, key: str) -> pl.DataFrame:
    if "evidence" not in frame.columns or frame.is_empty():
        return pl.DataFrame(schema={"owner": pl.String, "owner_id": pl.String, "table_name": pl.String,
                                    "source": pl.String, "source_row": pl.Int64})  # fmt: skip
    rows = frame.select(pl.col(key).cast(pl.String).alias("owner_id"), pl.col("evidence").cast(_EVIDENCE)).explode(
        "evidence"
    )
    return rows.filter(pl.col("evidence").is_not_null()).select(
        pl.lit(owner).alias("owner"),
        "owner_id",
        pl.col("evidence").struct.field("table").alias("table_name"),
        pl.col("evidence").struct.field("source"),
        pl.col("evidence").struct.field("source_row"),
    )


def _chains(results: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    chains = results.get("chains")
    links = results.get("chain_links")
    if chains is None or links is None:
        return {}
    members = chains.select("chain_id", pl.col("parties").alias("party_id")).with_columns(
        pl.int_ranges(pl.col("party_id").list.len()).alias("position")
    )
    chain_parties = members.explode("party_id", "position").with_columns(pl.col("position").cast(pl.Int64))
    leg_parties = chain_parties.select(
        "chain_id", (pl.col("position") + 1).alias("leg"), pl.col("party_id").alias("from_party")
    ).join(
        chain_parties.select("chain_id", pl.col("position").alias("leg"), pl.col("party_id").alias("to_party")),
        on=["chain_id", "leg"],
    )
    legs = pl.concat(
        [
            links.select(
                "chain_id",
                pl.col("hop").cast(pl.Int64).alias("leg") + offset,
                pl.col(f"{side}_shipment_id").alias("shipment_id"),
                pl.col(f"{side}_date").alias("date"),
                "quantity",
                "value_usd",
                pl.col(f"{side}_source").alias("source"),
                pl.col(f"{side}_source_row").alias("source_row"),
            )
            for side, offset in (("inbound", 0), ("outbound", 1))
        ]
    )
    legs = legs.unique(["chain_id", "leg"], keep="first", maintain_order=True).join(
        leg_parties, on=["chain_id", "leg"], how="left"
    )
    described = chains.with_columns(
        pl.col("parties").list.first().alias("origin_party"), pl.col("parties").list.last().alias("target_party")
    )
    return {"chains": described, "chain_parties": chain_parties, "chain_links": links, "chain_legs": legs}


def _records(conn: sqlite3.Connection) -> pl.DataFrame:
    frame = _query(
        conn,
        "select record_id, party_key, name, aliases, identifiers from party_records",
        {
            "record_id": pl.Int64,
            "party_key": pl.String,
            "name": pl.String,
            "aliases": pl.String,
            "identifiers": pl.String,
        },
    )
    return frame.with_columns(
        pl.col("aliases").str.json_decode(pl.List(pl.String)),
        pl.col("identifiers").str.json_decode(_IDENTIFIERS),
    )


def _clean_value() -> pl.Expr:
    return pl.col("value").str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")


def _identifiers(parties: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """Identifiers of parties and records, each record tied to the party that shares one (if any)."""
    own = parties.select("party_id", pl.col("identifiers").cast(_IDENTIFIERS)).explode("identifiers")
    own = own.filter(pl.col("identifiers").is_not_null()).select(
        "party_id", pl.lit(None, pl.Int64).alias("record_id"), pl.col("identifiers").struct.unnest()
    )
    listed = records.select("record_id", "identifiers").explode("identifiers")
    listed = listed.filter(pl.col("identifiers").is_not_null()).select(
        "record_id", pl.col("identifiers").struct.unnest()
    )
    keys = own.select("party_id", _clean_value().alias("key")).unique("key", keep="first")
    listed = listed.join(keys, left_on=_clean_value(), right_on="key", how="left").select(
        "party_id", "record_id", "scheme", "value"
    )
    return pl.concat([own, listed.cast({"party_id": pl.String})], how="vertical_relaxed")


def _names(parties: pl.DataFrame, records: pl.DataFrame, identifiers: pl.DataFrame) -> pl.DataFrame:
    """Every name and alias of parties and records, with its searchable forms."""
    of_record = identifiers.filter(pl.col("record_id").is_not_null() & pl.col("party_id").is_not_null())
    of_record = of_record.select("record_id", "party_id").unique("record_id", keep="first")
    tied = records.join(of_record, on="record_id", how="left")
    parts = [
        parties.select("party_id", pl.lit(None, pl.Int64).alias("record_id"), pl.lit("name").alias("form"), "name"),
        parties.select(
            "party_id",
            pl.lit(None, pl.Int64).alias("record_id"),
            pl.lit("alias").alias("form"),
            pl.col("aliases").alias("name"),
        ).explode("name"),
        tied.select("party_id", "record_id", pl.lit("listed name").alias("form"), "name"),
        tied.select(
            "party_id", "record_id", pl.lit("listed alias").alias("form"), pl.col("aliases").alias("name")
        ).explode("name"),
    ]
    names = pl.concat(parts, how="vertical_relaxed").filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
    names = names.unique(["party_id", "record_id", "name"], keep="first", maintain_order=True)
    distinct = names.select("name").unique()
    forms = [search_forms(n) for n in distinct["name"]]
    distinct = distinct.with_columns(
        pl.Series("latin", [f[0] for f in forms], pl.String), pl.Series("phonetic", [f[1] for f in forms], pl.String)
    )
    return names.join(distinct, on="name", how="left")


def _party_totals(
    parties: pl.DataFrame, sides: pl.DataFrame, tables: dict[str, pl.DataFrame], hits: pl.DataFrame | None
) -> pl.DataFrame:
    totals = [
        sides.filter(pl.col("direction") == d)
        .group_by("party_id")
        .agg(
            pl.len().alias(f"{d}_shipments"),
            pl.col("value_usd").sum().alias(f"{d}_value_usd"),
            pl.col("date").min().alias(f"first_{d}_date"),
            pl.col("date").max().alias(f"last_{d}_date"),
        )
        for d in ("in", "out")
    ]
    if "chain_parties" in tables:
        totals.append(tables["chain_parties"].group_by("party_id").agg(pl.col("chain_id").n_unique().alias("chains")))
        totals.append(
            tables["chain_links"]
            .group_by("party_id")
            .agg(
                pl.col("chain_id").n_unique().alias("hub_chains"), pl.col("value_usd").sum().alias("reexport_value_usd")
            )
        )
    if "red_flags" in tables:
        totals.append(tables["red_flags"].group_by("party_id").agg(pl.len().alias("red_flags")))
    if hits is not None and not hits.is_empty():
        totals.append(
            hits.group_by("query_id").agg(pl.len().alias("screening_hits"), pl.col("score").max().alias("top_hit_score"))
            .rename({"query_id": "party_id"})
        )  # fmt: skip
    result = parties
    for frame in totals:
        result = result.join(frame.cast({"party_id": pl.String}), on="party_id", how="left")
    counts = [
        c
        for c in ("in_shipments", "out_shipments", "chains", "hub_chains", "red_flags", "screening_hits")
        if c in result.columns
    ]
    return result.with_columns(pl.col(counts).fill_null(0))


def derived_tables(
    conn: sqlite3.Connection, sources: dict[str, StoredTable], results: dict[str, StoredTable]
) -> dict[str, pl.DataFrame]:
    """Every table that is not loaded per workspace table, in the order of :data:`TABLES`."""
    read = {kind: stored.read() for kind, stored in results.items() if kind != "shipment_parties"}
    tables: dict[str, pl.DataFrame] = _chains(read)
    parties = read.get("resolved_parties")
    records = _records(conn)
    if parties is None:
        parties = pl.DataFrame(schema={"party_id": pl.String, "name": pl.String, "aliases": pl.List(pl.String),
                                       "country": pl.String, "identifiers": _IDENTIFIERS})  # fmt: skip
    known = set(parties["party_id"].to_list())
    if "red_flags" in read:
        flags = read["red_flags"].with_row_index("flag_id", offset=1)
        tables["red_flags"] = flags
    hits = read.get("screening_hits")
    if hits is not None:
        match = records.select(pl.col("party_key").alias("match_id"), pl.col("record_id").alias("match_record"))
        tables["screening_hits"] = (
            hits.with_row_index("hit_id", offset=1)
            .join(match.unique("match_id", keep="first"), on="match_id", how="left")
            .rename({"query_id": "party_id"})
        )
    if "shipment_parties" in results:
        sides = _sides(_shipments(sources, results["shipment_parties"].read())).collect(engine="streaming")
    else:
        sides = pl.DataFrame(schema={"party_id": pl.String, "counterparty_id": pl.String, "direction": pl.String,
                                     "date": pl.Date, "hs_code": pl.String, "value_usd": pl.Float64})  # fmt: skip
    tables["parties"] = _party_totals(parties, sides, tables, hits)
    tables["party_trade"] = sides.group_by(
        "party_id", "direction", pl.col("date").dt.year().cast(pl.Int64).alias("year"),
        pl.col("hs_code").str.slice(0, 6).alias("hs6"),
    ).agg(pl.len().alias("shipments"), pl.col("value_usd").sum())  # fmt: skip
    tables["counterparties"] = (
        sides.filter(pl.col("counterparty_id").is_not_null())
        .group_by("party_id", "counterparty_id", "direction")
        .agg(
            pl.len().alias("shipments"),
            pl.col("value_usd").sum(),
            pl.col("date").min().alias("first_date"),
            pl.col("date").max().alias("last_date"),
        )
        .with_columns(pl.col("direction").replace({"in": "supplier", "out": "customer"}))
    )
    identifiers = _identifiers(parties, records)
    tables["party_identifiers"] = identifiers
    tables["party_names"] = _names(parties, records, identifiers)
    findings = read.get("findings")
    if findings is not None:
        # one finding per chain repeats the chains table (its rows are the chain's legs): chains stand for them
        findings = findings.filter(pl.col("kind") != "shipment_chain")
        party = pl.col("finding_id").str.extract(r"(p-[0-9a-f]{16})")
        tables["findings"] = findings.with_columns(pl.when(party.is_in(list(known))).then(party).alias("party_id"))
    evidence = [
        _evidence(tables.get("red_flags", pl.DataFrame()), "red_flag", "flag_id"),
        _evidence(tables.get("screening_hits", pl.DataFrame()), "screening_hit", "hit_id"),
        _evidence(tables.get("findings", pl.DataFrame()), "finding", "finding_id"),
    ]
    tables["evidence"] = pl.concat(evidence, how="vertical_relaxed")
    return {name: tables[name] for name in TABLES if name in tables}
