"""The canonical tables (GUIDE §4): one pydantic model per record, the polars schema derived from it.

``shipments``, ``flows``, ``parties`` and ``findings`` are the names the rest of the world codes
against. Each table's record model is the single source of truth: :func:`polars_schema` derives
the frame schema from it, and :func:`validate` checks a frame against it, returning accepted rows
and rejected rows with their reasons (rows in = accepted + rejected, always).

Examples:
    >>> import datetime as dt, polars as pl
    >>> from dualuse.schema import validate
    >>> frame = pl.DataFrame({"period": [dt.date(2023, 1, 1)] * 2, "freq": ["A", "A"],
    ...     "reporter": ["CN", "Narnia"], "partner": ["KZ", "KZ"], "flow": ["export"] * 2,
    ...     "hs_code": ["880622", "880622"], "value_usd": [5.9e6, 1.0], "source": ["demo"] * 2,
    ...     "source_row": [1, 2]})
    >>> result = validate(frame, "flows")
    >>> result.accepted.height, result.rejected.select("row", "column", "reason").row(0)
    (1, (1, 'reporter', "not an ISO 3166-1 alpha-2 code: 'Narnia'"))
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin, overload

import annotated_types
import polars as pl
import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dualuse.errors import SchemaError
from dualuse.rejects import Check, any_failed, first_failure, make_rejects

__all__ = [
    "TABLES",
    "CountryCode",
    "Evidence",
    "Finding",
    "Flow",
    "HSDigits",
    "Identifier",
    "Metric",
    "Party",
    "Shipment",
    "Validated",
    "conformed",
    "empty",
    "from_records",
    "polars_schema",
    "record_model",
    "row_checks",
    "to_records",
    "validate",
]


@cache
def _iso2() -> frozenset[str]:
    from dualuse.geo import SPECIAL_AREAS  # same layer; imported late to keep import light

    return frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(SPECIAL_AREAS)


class _CountryMarker:
    """Marks a field that holds an ISO 3166-1 alpha-2 code."""


class _HSMarker:
    """Marks a field that holds HS code digits (2 to 12, even)."""


def _check_country(value: str) -> str:
    if value not in _iso2():
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {value!r}")
    return value


def _check_hs(value: str) -> str:
    if not (value.isascii() and value.isdigit() and 2 <= len(value) <= 12 and len(value) % 2 == 0):
        raise ValueError(f"not HS code digits (2 to 12, even): {value!r}")
    return value


CountryCode = Annotated[str, AfterValidator(_check_country), _CountryMarker()]
"""An ISO 3166-1 alpha-2 code, upper case (or a user-assigned area code such as ``XW`` World)."""

HSDigits = Annotated[str, AfterValidator(_check_hs), _HSMarker()]
"""HS code digits as declared: text, never an integer (leading zeros matter)."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Identifier(_Record):
    """An identifier of a party: ``scheme`` is INN, BIN, OGRN, TAX_ID, REG_NO, IMO, ..."""

    scheme: str
    value: str


class Evidence(_Record):
    """A pointer to one input row: the canonical table, its ``source`` and ``source_row``."""

    table: str
    source: str
    source_row: int


class Metric(_Record):
    """One named number of a finding."""

    name: str
    value: float | None


class Shipment(_Record):
    """One line of a customs declaration or bill of lading."""

    shipment_id: str
    date: dt.date
    hs_code: HSDigits
    description: str | None = None
    exporter_name: str | None = None
    exporter_country: CountryCode | None = None
    exporter_id: str | None = None
    importer_name: str | None = None
    importer_country: CountryCode | None = None
    importer_id: str | None = None
    manufacturer: str | None = None
    brand: str | None = None
    origin_country: CountryCode | None = None
    dispatch_country: CountryCode | None = None
    value_usd: Annotated[float, Field(ge=0)] | None = None
    value_original: float | None = None
    currency: str | None = None
    quantity: Annotated[float, Field(ge=0)] | None = None
    quantity_unit: str | None = None
    net_weight_kg: Annotated[float, Field(ge=0)] | None = None
    source: str
    source_row: int


