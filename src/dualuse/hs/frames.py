"""Vectorised HS-code work on polars frames: normalise a column, convert between versions."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dualuse.errors import SchemaError
from dualuse.hs.concordance import HSVersion, conversion_table
from dualuse.rejects import make_rejects

__all__ = ["convert_column", "normalize_column"]

_ROW = "__row"


def normalize_column(
    frame: pl.DataFrame,
    column: str = "hs_code",
    *,
    width: int | None = None,
    version: HSVersion | str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Normalise a column of HS codes to plain digits; return ``(accepted, rejected)``.

    Separators are removed; integer columns (which lost their leading zeros) are padded to
    ``width`` or to an even number of digits; a text code with an odd number of digits is
    rejected unless ``width`` is given. With ``version``, the HS6 part must exist in it. Rows in =
    accepted + rejected, always; rejected rows carry their reason (see :mod:`dualuse.rejects`).

    Examples:
        >>> import polars as pl
        >>> ok, bad = normalize_column(pl.DataFrame({"hs_code": ["8542.31", "8541 21 00 00", "85x", "10121"]}))
        >>> ok["hs_code"].to_list(), bad["reason"].to_list()
        (['854231', '8541210000'], ['not digits', 'odd number of digits: a leading zero was probably lost; pass width='])
    """
    if column not in frame.columns:
        raise SchemaError(f"column {column!r} not in frame (columns: {', '.join(frame.columns)})")
    dtype = frame.schema[column]
    work = frame.with_row_index(_ROW)
    raw = pl.col(column)
    text = raw.cast(pl.String).str.replace_all(r"[\s.\-_/]+", "")
    if dtype.is_integer():
        text = text.str.zfill(width) if width else text.str.zfill(text.str.len_chars() + text.str.len_chars() % 2)
    elif width:
        text = text.str.zfill(width)
    length = text.str.len_chars()
    reason = (
        pl.when(raw.is_null())
        .then(pl.lit("missing"))
        .when(~text.str.contains(r"^[0-9]+$"))
        .then(pl.lit("not digits"))
        .when((length < 2) | (length > 12))
        .then(pl.lit("expected 2 to 12 digits"))
        .when(pl.lit(width is not None) & (length > (width or 0)))
        .then(pl.lit(f"more digits than width={width}"))
        .when(length % 2 == 1)
        .then(pl.lit("odd number of digits: a leading zero was probably lost; pass width="))
    )
    if version is not None:
        v = HSVersion.parse(version)
        known = pl.Series([c for c, _, _ in conversion_table(v, v)], dtype=pl.String)
        reason = reason.when((length >= 6) & ~text.str.slice(0, 6).is_in(known.implode())).then(
            pl.lit(f"not an {v} subheading")
        )
    checked = work.with_columns(reason.otherwise(None).alias("__reason"), text.alias("__digits"))
    bad = checked.filter(pl.col("__reason").is_not_null())
    rejected = make_rejects(
        bad, row=pl.col(_ROW), column=pl.lit(column), value=pl.col(column), reason=pl.col("__reason")
    )
    accepted = (
        checked.filter(pl.col("__reason").is_null())
        .with_columns(pl.col("__digits").alias(column))
        .drop("__reason", "__digits", _ROW)
    )
    return accepted, rejected


def convert_column(
    frame: pl.DataFrame,
    column: str = "hs_code",
    *,
    source: HSVersion | str,
    target: HSVersion | str,
    scale: Sequence[str] = ("value_usd", "quantity", "net_weight_kg"),
    weights: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Convert a column of HS codes between versions; a 1:n split yields several rows with a share.

    The output has the code as HS6 (national digits do not survive a split), a ``share`` column,
    ``hs_version`` set to ``target``, and the ``scale`` columns that exist multiplied by the share,
    so totals are conserved. ``weights`` (columns ``source, target, share``) replaces the default
    equal split, e.g. with trade weights. Codes unknown in ``source`` raise :class:`SchemaError`.

    Examples:
        >>> import polars as pl
        >>> df = pl.DataFrame({"hs_code": ["854150", "854231"], "value_usd": [100.0, 50.0]})
        >>> convert_column(df, source="HS2017", target="HS2022").select("hs_code", "value_usd", "share").rows()
        [('854151', 50.0, 0.5), ('854159', 50.0, 0.5), ('854231', 50.0, 1.0)]
    """
    table = weights
    if table is None:
        rows = conversion_table(source, target)
        table = pl.DataFrame(
            {"source": [r[0] for r in rows], "target": [r[1] for r in rows], "share": [r[2] for r in rows]},
            schema={"source": pl.String, "target": pl.String, "share": pl.Float64},
        )
    keyed = frame.with_row_index(_ROW).with_columns(pl.col(column).cast(pl.String).str.slice(0, 6).alias("__hs6"))
    joined = keyed.join(table, left_on="__hs6", right_on="source", how="left")
    missing = joined.filter(pl.col("target").is_null())
    if missing.height:
        first = missing.row(0, named=True)
        raise SchemaError(
            f"row {first[_ROW]}, column {column}: {first[column]!r} is not a "
            f"{HSVersion.parse(source)} subheading ({missing.height} such rows)"
        )
    scaled = [pl.col(c) * pl.col("share") for c in scale if c in frame.columns]
    out = joined.with_columns(
        pl.col("target").alias(column), *scaled, pl.lit(str(HSVersion.parse(target))).alias("hs_version")
    )
    return out.sort(_ROW, column).drop(_ROW, "__hs6", "target")
