"""Shipment chains through intermediaries, and red flags on the parties in them.

Examples:
    >>> from dualuse.synth.shipments import generate_shipments, demo_cases
    >>> import polars as pl
    >>> from dualuse import trace
    >>> s = generate_shipments(seed=5, chains=20, background=40, planted=demo_cases())
    >>> result = trace.chains(s.shipments, target="RU", hubs=["KZ", "KG", "AM", "AE", "TR"], dual_use="chpl")
    >>> bishkek = result.parties.filter(pl.col("identifiers").list.eval(pl.element().struct.field("value")).list.contains("01506202310123"))
    >>> june = result.chains.filter(pl.col("parties").list.get(1) == bishkek["party_id"].item())
    >>> june.height, round(june["value_usd"].sum(), 2), june["route"].unique().to_list()
    (7, 3700.0, ['CN>KG>RU'])
"""

from __future__ import annotations

from dualuse.trace import exited
from dualuse.trace.allocate import Allocation, fifo_allocate, product_match
from dualuse.trace.chain import DEFAULT_HUBS, SCORE_WEIGHTS, ChainResult, chain_id, chains
from dualuse.trace.findings import to_findings
from dualuse.trace.flags import FLAG_VALUES, FLAGS, INVASION, red_flags
from dualuse.trace.graph import to_followthemoney, to_graph
from dualuse.trace.parties import ResolvedParties, resolve_parties

__all__ = [
    "DEFAULT_HUBS",
    "FLAGS",
    "FLAG_VALUES",
    "INVASION",
    "SCORE_WEIGHTS",
    "Allocation",
    "ChainResult",
    "ResolvedParties",
    "chain_id",
    "chains",
    "exited",
    "fifo_allocate",
    "product_match",
    "red_flags",
    "resolve_parties",
    "to_findings",
    "to_followthemoney",
    "to_graph",
]
