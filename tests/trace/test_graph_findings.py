"""Graph export (nodes, edges, FollowTheMoney) and findings."""

from __future__ import annotations

import polars as pl
import pytest

from dualuse.schema import validate
from dualuse.synth.shipments import demo_cases, generate_shipments
from dualuse.trace import chains, red_flags, to_findings, to_followthemoney, to_graph
from dualuse.trace.graph import valid_inn

SCENARIO = generate_shipments(seed=4, chains=15, background=30, planted=demo_cases())
RESULT = chains(SCENARIO.shipments)
FLAGS = red_flags(
    RESULT.shipments,
    parties=RESULT.parties,
    registry=SCENARIO.registry,
    sanctioned=SCENARIO.watchlist,
    exited=SCENARIO.exited,
)


def test_nodes_and_edges_cover_the_chains() -> None:
    nodes, edges = to_graph(RESULT)
    chain_shipments = set(RESULT.chains["shipment_ids"].explode())
    assert set(edges["shipment_id"]) == chain_shipments
    assert set(edges["source"]) | set(edges["target"]) == set(nodes["node_id"])
    everything = to_graph(RESULT, only_chains=False)[1]
    assert everything.height == RESULT.shipments.height
    assert everything.filter(pl.col("chain_ids").list.len() == 0).height == RESULT.shipments.height - len(
        chain_shipments
    )


def test_followthemoney_entities_are_valid() -> None:
    model = pytest.importorskip("followthemoney").model
    entities = to_followthemoney(RESULT, flags=FLAGS, registry=SCENARIO.registry)
    assert {e["schema"] for e in entities} == {"Company", "EconomicActivity", "Person", "Ownership"}
    ids = {e["id"] for e in entities}
    for entity in entities:
        proxy = model.get_proxy(entity, cleaned=False)
        for prop, values in entity["properties"].items():
            assert sorted(proxy.get(prop)) == sorted(values), (
                entity["schema"],
                prop,
                values,
            )  # the value survives cleaning
            if proxy.schema.get(prop).type.name == "entity":
                assert set(values) <= ids  # every reference resolves
    sanctioned = [e for e in entities if "sanction" in e["properties"].get("topics", [])]
    assert len(sanctioned) == SCENARIO.watchlist.height  # every listed party trades in a chain here
    inn = [e["properties"].get("innCode", []) for e in sanctioned]
    assert ["2465123457"] in inn  # the planted Russian firm
    inn = [e for e in entities if "innCode" in e["properties"]]
    assert inn and all(valid_inn(v) for e in inn for v in e["properties"]["innCode"])


def test_valid_inn() -> None:
    assert valid_inn("7707083893") and valid_inn("500100732259")
    assert not valid_inn("7707083890") and not valid_inn("12345") and not valid_inn("77070838AB")


def test_findings_are_canonical_with_stable_ids_and_evidence() -> None:
    findings = to_findings(RESULT, FLAGS)
    assert validate(findings, "findings").ok
    assert findings["finding_id"].n_unique() == findings.height == RESULT.chains.height + FLAGS.height
    assert findings["score"].is_between(0, 1).all()
    chain = findings.filter(pl.col("kind") == "shipment_chain").row(0, named=True)
    legs = len(
        RESULT.chains.filter(pl.col("chain_id") == chain["finding_id"].removeprefix("chain:"))["shipment_ids"][0]
    )
    assert len(chain["evidence"]) == legs and chain["evidence"][0]["table"] == "shipments"
    assert chain["summary"].split(" ")[1:3] == ["units", "of"]
    assert to_findings(RESULT, FLAGS).equals(findings)
    assert to_findings().height == 0
