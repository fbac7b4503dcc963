"""Preparing canonical flows frames for the algorithms: optional columns, one HS version, sums."""

from __future__ import annotations

import polars as pl

from dualuse.flows._periods import FLOW_COLUMNS, check_columns
from dualuse.hs import HSVersion, convert_column

__all__ = ["EVIDENCE", "collect_compact", "distinct_text", "evidence", "harmonise", "sum_or_null", "with_optional"]

EVIDENCE = pl.Struct({"source": pl.String, "source_row": pl.Int64})
"""One evidence row as the algorithms carry it (findings add ``table``)."""

_OPTIONAL: dict[str, pl.DataType] = {
    "hs_version": pl.String(),
    "valuation": pl.String(),
    "net_weight_kg": pl.Float64(),
}


def evidence() -> pl.Expr:
    """The row's ``{source, source_row}`` as a struct."""
    return pl.struct(pl.col("source").cast(pl.String), pl.col("source_row").cast(pl.Int64))


def sum_or_null(expr: pl.Expr) -> pl.Expr:
    """Sum that stays null when every value is null (a missing figure is not a zero)."""
    return pl.when(expr.is_not_null().any()).then(expr.sum())


def with_optional(flows: pl.DataFrame) -> pl.DataFrame:
    check_columns(flows)
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in _OPTIONAL.items() if name not in flows.columns]
    return flows.with_columns(*missing) if missing else flows


# Text columns with few distinct values: held as Categorical (4 bytes a row instead of 16).
_COMPACT = ("freq", "reporter", "partner", "flow", "hs_version", "valuation", "source")


def collect_compact(flows: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """A frame as :func:`with_optional` gives it; a lazy one is read with only the needed columns.

    A ``LazyFrame`` (e.g. ``pl.scan_parquet``) is collected by the streaming engine with the
    columns the algorithms use, low-cardinality text as Categorical: on a BACI-sized year this
    holds the input in about a third of the memory of the full eager frame.
    """
    if isinstance(flows, pl.DataFrame):
        return with_optional(flows)
    check_columns(flows)
    names = flows.collect_schema().names()
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in _OPTIONAL.items() if name not in names]
    needed = [*FLOW_COLUMNS, *_OPTIONAL]
    columns = [pl.col(c).cast(pl.Categorical) if c in _COMPACT else pl.col(c) for c in needed]
    return flows.with_columns(*missing).select(columns).collect(engine="streaming")


def distinct_text(column: pl.Series) -> pl.Series:
    """The column's distinct values as sorted text (also for Categorical input)."""
    return column.unique().cast(pl.String).unique().sort()


def harmonise(flows: pl.DataFrame, hs_version: HSVersion | str) -> pl.DataFrame:
    """Convert codes reported in another HS version to ``hs_version``; cut every code to HS6.

    Rows without ``hs_version`` are taken to be in ``hs_version`` already. Codes shorter than six
    digits (chapters, headings) are kept as they are and pair only with codes of the same length.
    """
    target = HSVersion.parse(hs_version)
    versions = [v for v in flows.get_column("hs_version").unique().to_list() if v is not None]
    other = [v for v in versions if HSVersion.parse(v) is not target]
    convertible = pl.col("hs_code").str.len_chars() >= 6
    if other:
        moving = pl.col("hs_version").is_in(other) & convertible
        parts = [flows.filter(~moving.fill_null(False))]
        for version in other:
            rows = flows.filter((pl.col("hs_version") == version) & convertible)
            if rows.height:
                converted = convert_column(rows, "hs_code", source=version, target=target)
                parts.append(converted.drop("share"))
        flows = pl.concat(parts, how="vertical_relaxed")
    # Rewrite columns only when needed: on a BACI-sized year each copy costs hundreds of MB.
    longest = flows.select(pl.col("hs_code").str.len_chars().max()).item()
    if longest is not None and longest > 6:
        flows = flows.with_columns(pl.col("hs_code").str.slice(0, 6))
    if other:
        flows = flows.with_columns(pl.lit(str(target)).alias("hs_version"))
    return flows
