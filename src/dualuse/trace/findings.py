"""Chains and red flags as canonical findings (:mod:`dualuse.schema` ``findings``), ready for reports.

Examples:
    >>> from dualuse.synth.shipments import generate_shipments, demo_cases
    >>> from dualuse.trace import chains, red_flags
    >>> s = generate_shipments(seed=2, chains=10, background=20, planted=demo_cases())
    >>> result = chains(s.shipments)
    >>> findings = to_findings(result, red_flags(result.shipments, parties=result.parties, sanctioned=s.watchlist))
    >>> sorted(findings["kind"].unique())[:2]
    ['red_flag', 'shipment_chain']
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from dualuse.formatting import count, money, number
from dualuse.schema import empty, polars_schema
from dualuse.trace.chain import ChainResult
from dualuse.trace.flags import FLAG_VALUES, FLAGS

__all__ = ["to_findings"]

_METRIC = pl.Struct({"name": pl.String, "value": pl.Float64})


def _text(expr: pl.Expr, write: Callable[[float | None], str]) -> pl.Expr:
    """A number written for a sentence by :mod:`dualuse.formatting` (``188,271``, ``$28,241``)."""
    return expr.map_elements(write, return_dtype=pl.String, skip_nulls=False)


def _metrics(*names: str) -> pl.Expr:
    return pl.concat_list(
        [pl.struct(pl.lit(n).alias("name"), pl.col(n).cast(pl.Float64).alias("value")) for n in names]
    ).alias("metrics")


def _chain_findings(result: ChainResult) -> pl.DataFrame:
    if result.chains.height == 0:
        return empty("findings")
    rows = pl.concat(
        [
            result.links.select(
                "chain_id", pl.col(f"{side}_source").alias("source"), pl.col(f"{side}_source_row").alias("source_row")
            )
            for side in ("inbound", "outbound")
        ]
    )
    evidence = (
        rows.unique()
        .sort("chain_id", "source", "source_row")
        .group_by("chain_id", maintain_order=True)
        .agg(
            pl.struct(pl.lit("shipments").alias("table"), "source", pl.col("source_row").cast(pl.Int64)).alias(
                "evidence"
            )
        )
    )
    days = (pl.col("last_date") - pl.col("first_date")).dt.total_days()
    return (
        result.chains.join(evidence, on="chain_id", how="left")
        .with_columns(days.alias("days"), pl.col("legs").alias("legs_n"))
        .select(
            pl.concat_str(pl.lit("chain:"), pl.col("chain_id")).alias("finding_id"),
            pl.lit("shipment_chain").alias("kind"),
            pl.col("route").alias("subject"),
            pl.col("score"),
            pl.format(
                "{} units of HS {} worth {} went {} through {} from {} to {} ({} legs, {} days, score {})",
                _text(pl.col("quantity"), count),
                pl.concat_str(pl.col("hs6").str.slice(0, 4), pl.lit("."), pl.col("hs6").str.slice(4, 2)),
                _text(pl.col("value_usd"), money),
                pl.col("route"),
                pl.col("party_names").list.join(" > "),
                pl.col("first_date"),
                pl.col("last_date"),
                pl.col("legs"),
                pl.col("days"),
                _text(pl.col("score"), lambda v: number(v, "score")),
            ).alias("summary"),
            _metrics(
                "quantity",
                "value_usd",
                "legs_n",
                "days",
                "score_identifiers",
                "score_product",
                "score_time",
                "score_quantity",
            ),
            pl.col("evidence"),
        )
    )


def _flag_findings(flags: pl.DataFrame) -> pl.DataFrame:
    if flags.height == 0:
        return empty("findings")
    return flags.select(
        pl.format("flag:{}:{}", pl.col("party_id"), pl.col("flag")).alias("finding_id"),
        pl.lit("red_flag").alias("kind"),
        pl.coalesce(pl.col("name"), pl.col("party_id")).alias("subject"),
        pl.col("flag").replace_strict(FLAGS, default=0.5, return_dtype=pl.Float64).alias("score"),
        pl.format(
            "{} ({}): {}: {}",
            pl.coalesce("name", "party_id"),
            pl.col("country").fill_null("?"),
            pl.col("flag").str.replace_all("_", " "),
            pl.col("detail"),
        ).alias("summary"),
        pl.concat_list(
            pl.struct(
                pl.col("flag").replace_strict(FLAG_VALUES, default="value", return_dtype=pl.String).alias("name"),
                pl.col("value").cast(pl.Float64).alias("value"),
            )
        ).alias("metrics"),
        pl.col("evidence"),
    )


def to_findings(result: ChainResult | None = None, flags: pl.DataFrame | None = None) -> pl.DataFrame:
    """Canonical findings: one per chain (subject: its route) and one per red flag (subject: the party).

    ``finding_id`` is stable (``chain:<chain_id>``, ``flag:<party_id>:<flag>``); scores lie in [0, 1];
    evidence rows point at the ``shipments`` table.

    Examples:
        >>> to_findings().columns
        ['finding_id', 'kind', 'subject', 'score', 'summary', 'metrics', 'evidence']
    """
    frames = []
    if result is not None:
        frames.append(_chain_findings(result))
    if flags is not None:
        frames.append(_flag_findings(flags))
    schema = polars_schema("findings")
    if not frames:
        return empty("findings")
    return pl.concat([f.select([pl.col(c).cast(t) for c, t in schema.items()]) for f in frames]).sort("finding_id")
