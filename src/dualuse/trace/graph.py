"""Parties and shipments as a graph: node and edge frames, and FollowTheMoney entities.

FollowTheMoney (FtM) is the data model of OpenSanctions and Aleph. Parties become ``Company``
entities (``name``, ``alias``, ``country``, ``innCode`` for Russian INNs, ``registrationNumber``
for Kazakh BINs and other identifiers, ``topics`` and ``notes`` from the red flags), owners from a
registry become ``Person`` entities linked by ``Ownership``, and every shipment is an
``EconomicActivity`` (the FtM schema for customs declarations: ``sender``, ``receiver``, ``date``,
``goodsDescription``, ``vedCode``, ``originCountry``, ``departureCountry``, ``destinationCountry``,
``customsAmount``, ``recordId``). Write them one JSON object per line.

Examples:
    >>> from dualuse.synth.shipments import generate_shipments, demo_cases
    >>> from dualuse.trace import chains
    >>> result = chains(generate_shipments(seed=2, chains=5, background=0, decoys=0, planted=demo_cases()).shipments)
    >>> nodes, edges = to_graph(result)
    >>> entities = to_followthemoney(result)
    >>> sorted({e["schema"] for e in entities})
    ['Company', 'EconomicActivity']
"""

from __future__ import annotations

import hashlib
from typing import Any

import polars as pl

from dualuse.trace.chain import ChainResult
from dualuse.trace.parties import match_parties

__all__ = ["to_followthemoney", "to_graph", "valid_inn"]

_FLAG_TOPICS = {"sanctioned_party": "sanction", "sanctioned_counterparty": "sanction.linked"}


def _chain_edges(result: ChainResult) -> pl.DataFrame:
    return (
        result.chains.select("chain_id", "shipment_ids")
        .explode("shipment_ids")
        .group_by("shipment_ids")
        .agg(pl.col("chain_id").sort().alias("chain_ids"))
        .rename({"shipment_ids": "shipment_id"})
    )


