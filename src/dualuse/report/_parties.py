"""The sections about companies: shipment chains, screening hits, red flags, findings and the highlights."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import polars as pl

from dualuse.report._layout import Section, evidence_of_row
from dualuse.report.evidence import EvidenceSet
from dualuse.report.labels import metric_text
from dualuse.report.tables import Table, frame_table

__all__ = [
    "FINDINGS_SHOWN",
    "HIGHLIGHTS",
    "SCREENING_COLUMNS",
    "SCREENING_LABELS",
    "SHIPMENT_DETAIL",
    "chains_section",
    "findings_section",
    "highlights",
]


SHIPMENT_DETAIL = [
    "date",
    "shipment_id",
    "exporter_name",
    "exporter_country",
    "importer_name",
    "importer_country",
    "hs_code",
    "description",
    "brand",
    "quantity",
    "value_usd",
]


def _chain_rows(
    row: Mapping[str, object], links: pl.DataFrame | None, shipments: pl.DataFrame | None
) -> pl.DataFrame | None:
    """The shipment rows of one chain: from the shipments table by id, or from the links' provenance."""
    ids = row.get("shipment_ids")
    if isinstance(ids, pl.Series):
        ids = ids.to_list()
    if shipments is not None and isinstance(ids, list) and "shipment_id" in shipments.columns:
        return shipments.filter(pl.col("shipment_id").is_in(ids)).sort("date", "shipment_id")
    if links is not None and {"inbound_source", "outbound_source"} <= set(links.columns):
        mine = links.filter(pl.col("chain_id") == row.get("chain_id"))
        return pl.concat(
            [
                mine.select(pl.col(f"{side}_source").alias("source"), pl.col(f"{side}_source_row").alias("source_row"))
                for side in ("inbound", "outbound")
            ]
        ).unique()
    return None


def _joined_names(frame: pl.DataFrame) -> pl.DataFrame:
    if "party_names" in frame.columns and isinstance(frame.schema["party_names"], pl.List):
        return frame.with_columns(pl.col("party_names").list.join(" → "))
    return frame


def _chain_groups(
    chains: pl.DataFrame, shipments: pl.DataFrame | None, evidence: list[EvidenceSet], labels: Mapping[str, str]
) -> list[Table]:
    """Chains summed by route, traders and good: the view an editor reads first."""
    needed = {"route", "party_names", "hs6", "value_usd", "first_date", "last_date", "shipment_ids"}
    if shipments is None or not needed <= set(chains.columns):
        return []
    groups = (
        _joined_names(chains)
        .group_by("route", "party_names", "hs6")
        .agg(
            pl.len().alias("chains"),
            pl.col("quantity").sum() if "quantity" in chains.columns else pl.lit(None).alias("quantity"),
            pl.col("value_usd").sum(),
            pl.col("first_date").min(),
            pl.col("last_date").max(),
            pl.col("shipment_ids").explode().unique().alias("shipment_ids"),
        )
        .sort("value_usd", "route", "party_names", descending=[True, False, False])
        .head(15)
    )
    ev_ids = []
    for n, row in enumerate(groups.iter_rows(named=True), start=1):
        rows = shipments.filter(pl.col("shipment_id").is_in(row["shipment_ids"])).sort("date", "shipment_id")
        ev = EvidenceSet.of(
            f"chain-group-{n}",
            f"Chains {row['party_names']} ({row['hs6']})",
            rows,
            table="shipments",
            detail_columns=SHIPMENT_DETAIL,
        )
        evidence.append(ev)
        ev_ids.append(ev.id)
    shown = groups.with_columns(
        pl.Series("evidence_id", ev_ids, dtype=pl.String), pl.col("shipment_ids").list.len().alias("evidence rows")
    )
    return [
        frame_table(
            "chain_groups",
            "Chains by route, traders and good, largest first",
            shown,
            columns=[
                "route",
                "party_names",
                "hs6",
                "chains",
                "first_date",
                "last_date",
                "quantity",
                "value_usd",
                "evidence rows",
            ],
            labels=labels,
            units={"value_usd": "usd"},
            links={"evidence rows": "evidence_id", "value_usd": "evidence_id"},
            note="Value: what left the last trader for the target, as allocated to the chains (outbound declared values).",
        )
    ]


