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

import contextlib
import contextvars
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import polars as pl

from dualuse.errors import SchemaError

__all__ = ["as_frame", "deliver", "delivers", "is_table", "output", "set_output", "stable_mean", "stable_sum"]

Output = Literal["polars", "pandas"]
_output: list[Output] = ["polars"]


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

    Polars frames come back as they are (a LazyFrame stays lazy), except that a frame whose
    columns are cut into different chunks is made contiguous: polars (2.1) can panic on one, and a
    hive dataset collected in one go is one (its key columns are chunked per file, the rest per
    read batch). Anything else is a :class:`SchemaError` that says what was expected; ``what``
    names the input in the message.
    """
    if isinstance(data, pl.DataFrame):
        return data.rechunk() if len(set(data.n_chunks("all"))) > 1 else data
    if isinstance(data, pl.LazyFrame):
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


def set_output(kind: Output) -> None:
    """Return results as ``"polars"`` (the default) or ``"pandas"`` DataFrames from now on.

    Type checkers see polars frames in the signatures; with ``"pandas"`` the same calls return
    ``pandas.DataFrame`` (and result objects hold pandas frames). ``to_pandas()`` on any polars
    result does the same for one call.

    Examples:
        >>> set_output("pandas"); set_output("polars")
        >>> set_output("arrow")
        Traceback (most recent call last):
        dualuse.errors.SchemaError: output: expected 'polars' or 'pandas', not 'arrow'
    """
    if kind not in ("polars", "pandas"):
        raise SchemaError(f"output: expected 'polars' or 'pandas', not {kind!r}")
    _output[0] = kind


@contextlib.contextmanager
def output(kind: Output) -> Iterator[None]:
    """Within the block, return results as ``kind`` (see :func:`set_output`).

    Examples:
        >>> import dualuse, polars as pl
        >>> flows = pl.DataFrame({"period": ["2023", "2023"], "reporter": ["CN", "KZ"], "partner": ["KZ", "CN"],
        ...     "flow": ["export", "import"], "hs_code": ["880622"] * 2, "value_usd": [100.0, 110.0]})
        >>> with dualuse.output("pandas"):
        ...     type(dualuse.flows.mirror(flows)).__module__.split(".")[0]
        'pandas'
    """
    before = _output[0]
    set_output(kind)
    try:
        yield
    finally:
        _output[0] = before


def deliver(result: Any) -> Any:
    """A result in the output kind asked for: polars frames (also inside a dataclass) become pandas."""
    if _output[0] == "polars":
        return result
    if isinstance(result, pl.DataFrame):
        return result.to_pandas()
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        changes = {f.name: deliver(getattr(result, f.name)) for f in dataclasses.fields(result)}
        return dataclasses.replace(result, **changes)
    return result


P = ParamSpec("P")
R = TypeVar("R")


_depth: contextvars.ContextVar[int] = contextvars.ContextVar("dualuse_call_depth", default=0)


def delivers(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a public function so that its result follows :func:`set_output`.

    Only the outermost call converts: a public function that calls another gets polars back.
    """

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _depth.set(_depth.get() + 1)
        try:
            result = function(*args, **kwargs)
        finally:
            _depth.reset(token)
        if _depth.get() == 0:
            converted: R = deliver(result)
            return converted
        return result

    return wrapper


def stable_sum(expr: pl.Expr) -> pl.Expr:
    """The sum of a group's values, the same to the last bit whatever the frame's length and row order.

    polars sums a group's floats in an order that depends on how long the frame is, so the same
    group summed in a partition and in the whole table may differ in the last bit. Here the values
    are sorted and added one after another. Missing values count as 0 and nothing sums to 0, as in
    ``sum``.

    Examples:
        >>> frame = pl.DataFrame({"g": ["a", "a", "a"], "v": [0.1, 0.7, 0.2]})
        >>> frame.group_by("g").agg(stable_sum(pl.col("v"))).item(0, "v") == (0.1 + 0.2) + 0.7
        True
    """
    return expr.fill_null(0).sort().cum_sum().last().fill_null(0)


def stable_mean(expr: pl.Expr) -> pl.Expr:
    """The mean of a group's values as :func:`stable_sum` adds them (missing values left out).

    Examples:
        >>> pl.DataFrame({"v": [1.0, None, 2.0]}).select(stable_mean(pl.col("v"))).item()
        1.5
    """
    return stable_sum(expr) / expr.count()