class Flow(_Record):
    """One figure of aggregate trade statistics, as one reporter reported it."""

    period: dt.date
    freq: Literal["M", "A"]
    reporter: CountryCode
    partner: CountryCode
    flow: Literal["import", "export", "re-export", "re-import"]
    hs_code: HSDigits
    hs_version: str | None = None
    value_usd: Annotated[float, Field(ge=0)] | None = None
    valuation: Literal["CIF", "FOB"] | None = None
    net_weight_kg: Annotated[float, Field(ge=0)] | None = None
    quantity: Annotated[float, Field(ge=0)] | None = None
    quantity_unit: str | None = None
    source: str
    source_row: int


class Party(_Record):
    """A company, person or other subject of a watch list or registry."""

    party_id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["company", "person", "organization", "vessel", "aircraft", "unknown"] = "unknown"
    country: CountryCode | None = None
    identifiers: list[Identifier] = Field(default_factory=list)
    programs: list[str] = Field(default_factory=list)
    listed_on: dt.date | None = None
    source: str
    source_row: int
    founded: dt.date | None = None
    employees: int | None = None
    revenue_usd: float | None = None
    owners: list[str] = Field(default_factory=list)


class Finding(_Record):
    """A result an analyst can defend: what, about whom, how strong, and the rows behind it."""

    finding_id: str
    kind: str
    subject: str
    score: Annotated[float, Field(ge=0, le=1)]
    summary: str
    metrics: list[Metric] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


TABLES: dict[str, type[BaseModel]] = {
    "shipments": Shipment,
    "flows": Flow,
    "parties": Party,
    "findings": Finding,
}


def record_model(table: str) -> type[BaseModel]:
    """The pydantic model of one record of ``table``."""
    try:
        return TABLES[table]
    except KeyError:
        raise SchemaError(f"table {table!r}: unknown; canonical tables are {', '.join(TABLES)}") from None