def chains_section(
    chains: pl.DataFrame | None, links: pl.DataFrame | None, shipments: pl.DataFrame | None, evidence: list[EvidenceSet]
) -> Section:
    if chains is None or chains.height == 0:
        return Section("chains", "Shipment chains", empty="No shipment chains were computed for this report.")
    order = [c for c in ("score", "value_usd") if c in chains.columns]
    top = (
        chains.sort(order, descending=True, nulls_last=True, maintain_order=True).head(10) if order else chains.head(10)
    )
    ev_ids: list[str | None] = []
    details: list[tuple[str, str, pl.DataFrame]] = []
    for n, row in enumerate(top.iter_rows(named=True), start=1):
        rows = _chain_rows(row, links, shipments)
        if rows is None or rows.height == 0:
            ev_ids.append(None)
            continue
        names = row.get("party_names")
        path = " → ".join(str(x) for x in names) if isinstance(names, list) else str(row.get("route", ""))
        ev = EvidenceSet.of(
            f"chain-{row.get('chain_id', n)}",
            f"Chain {n}: {path}",
            rows,
            table="shipments",
            detail_columns=SHIPMENT_DETAIL,
        )
        evidence.append(ev)
        ev_ids.append(ev.id)
        if len(details) < 3:
            details.append((ev.id, f"Chain {n}: {path} — its shipment rows", rows))
    shown = _joined_names(top).with_columns(pl.Series("evidence_id", ev_ids, dtype=pl.String))
    if "shipment_ids" in shown.columns:
        shown = shown.with_columns(pl.col("shipment_ids").list.len().alias("evidence rows"))
    labels = {"party_names": "parties", "hs6": "HS6", "first_date": "first", "last_date": "last", "value_usd": "value"}
    tables = [
        *_chain_groups(chains, shipments, evidence, labels),
        frame_table(
            "chains",
            "Top single chains, strongest first",
            shown,
            columns=[
                "route",
                "party_names",
                "hs6",
                "first_date",
                "last_date",
                "quantity",
                "value_usd",
                "score",
                "evidence rows",
            ],
            labels=labels,
            units={"value_usd": "usd"},
            links={"evidence rows": "evidence_id", "value_usd": "evidence_id"},
            note="A chain is one consignment followed through a trader (quantities allocated first in, first out). "
            "Score: evidence from identifiers, product (brand, HS code), time gap and quantity fit, in [0, 1].",
        ),
    ]
    for ev_id, caption, rows in details:
        tables.append(
            dataclasses.replace(
                frame_table(
                    f"{ev_id}-shipments", caption, rows, columns=[*SHIPMENT_DETAIL, "source", "source_row"], limit=40
                ),
                collapsed=True,
            )
        )
    return Section(
        "chains",
        "Shipment chains",
        "Goods that entered a trader in a hub and left it for Russia, matched first in, first out; each chain with the shipment rows behind it.",
        tables=tables,
    )


SCREENING_COLUMNS = ["query_name", "match_name", "score", "match_programs", "match_country", "explanation"]


SCREENING_LABELS = {
    "query_name": "party in the records",
    "match_name": "watch-list entry",
    "match_programs": "programs",
    "match_country": "country",
    "explanation": "why (what matched, with its weight)",
}


FINDINGS_SHOWN = 100
"""Findings listed in the HTML (every finding is in findings.json and tables/findings.parquet)."""


def findings_section(findings: pl.DataFrame, evidence: list[EvidenceSet]) -> tuple[Section, pl.DataFrame]:
    """Every finding, strongest first (the reader can re-order them by kind or subject)."""
    if findings.height == 0:
        return Section("findings", "All findings", empty="No findings."), findings.with_columns(
            pl.lit(None, pl.String).alias("evidence_id")
        )
    findings = findings.unique("finding_id", keep="first", maintain_order=True)  # one anchor per finding
    order = ["score", "kind", "subject", "finding_id"]
    ordered = findings.sort(order, descending=[True, False, False, False])
    best_of_each_kind = ordered.unique("kind", keep="first", maintain_order=True)
    top = (
        pl.concat([ordered.head(FINDINGS_SHOWN), best_of_each_kind])
        .unique("finding_id", keep="first", maintain_order=True)
        .sort(order, descending=[True, False, False, False])
    )
    ids = []
    for row in top.iter_rows(named=True):
        ev = EvidenceSet.from_findings_evidence(
            f"finding-{row['finding_id']}", f"Finding {row['finding_id']}: {row['subject']}", evidence_of_row(row)
        )
        evidence.append(ev)
        ids.append(ev.id)
    shown = top.with_columns(
        pl.Series("evidence_id", ids, dtype=pl.String),
        pl.col("evidence").list.len().alias("evidence rows"),
        pl.Series("metrics", [metric_text(m) for m in top["metrics"].to_list()], dtype=pl.String),
    )
    note = ""
    if ordered.height > top.height:
        note = (
            f"The {FINDINGS_SHOWN} strongest of {ordered.height:,} findings, and the strongest of each kind; "
            "all are in findings.json and tables/findings.csv."
        )
    table = frame_table(
        "findings",
        "Findings, strongest first",
        shown,
        columns=["score", "kind", "subject", "summary", "metrics", "evidence rows"],
        links={"evidence rows": "evidence_id", "score": "evidence_id"},
        units={"score": "score"},
        limit=None,
        note=note,
        order="score",
        views={
            "kind": shown.sort("kind", "score", descending=[False, True], maintain_order=True),
            "subject": shown.sort("subject", "score", descending=[False, True], maintain_order=True),
        },
    )
    section = Section(
        "findings",
        "All findings",
        "Every finding with its score and the rows behind it (also in findings.json).",
        tables=[table],
    )
    return section, shown


HIGHLIGHTS = 6
"""Findings listed under the headline figures: the strongest of each kind."""


def highlights(shown: pl.DataFrame) -> list[Section]:
    """The strongest finding of each kind, strongest first, right after the headline figures."""
    if shown.height == 0:
        return []
    best = shown.sort("score", descending=True, maintain_order=True).unique("kind", keep="first", maintain_order=True)
    table = frame_table(
        "highlights",
        "",
        best.head(HIGHLIGHTS),
        columns=["score", "kind", "subject", "summary"],
        links={"score": "evidence_id"},
        units={"score": "score"},
        limit=None,
    )
    intro = (
        "The strongest finding of each kind; each score links to the rows behind it, and every finding is listed below."
    )
    return [Section("highlights", "What stands out", intro, tables=[table])]
