"""Seeded synthetic data: trade flows, shipments with planted chains, and the demo scenario.

Everything is a pure function of its seed, so tests, benchmarks and the demo see the same data on
every machine. Three generators:

- :func:`generate_flows`: canonical trade flows among many countries and goods (benchmarks,
  property tests);
- :func:`generate_shipments`: shipment records with planted chains through hub traders, a registry,
  a watch list and the ground truth (:class:`ShipmentScenario`; :func:`demo_cases` are the planted
  cases of the demo);
- :func:`build_scenario`: the demo's whole scenario, calibrated to published totals
  (:class:`Scenario`), written as input files by :func:`write_scenario`.

Examples:
    >>> from dualuse import synth
    >>> s = synth.generate_shipments(seed=2, chains=5, background=10, planted=synth.demo_cases())
    >>> s  # doctest: +ELLIPSIS
    ShipmentScenario(shipments=..., truth=..., registry=..., watchlist=..., exited=...)
    >>> sorted(s.to_arrow())
    ['exited', 'registry', 'shipments', 'truth', 'watchlist']
    >>> synth.generate_flows(n_flows=100, seed=1).height > 0
    True
"""

from __future__ import annotations

from dualuse.synth.flows import generate_flows, synthetic_countries, synthetic_products
from dualuse.synth.scenario import (
    Scenario,
    ScenarioFiles,
    build_scenario,
    flatten_registry,
    unflatten_registry,
    write_scenario,
)
from dualuse.synth.shipments import (
    PRODUCTS,
    PlantedCase,
    PlantedParty,
    Product,
    ShipmentScenario,
    demo_cases,
    generate_shipments,
)

__all__ = [
    "PRODUCTS",
    "PlantedCase",
    "PlantedParty",
    "Product",
    "Scenario",
    "ScenarioFiles",
    "ShipmentScenario",
    "build_scenario",
    "demo_cases",
    "flatten_registry",
    "generate_flows",
    "generate_shipments",
    "synthetic_countries",
    "synthetic_products",
    "unflatten_registry",
    "write_scenario",
]
