"""Rejected rows: the one layout every parser and validator uses to quarantine bad input.

A rejected-rows frame has ``row`` (0-based position in the input), ``column``, ``value`` (the bad
cell as text) and ``reason``, followed by every input column cast to text, so that nothing the
user gave is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl

__all__ = ["REJECT_COLUMNS", "Check", "any_failed", "as_text", "empty_rejects", "first_failure", "make_rejects"]

REJECT_COLUMNS: dict[str, pl.DataType] = {
    "row": pl.UInt32(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
}


def empty_rejects(columns: list[str] | None = None) -> pl.DataFrame:
    """An empty rejected-rows frame, optionally with the input's columns after the four fixed ones.

    Examples:
        >>> empty_rejects(["a"]).columns
        ['row', 'column', 'value', 'reason', 'a']
    """
    schema = dict(REJECT_COLUMNS)
    for name in columns or []:
        if name not in schema:
            schema[name] = pl.String()
    return pl.DataFrame(schema=schema)


FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A column as text, whatever its type: lists joined with ``; ``, structs as JSON.

    Examples:
        >>> frame = pl.DataFrame({"a": [["x", "y"]], "n": [1.5]})
        >>> frame.select(as_text(pl.col("a"), frame.schema["a"]), as_text(pl.col("n"), pl.Float64())).row(0)
        ('x; y', '1.5')
    """
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        if isinstance(inner, pl.Struct):
            return expr.list.eval(pl.element().struct.json_encode()).list.join("; ")
        return expr.list.eval(pl.element().cast(pl.String)).list.join("; ")
    if isinstance(dtype, pl.Struct):
        return expr.struct.json_encode()
    return expr.cast(pl.String)


def make_rejects(frame: FrameT, row: pl.Expr, column: pl.Expr, value: pl.Expr, reason: pl.Expr) -> FrameT:
    """Build rejected rows from ``frame`` (already filtered to the bad rows) and four expressions.

    Columns whose names start with ``__`` are working columns and are not copied.
    """
    schema = frame.collect_schema()
    extra = [c for c in schema.names() if c not in REJECT_COLUMNS and not c.startswith("__")]
    return frame.select(
        row.cast(pl.UInt32).alias("row"),
        column.cast(pl.String).alias("column"),
        value.cast(pl.String).alias("value"),
        reason.cast(pl.String).alias("reason"),
        *[as_text(pl.col(c), schema[c]).alias(c) for c in extra],
    )


@dataclass(frozen=True)
class Check:
    """One way a row can be bad: ``bad`` is true on such a row (null counts as fine).

    ``column``, ``value`` and ``reason`` say what a rejected row reports; they are evaluated on
    bad rows only (see :func:`first_failure`), so a costly reason costs nothing on good rows.
    """

    column: str
    bad: pl.Expr
    value: pl.Expr
    reason: pl.Expr


def any_failed(checks: Sequence[Check]) -> pl.Expr:
    """True on rows that fail any check: the cheap mask that splits accepted from rejected rows.

    Examples:
        >>> check = Check("n", pl.col("n") < 0, pl.col("n").cast(pl.String), pl.lit("negative"))
        >>> pl.DataFrame({"n": [1, -1, None]}).select(any_failed([check]))["bad"].to_list()
        [False, True, False]
    """
    if not checks:
        return pl.lit(False).alias("bad")
    return pl.any_horizontal(*[check.bad.fill_null(False) for check in checks]).alias("bad")


_FAILURE = pl.Struct({"column": pl.String, "value": pl.String, "reason": pl.String})


def first_failure(checks: Sequence[Check]) -> pl.Expr:
    """A struct (column, value, reason) naming the first check a row fails, null when it passes all.

    Examples:
        >>> checks = [Check("n", pl.col("n") < 0, pl.col("n").cast(pl.String), pl.lit("negative")),
        ...           Check("n", pl.col("n").is_null(), pl.lit(None, pl.String), pl.lit("n is required"))]
        >>> pl.DataFrame({"n": [-1, None]}).select(first_failure(checks))["failure"].to_list()
        [{'column': 'n', 'value': '-1', 'reason': 'negative'}, {'column': 'n', 'value': None, 'reason': 'n is required'}]
    """
    chain: Any = None
    for check in checks:
        info = pl.struct(
            pl.lit(check.column, pl.String).alias("column"),
            check.value.cast(pl.String).alias("value"),
            check.reason.cast(pl.String).alias("reason"),
        )
        condition = check.bad.fill_null(False)
        chain = (pl.when(condition) if chain is None else chain.when(condition)).then(info)
    return (chain.otherwise(None) if chain is not None else pl.lit(None, _FAILURE)).alias("failure")