@dataclass(frozen=True)
class _Column:
    name: str
    dtype: pl.DataType
    required: bool
    allowed: tuple[str, ...] | None
    country: bool
    hs: bool
    ge: float | None
    le: float | None


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Strip Optional and Annotated; return (base type, metadata, nullable)."""
    metadata: list[Any] = []
    nullable = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *meta = get_args(annotation)
            metadata.extend(meta)
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(get_args(annotation))
            annotation = args[0]
        else:
            return annotation, metadata, nullable


def _dtype(annotation: Any) -> pl.DataType:
    base, _, _ = _unwrap(annotation)
    origin = get_origin(base)
    if origin is Literal or base is str:
        return pl.String()
    if origin is list:
        return pl.List(_dtype(get_args(base)[0]))
    if isinstance(base, type) and issubclass(base, BaseModel):
        return pl.Struct({n: _dtype(f.annotation) for n, f in base.model_fields.items()})
    simple: dict[Any, pl.DataType] = {
        dt.date: pl.Date(),
        float: pl.Float64(),
        int: pl.Int64(),
        bool: pl.Boolean(),
    }
    if base in simple:
        return simple[base]
    raise TypeError(f"no polars dtype for {annotation!r}")


def _number(bound: object) -> float | None:
    """A Field(ge=/le=) bound as a float (they are always numbers on these models)."""
    return float(bound) if isinstance(bound, (int, float)) else None


@cache
def _columns(table: str) -> tuple[_Column, ...]:
    out = []
    for name, field in record_model(table).model_fields.items():
        base, meta, nullable = _unwrap(field.annotation)
        meta = meta + list(field.metadata)
        ge = next((m.ge for m in meta if isinstance(m, annotated_types.Ge)), None)
        le = next((m.le for m in meta if isinstance(m, annotated_types.Le)), None)
        for m in meta:  # Field(ge=..) inside Annotated arrives as a FieldInfo
            for inner in getattr(m, "metadata", []):
                ge = inner.ge if isinstance(inner, annotated_types.Ge) else ge
                le = inner.le if isinstance(inner, annotated_types.Le) else le
        out.append(
            _Column(
                name=name,
                dtype=_dtype(field.annotation),
                required=not nullable and field.is_required(),
                allowed=get_args(base) if get_origin(base) is Literal else None,
                country=any(isinstance(m, _CountryMarker) for m in meta),
                hs=any(isinstance(m, _HSMarker) for m in meta),
                ge=_number(ge),
                le=_number(le),
            )
        )
    return tuple(out)


def polars_schema(table: str) -> pl.Schema:
    """The polars schema of a canonical frame, derived from its record model.

    Examples:
        >>> polars_schema("flows")["period"], polars_schema("parties")["aliases"]
        (Date, List(String))
    """
    return pl.Schema({c.name: c.dtype for c in _columns(table)})


def empty(table: str) -> pl.DataFrame:
    """An empty frame of ``table``."""
    return pl.DataFrame(schema=polars_schema(table))


def from_records(records: Sequence[BaseModel] | Sequence[Mapping[str, Any]], table: str) -> pl.DataFrame:
    """Build a canonical frame from records (models or dicts, validated by the model).

    Examples:
        >>> from dualuse.schema import Finding, from_records
        >>> from_records([Finding(finding_id="f1", kind="k", subject="s", score=0.5, summary="x")], "findings").height
        1
    """
    model = record_model(table)
    rows = [(r if isinstance(r, model) else model.model_validate(r)).model_dump() for r in records]
    return pl.DataFrame(rows, schema=polars_schema(table), orient="row") if rows else empty(table)


def to_records(frame: pl.DataFrame, table: str) -> list[BaseModel]:
    """Turn a canonical frame into validated records (raises on the first bad row)."""
    model = record_model(table)
    names = list(polars_schema(table))
    return [model.model_validate(row) for row in frame.select(names).iter_rows(named=True)]


FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


@dataclass(frozen=True)
class Validated(Generic[FrameT]):
    """The result of :func:`validate`: rows that fit and rows that did not (with their reasons).

    Both are DataFrames when a DataFrame was validated, LazyFrames when a LazyFrame was.
    """

    accepted: FrameT
    rejected: FrameT

    @property
    def ok(self) -> bool:
        """Whether every row was accepted (collects a lazy result's rejected rows)."""
        rejected = self.rejected
        height = rejected.select(pl.len()).collect().item() if isinstance(rejected, pl.LazyFrame) else rejected.height
        return bool(height == 0)


def _cast(expr: pl.Expr, source: pl.DataType, target: pl.DataType) -> pl.Expr:
    """Cast leniently (bad cells become null and are reported); text dates must be ISO 8601."""
    if source == pl.String and target == pl.Date:
        return expr.str.to_date("%Y-%m-%d", strict=False)
    return expr.cast(target, strict=False)


def _checks(col: _Column, original: pl.Expr, cast: pl.Expr, source: pl.DataType) -> list[Check]:
    """The ways one column's cell can be bad, in the order they are reported."""
    name = col.name
    text = original.cast(pl.String)
    checks: list[Check] = []
    if source != col.dtype:  # an identity cast cannot fail
        checks.append(
            Check(
                name,
                original.is_not_null() & cast.is_null(),
                text,
                pl.format("cannot read as {}: {}", pl.lit(str(col.dtype)), text),
            )
        )
    if col.required:
        checks.append(Check(name, original.is_null(), text, pl.lit(f"{name} is required")))
    if col.allowed:
        checks.append(
            Check(
                name,
                cast.is_not_null() & ~cast.is_in(list(col.allowed)),
                text,
                pl.format("expected one of {}: '{}'", pl.lit(", ".join(col.allowed)), cast),
            )
        )
    if col.country:
        checks.append(
            Check(
                name,
                cast.is_not_null() & ~cast.is_in(sorted(_iso2())),
                text,
                pl.format("not an ISO 3166-1 alpha-2 code: '{}'", cast),
            )
        )
    if col.hs:
        length = cast.str.len_chars()
        bad = ~cast.str.contains(r"^[0-9]+$") | (length < 2) | (length > 12) | (length % 2 == 1)
        checks.append(
            Check(name, cast.is_not_null() & bad, text, pl.format("not HS code digits (2 to 12, even): '{}'", cast))
        )
    if col.ge is not None:
        checks.append(Check(name, cast < col.ge, text, pl.format("below {}: {}", pl.lit(col.ge), cast)))
    if col.le is not None:
        checks.append(Check(name, cast > col.le, text, pl.format("above {}: {}", pl.lit(col.le), cast)))
    return checks


def _plain(name: str) -> pl.Expr:
    return pl.col(name)


def row_checks(table: str, schema: pl.Schema, ref: Callable[[str], pl.Expr] = _plain) -> list[Check]:
    """The checks :func:`validate` runs on a frame with ``schema``, as expressions.

    ``ref`` names where each canonical column is found (by default, under its own name): a caller
    that computes the columns under working names validates them in place, in the same query.
    A required column that ``schema`` lacks is a :class:`SchemaError`.

    Examples:
        >>> import datetime as dt
        >>> from dualuse.rejects import first_failure
        >>> frame = pl.DataFrame({"v:period": [dt.date(2023, 1, 1)], "v:freq": ["A"], "v:reporter": ["Narnia"],
        ...     "v:partner": ["KZ"], "v:flow": ["export"], "v:hs_code": ["8542"], "v:source": ["x"], "v:source_row": [2]})
        >>> checks = row_checks("flows", frame.schema, ref=lambda name: pl.col(f"v:{name}"))
        >>> frame.select(first_failure(checks)).item()
        {'column': 'reporter', 'value': 'Narnia', 'reason': "not an ISO 3166-1 alpha-2 code: 'Narnia'"}
        >>> row_checks("flows", pl.Schema({"v:period": pl.Date}), ref=lambda name: pl.col(f"v:{name}"))
        Traceback (most recent call last):
        dualuse.errors.SchemaError: flows: missing required column(s) freq, reporter, partner, flow, hs_code, source, source_row
    """
    cols = _columns(table)
    present = {c.name: schema[key] for c in cols if (key := _name_of(ref(c.name))) in schema}
    missing = [c.name for c in cols if c.required and c.name not in present]
    if missing:
        raise SchemaError(f"{table}: missing required column(s) {', '.join(missing)}")
    return [
        check
        for col in cols
        if col.name in present
        for check in _checks(col, ref(col.name), _cast(ref(col.name), present[col.name], col.dtype), present[col.name])
    ]


def conformed(table: str, schema: pl.Schema, ref: Callable[[str], pl.Expr] = _plain) -> list[pl.Expr]:
    """The canonical columns of ``table`` in order, cast from a frame with ``schema`` (absent ones null).

    Pair with :func:`row_checks`: on the rows that pass them, the casts cannot fail.
    """
    out: list[pl.Expr] = []
    for col in _columns(table):
        key = _name_of(ref(col.name))
        if key in schema:
            out.append(_cast(ref(col.name), schema[key], col.dtype).alias(col.name))
        else:
            out.append(pl.lit(None, col.dtype).alias(col.name))
    return out


def _name_of(expr: pl.Expr) -> str:
    return expr.meta.output_name()


@overload
def validate(frame: pl.DataFrame, table: str) -> Validated[pl.DataFrame]: ...
@overload
def validate(frame: pl.LazyFrame, table: str) -> Validated[pl.LazyFrame]: ...
def validate(frame: pl.DataFrame | pl.LazyFrame, table: str) -> Validated[pl.DataFrame] | Validated[pl.LazyFrame]:
    """Cast ``frame`` to the schema of ``table``; split it into accepted and rejected rows.

    A required column that is missing raises :class:`SchemaError`; a missing optional column is
    added as nulls. Each rejected row says its 0-based ``row``, the first bad ``column``, the bad
    ``value`` and the ``reason``, and keeps every input cell (see :mod:`dualuse.rejects`). Extra
    columns are kept after the canonical ones. A LazyFrame stays lazy: validation is expressions
    only, so it streams.
    """
    if isinstance(frame, pl.LazyFrame):
        return _validate(frame, table)
    return _validate(frame, table)


def _validate(frame: FrameT, table: str) -> Validated[FrameT]:
    """One implementation for eager and lazy frames: every step is an expression."""
    schema = frame.collect_schema()
    checks = row_checks(table, schema)
    flagged = frame.with_row_index("__row").with_columns(any_failed(checks).alias("__bad"))
    # the mask is cheap; reasons are formatted for the (few) bad rows only
    bad_rows = flagged.filter(pl.col("__bad")).with_columns(first_failure(checks).alias("__why"))
    why = pl.col("__why").struct
    rejected = make_rejects(
        bad_rows, row=pl.col("__row"), column=why.field("column"), value=why.field("value"), reason=why.field("reason")
    )
    canonical = set(polars_schema(table))
    extras = [c for c in schema.names() if c not in canonical]
    accepted = flagged.filter(~pl.col("__bad")).select(*conformed(table, schema), *extras)
    return Validated(accepted=accepted, rejected=rejected)