def to_graph(result: ChainResult, *, only_chains: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(nodes, edges)``: one node per party, one edge per shipment (exporter -> importer).

    ``nodes``: ``node_id, name, aliases, country, identifiers``; ``edges``: ``source, target,
    shipment_id, date, hs_code, value_usd, quantity, chain_ids, record_source, record_row``, the
    description and the countries (origin, exporter, importer). With
    ``only_chains`` (the default) only the shipments of chains and their parties are kept.

    Examples:
        >>> from dualuse.synth.shipments import generate_shipments, demo_cases
        >>> from dualuse.trace import chains
        >>> s = generate_shipments(seed=0, chains=0, background=0, decoys=0, planted=demo_cases())
        >>> nodes, edges = to_graph(chains(s.shipments, hubs=["KZ", "KG"]))
        >>> nodes.height, edges.height
        (6, 38)
    """
    in_chains = _chain_edges(result)
    lines = result.shipments.join(in_chains, on="shipment_id", how="inner" if only_chains else "left")
    edges = lines.select(
        pl.col("exporter_party").alias("source"),
        pl.col("importer_party").alias("target"),
        "shipment_id",
        "date",
        "hs_code",
        "value_usd",
        "quantity",
        pl.col("chain_ids").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("source").alias("record_source"),
        pl.col("source_row").alias("record_row"),
        "description",
        "origin_country",
        "exporter_country",
        "importer_country",
    ).sort("date", "shipment_id")
    used = pl.concat([edges["source"], edges["target"]]).unique()
    nodes = (
        result.parties.filter(pl.col("party_id").is_in(used.implode()))
        .select(pl.col("party_id").alias("node_id"), "name", "aliases", "country", "identifiers")
        .sort("node_id")
    )
    return nodes, edges


def _fid(*parts: object) -> str:
    return "dualuse-" + hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def valid_inn(value: str) -> bool:
    """Whether ``value`` is a Russian INN with correct check digits (10 digits: companies, 12: people).

    Examples:
        >>> valid_inn("7707083893"), valid_inn("7707083894")
        (True, False)
    """
    digits = [int(c) for c in value] if value.isdigit() else []

    def check(weights: tuple[int, ...]) -> int:
        return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10

    if len(digits) == 10:
        return check((2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[9]
    if len(digits) == 12:
        return (
            check((7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[10]
            and check((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[11]
        )
    return False


def _company(row: dict[str, Any], flags: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [row["name"]] if row["name"] else [row["party_id"]]}
    if row["aliases"]:
        props["alias"] = sorted(set(row["aliases"]))
    if row["country"]:
        props["country"] = [row["country"].lower()]
    for ident in row["identifiers"] or []:
        key = "innCode" if row["country"] == "RU" and valid_inn(ident["value"]) else "registrationNumber"
        props.setdefault(key, []).append(ident["value"])
    mine = flags.get(row["party_id"], [])
    if mine:
        props["notes"] = [f"{f['flag']}: {f['detail']}" for f in mine]
        topics = sorted({_FLAG_TOPICS.get(f["flag"], "export.risk") for f in mine})
        props["topics"] = topics
    return {"id": _fid("party", row["party_id"]), "schema": "Company", "properties": props}


def to_followthemoney(
    result: ChainResult,
    *,
    flags: pl.DataFrame | None = None,
    registry: pl.DataFrame | None = None,
    only_chains: bool = True,
) -> list[dict[str, Any]]:
    """FollowTheMoney entities (dicts with ``id``, ``schema``, ``properties``) of the graph.

    Red ``flags`` (from :func:`dualuse.trace.red_flags`) become ``notes`` and ``topics`` of the
    companies; a ``registry`` (parties frame with ``owners``) adds ``Person`` owners and
    ``Ownership`` links for the companies it names (matched like :func:`~dualuse.trace.parties.match_parties`).

    Examples:
        >>> from dualuse.synth.shipments import generate_shipments, demo_cases
        >>> from dualuse.trace import chains
        >>> s = generate_shipments(seed=0, chains=0, background=0, decoys=0, planted=demo_cases())
        >>> entities = to_followthemoney(chains(s.shipments, hubs=["KZ", "KG"]), registry=s.registry)
        >>> sorted({e["schema"] for e in entities})
        ['Company', 'EconomicActivity', 'Ownership', 'Person']
    """
    nodes, edges = to_graph(result, only_chains=only_chains)
    by_party: dict[str, list[dict[str, Any]]] = {}
    if flags is not None:
        for f in flags.sort("party_id", "flag").iter_rows(named=True):
            by_party.setdefault(f["party_id"], []).append(f)
    entities = [_company(row | {"party_id": row["node_id"]}, by_party) for row in nodes.iter_rows(named=True)]
    for e in edges.iter_rows(named=True):
        lines = e
        props: dict[str, list[str]] = {
            "sender": [_fid("party", e["source"])],
            "receiver": [_fid("party", e["target"])],
            "date": [e["date"].isoformat()],
            "vedCode": [e["hs_code"]],
            "recordId": [f"{e['record_source']}:{e['record_row']}"],
        }
        if lines.get("description"):
            props["goodsDescription"] = [lines["description"]]
        for key, column in (
            ("originCountry", "origin_country"),
            ("departureCountry", "exporter_country"),
            ("destinationCountry", "importer_country"),
        ):
            if lines.get(column):
                props[key] = [lines[column].lower()]
        if e["value_usd"] is not None:
            props["customsAmount"] = [f"{e['value_usd']:.2f} USD"]
        if e["chain_ids"]:
            props["summary"] = [f"chains: {', '.join(e['chain_ids'])}"]
        entities.append(
            {
                "id": _fid("shipment", e["record_source"], e["record_row"]),
                "schema": "EconomicActivity",
                "properties": props,
            }
        )
    if registry is not None and "owners" in registry.columns:
        ours = result.parties.filter(pl.col("party_id").is_in(nodes["node_id"].implode()))
        pairs = match_parties(ours, registry).rename({"party_id": "__party"})
        rows = registry.with_row_index("__other").join(pairs, on="__other").sort("__party", "__other")
        for reg in rows.iter_rows(named=True):
            node = reg["__party"]
            for owner in reg["owners"] or []:
                person = {"id": _fid("person", owner), "schema": "Person", "properties": {"name": [owner]}}
                link: dict[str, Any] = {
                    "id": _fid("ownership", owner, node),
                    "schema": "Ownership",
                    "properties": {"owner": [person["id"]], "asset": [_fid("party", node)]},
                }
                if reg.get("owners_changed"):
                    link["properties"]["startDate"] = [reg["owners_changed"].isoformat()]
                entities += [person, link]
    unique: dict[str, dict[str, Any]] = {}
    for entity in entities:
        unique.setdefault(entity["id"], entity)
    return list(unique.values())
