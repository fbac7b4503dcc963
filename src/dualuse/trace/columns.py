"""What each column of the chain-tracing results means: the source of the column tables in the docs.

A test runs :func:`dualuse.trace.chains` and :func:`dualuse.trace.red_flags` and checks that their
columns are exactly these, in this order.

Examples:
    >>> CHAINS_COLUMNS["score"]
    'how strong the chain is, in [0, 1]: the weighted score components'
"""

from __future__ import annotations

__all__ = ["CHAINS_COLUMNS", "LINKS_COLUMNS", "PARTIES_COLUMNS", "RED_FLAGS_COLUMNS", "UNEXPLAINED_COLUMNS"]

CHAINS_COLUMNS: dict[str, str] = {
    "chain_id": "stable id of the chain (from its shipment ids)",
    "route": "the countries of the chain, e.g. `CN>KZ>RU`",
    "legs": "shipments in the chain (a trader in between adds one)",
    "parties": "the party ids along the chain, first exporter to last importer",
    "party_names": "their names",
    "hs6": "the good (HS6)",
    "first_date": "the date of the first shipment",
    "last_date": "the date of the last shipment",
    "quantity": "the quantity followed through the chain (allocated first in, first out)",
    "value_usd": "the value of that quantity as it left the last trader",
    "score": "how strong the chain is, in [0, 1]: the weighted score components",
    "score_identifiers": "component: the parties were matched by identifier rather than name",
    "score_product": "component: same brand, manufacturer and HS code in and out",
    "score_time": "component: how soon the goods left after they arrived",
    "score_quantity": "component: how well the quantities fit",
    "shipment_ids": "the shipments of the chain",
    "list_item": "the dual-use list item of the good (null without `list`)",
}
"""Columns of ``ChainResult.chains``, in order."""

LINKS_COLUMNS: dict[str, str] = {
    "chain_id": "the chain",
    "hop": "the trader's place in the chain (1 = first trader)",
    "party_id": "the trader",
    "inbound_shipment_id": "the shipment that brought the goods in",
    "inbound_source": "its source file",
    "inbound_source_row": "its row",
    "inbound_date": "its date",
    "outbound_shipment_id": "the shipment that took the goods on",
    "outbound_source": "its source file",
    "outbound_source_row": "its row",
    "outbound_date": "its date",
    "gap_days": "days between arrival and departure",
    "quantity": "the quantity allocated from the inbound to the outbound shipment",
    "value_usd": "its value at the outbound price",
    "product_evidence": "what ties the two shipments' goods: brand, manufacturer, HS code",
    "product_score": "how well the goods match, in [0, 1]",
}
"""Columns of ``ChainResult.links``, in order."""

UNEXPLAINED_COLUMNS: dict[str, str] = {
    "party_id": "the trader",
    "hs6": "the good",
    "outbound_shipments": "shipments of the good the trader sent to the target",
    "outflow_quantity": "their quantity",
    "allocated_quantity": "the part explained by arrivals",
    "unexplained_quantity": "the part no arrival explains (stock, other suppliers, unrecorded imports)",
    "outflow_value_usd": "the value sent",
    "unexplained_value_usd": "the value of the unexplained part",
    "first_date": "the first outbound shipment",
    "last_date": "the last outbound shipment",
    "inflow_quantity": "the quantity of the good that arrived at the trader",
}
"""Columns of ``ChainResult.unexplained``, in order."""

PARTIES_COLUMNS: dict[str, str] = {
    "party_id": "stable id of the resolved party",
    "name": "its most frequent spelling",
    "aliases": "the other spellings",
    "country": "its country",
    "identifiers": "its identifiers: list of `{scheme, value}`",
    "resolved_by": "how its records were joined: `id`, `name+id`, `name` or `fuzzy`",
    "match_score": "the lowest score by which a spelling joined it (1.0 when none joined by a fuzzy match)",
    "records": "shipment lines that name it",
}
"""Columns of ``ChainResult.parties`` and ``ResolvedParties.parties``, in order."""

RED_FLAGS_COLUMNS: dict[str, str] = {
    "party_id": "the party",
    "name": "its name",
    "country": "its country",
    "flag": "the red flag (see `dualuse.trace.FLAGS`)",
    "detail": "what raised it, in words",
    "value": "the flag's measure, named by `dualuse.trace.FLAG_VALUES` (dollars, days, a ratio)",
    "evidence": "the input rows: list of `{table, source, source_row}`",
}
"""Columns of :func:`dualuse.trace.red_flags`, in order."""
