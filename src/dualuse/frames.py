"""Tables that other tools hand in — pandas, Arrow, plain mappings — as polars frames.

Examples:
    >>> import pyarrow as pa
    >>> as_frame(pa.table({"a": [1, 2]})).shape
    (2, 1)
    >>> as_frame("flows.csv", what="flows")
    Traceback (most recent call last):
    dualuse.errors.SchemaError: flows: 'flows.csv' is a file name; read files with dualuse.validate(path, table) or dualuse.inputs.read
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from dualuse.errors import SchemaError

__all__ = ["as_frame", "is_table"]


def _library(data: object) -> str:
    return type(data).__module__.split(".")[0]


def is_table(data: object) -> bool:
    """Whether ``data`` is a table :func:`as_frame` reads (not a file name).

    Examples:
        >>> is_table(pl.DataFrame()), is_table("x.csv")
        (True, False)
    """
    if isinstance(data, pl.DataFrame | pl.LazyFrame):
        return True
    if _library(data) in ("pandas", "pyarrow"):
        return True
    return isinstance(data, Mapping) or (
        isinstance(data, Sequence) and not isinstance(data, str | bytes) and all(isinstance(r, Mapping) for r in data)
    )


def as_frame(data: object, *, what: str = "data") -> pl.DataFrame | pl.LazyFrame:
    """A polars frame from a polars, pandas or pyarrow table, a mapping of columns or a list of records.

    Polars frames come back as they are (a LazyFrame stays lazy). Anything else is a
    :class:`SchemaError` that says what was expected; ``what`` names the input in the message.
    """
    if isinstance(data, pl.DataFrame | pl.LazyFrame):
        return data
    library = _library(data)
    try:
        if library == "pandas":
            return _from_pandas(data)
        if library == "pyarrow":
            converted = pl.from_arrow(data)
            if isinstance(converted, pl.Series):
                return converted.to_frame()
            return converted
        if isinstance(data, Mapping):
            return pl.DataFrame(dict(data), strict=False)
        if (
            isinstance(data, Sequence)
            and not isinstance(data, str | bytes)
            and all(isinstance(r, Mapping) for r in data)
        ):
            return pl.DataFrame(list(data), strict=False, infer_schema_length=None)
    except (pl.exceptions.PolarsError, TypeError, ValueError) as exc:
        raise SchemaError(f"{what}: cannot read the {type(data).__name__}: {str(exc).splitlines()[0]}") from None
    if isinstance(data, str | Path):
        raise SchemaError(
            f"{what}: {str(data)!r} is a file name; read files with dualuse.validate(path, table) or dualuse.inputs.read"
        )
    raise SchemaError(
        f"{what}: expected a table (polars, pandas or pyarrow), got {type(data).__module__}.{type(data).__name__}"
    )


def _from_pandas(data: Any) -> pl.DataFrame:
    """A pandas DataFrame as polars; object columns of mixed types (``8542`` and ``"8542.31"``) become text."""
    try:
        converted: pl.DataFrame = pl.from_pandas(data)
        return converted
    except (pl.exceptions.PolarsError, TypeError, ValueError):
        pass
    import pyarrow as pa

    columns: dict[str, pl.Series] = {}
    for name in data.columns:
        column = data[name]
        try:
            columns[str(name)] = pl.from_pandas(column)
        except (pl.exceptions.PolarsError, TypeError, ValueError, pa.ArrowException):
            texts = [None if _missing(v) else str(v) for v in column.tolist()]
            columns[str(name)] = pl.Series(str(name), texts, dtype=pl.String)
    return pl.DataFrame(columns)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
