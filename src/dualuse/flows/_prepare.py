"""Preparing canonical flows frames for the algorithms: optional columns, one HS version, sums."""

from __future__ import annotations

import polars as pl

from dualuse.flows._periods import FLOW_COLUMNS
from dualuse.frames import stable_sum
from dualuse.hs import HSVersion, convert_column
from dualuse.inputs import require
from dualuse.schema import ReadOptions

__all__ = ["EVIDENCE", "distinct_text", "evidence", "harmonise", "read_flows", "sum_or_null"]

EVIDENCE = pl.Struct({"source": pl.String, "source_row": pl.Int64})
"""One evidence row as the algorithms carry it (findings add ``table``)."""

_OPTIONAL = ("hs_version", "valuation", "net_weight_kg")
"""Optional flows columns the algorithms read (absent ones arrive as nulls)."""


def evidence() -> pl.Expr:
    """The row's ``{source, source_row}`` as a struct."""
    return pl.struct(pl.col("source").cast(pl.String), pl.col("source_row").cast(pl.Int64))


def sum_or_null(expr: pl.Expr) -> pl.Expr:
    """Sum that stays null when every value is null (a missing figure is not a zero)."""
    return pl.when(expr.is_not_null().any()).then(stable_sum(expr))


# Text columns with few distinct values: held as Categorical (4 bytes a row instead of 16).
_COMPACT = ("freq", "reporter", "partner", "flow", "hs_version", "valuation", "source")


def read_flows(flows: object, *, what: str, compact: bool = False, options: ReadOptions | None = None) -> pl.DataFrame:
    """The columns of canonical flows the algorithms use, read through the front door.

    ``flows`` is anything :func:`dualuse.inputs.require` reads; a row that cannot be read is an
    :class:`~dualuse.errors.InputError` naming ``what``. With ``compact``, low-cardinality text
    is held as Categorical: a lazy input (e.g. ``pl.scan_parquet``) is then streamed with only
    the needed columns, which holds a BACI-sized year in about a third of the memory.
    """
    columns = [*FLOW_COLUMNS, *_OPTIONAL]
    dtypes: dict[str, pl.DataType] | None = {c: pl.Categorical() for c in _COMPACT} if compact else None
    return require(flows, "flows", what=what, options=options, columns=columns, dtypes=dtypes)


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
