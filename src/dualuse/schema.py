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
    (1, (1, 'reporter', "unknown country: 'Narnia'"))
"""

from __future__ import annotations

import datetime as dt
import os
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
from dualuse.frames import as_frame
from dualuse.rejects import Check, any_failed, as_text, first_failure, make_rejects
from dualuse.values import (
    CHOICES,
    DEFAULT_DATE_FORMATS,
    HS_TOTAL,
    Parse,
    Parsed,
    cell_text,
    choice_key,
    parse_choice,
    parse_country,
    parse_date,
    parse_freq,
    parse_hs,
    parse_identifiers,
    parse_integer,
    parse_list,
    parse_number,
    parse_period,
)

__all__ = [
    "DEFAULT_DATE_RANGE",
    "TABLES",
    "CountryCode",
    "Evidence",
    "Finding",
    "Flow",
    "HSDigits",
    "HSDigitsOrTotal",
    "Identifier",
    "Metric",
    "Party",
    "ReadOptions",
    "Shipment",
    "Validated",
    "conformed",
    "date_range",
    "empty",
    "from_records",
    "parse_kinds",
    "polars_schema",
    "record_model",
    "row_checks",
    "set_date_range",
    "to_records",
    "validate",
]


@cache
def _iso2() -> frozenset[str]:
    from dualuse.geo import SPECIAL_AREAS, USER_ASSIGNED  # same layer; imported late to keep import light

    return frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(SPECIAL_AREAS) | USER_ASSIGNED


class _CountryMarker:
    """Marks a field that holds an ISO 3166-1 alpha-2 code."""


class _HSMarker:
    """Marks a field that holds HS code digits (2 to 12, even)."""

    total = False


class _HSOrTotalMarker(_HSMarker):
    """Marks a field that holds HS code digits or ``TOTAL`` (all goods, as statistics publish it)."""

    total = True


def _check_country(value: str) -> str:
    if value not in _iso2():
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {value!r}")
    return value


def _check_hs(value: str) -> str:
    if not (value.isascii() and value.isdigit() and 2 <= len(value) <= 12 and len(value) % 2 == 0):
        raise ValueError(f"not HS code digits (2 to 12, even): {value!r}")
    return value


def _check_hs_or_total(value: str) -> str:
    return value if value == HS_TOTAL else _check_hs(value)


CountryCode = Annotated[str, AfterValidator(_check_country), _CountryMarker()]
"""An ISO 3166-1 alpha-2 code, upper case (or a user-assigned area code such as ``XW`` World)."""

HSDigits = Annotated[str, AfterValidator(_check_hs), _HSMarker()]
"""HS code digits as declared: text, never an integer (leading zeros matter)."""

HSDigitsOrTotal = Annotated[str, AfterValidator(_check_hs_or_total), _HSOrTotalMarker()]
"""HS code digits, or ``TOTAL`` for an all-goods figure (``dualuse.values.HS_TOTAL``). A chapter
(two digits) or a total is marked by its code, so no algorithm takes it for a product."""


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
    hs_code: HSDigitsOrTotal
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
    hs_total: bool
    ge: float | None
    le: float | None

    @property
    def parse(self) -> Parse | None:
        """How the front door reads this column's cells (None: taken as given)."""
        if self.hs:
            return "hs"
        if self.country:
            return "country"
        if self.allowed is not None:
            return "choice" if self.name in CHOICES else "text"
        if self.name == "period":
            return "period"
        simple: dict[pl.DataType, Parse] = {pl.Date(): "date", pl.Float64(): "number", pl.Int64(): "integer"}
        if self.dtype in simple:
            return simple[self.dtype]
        if self.dtype == pl.List(pl.String):
            return "list"
        if self.dtype == pl.List(pl.Struct({"scheme": pl.String, "value": pl.String})):
            return "identifiers"
        return None


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
                hs_total=any(isinstance(m, _HSMarker) and m.total for m in meta),
                ge=_number(ge),
                le=_number(le),
            )
        )
    return tuple(out)


def parse_kinds(table: str) -> dict[str, Parse | None]:
    """How the front door reads each column of ``table`` (:mod:`dualuse.values`); None: as given.

    Examples:
        >>> kinds = parse_kinds("flows")
        >>> kinds["period"], kinds["freq"], kinds["flow"], kinds["hs_code"], kinds["value_usd"]
        ('period', 'freq', 'choice', 'hs', 'number')
    """
    return {c.name: "freq" if c.name == "freq" else c.parse for c in _columns(table)}


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


# --- plausible dates ----------------------------------------------------------------------------

DEFAULT_DATE_RANGE: tuple[dt.date, dt.date] = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
"""Dates outside this range are refused as implausible (``0000-01-01`` and ``9999-12-31`` are
placeholders, not dates). Change it with :func:`set_date_range` or ``DUALUSE_DATE_RANGE``."""

_date_range: tuple[dt.date, dt.date] | None = None


def date_range() -> tuple[dt.date, dt.date]:
    """The plausible dates (inclusive): :func:`set_date_range`, else ``DUALUSE_DATE_RANGE``
    (``1950-01-01..2030-12-31``), else :data:`DEFAULT_DATE_RANGE`.

    Examples:
        >>> date_range()
        (datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))
    """
    if _date_range is not None:
        return _date_range
    text = os.environ.get("DUALUSE_DATE_RANGE", "").strip()
    if not text:
        return DEFAULT_DATE_RANGE
    try:
        earliest, latest = (dt.date.fromisoformat(part.strip()) for part in text.split(".."))
    except ValueError:
        raise SchemaError(f"DUALUSE_DATE_RANGE {text!r}: expected two ISO dates, e.g. 1950-01-01..2030-12-31") from None
    return earliest, latest


def set_date_range(earliest: dt.date | str, latest: dt.date | str) -> None:
    """Set the plausible dates for this process (both inclusive; ISO text accepted).

    Examples:
        >>> set_date_range("1990-01-01", "2030-12-31"); date_range()[0]
        datetime.date(1990, 1, 1)
        >>> set_date_range(*DEFAULT_DATE_RANGE)
    """
    global _date_range
    first, last = (d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in (earliest, latest))
    if first > last:
        raise SchemaError(f"date range {first}..{last}: the earliest date comes after the latest")
    _date_range = (first, last)


# --- row checks ---------------------------------------------------------------------------------


def _checks(col: _Column, original: pl.Expr, cast: pl.Expr, source: pl.DataType) -> list[Check]:
    """The ways one column's cell can be bad, in the order they are reported."""
    name = col.name
    text = as_text(original, source)
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
        if col.hs_total:
            bad = bad & (cast != HS_TOTAL)
        checks.append(
            Check(name, cast.is_not_null() & bad, text, pl.format("not HS code digits (2 to 12, even): '{}'", cast))
        )
    if col.dtype == pl.Float64:
        checks.append(Check(name, ~cast.is_finite(), text, pl.format("not a finite number: {}", text)))
    if col.dtype == pl.Date:
        earliest, latest = date_range()
        checks.append(
            Check(
                name,
                (cast < earliest) | (cast > latest),
                text,
                pl.format(
                    "implausible date {} (outside {}..{}; see dualuse.schema.set_date_range)",
                    text,
                    pl.lit(str(earliest)),
                    pl.lit(str(latest)),
                ),
            )
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


# --- the front door for in-memory tables ----------------------------------------------------------


@dataclass(frozen=True)
class ReadOptions:
    """How the front door reads cells whose shape alone does not settle their meaning.

        ``hs_width``: the number of digits HS codes have, so that text codes that lost a leading zero
        (``10121``) can be padded; ``decimal_comma``: whether ``1,234`` is 1.234 (True) or 1234
        (False) — unset, such cells are refused as ambiguous; ``date_formats``: the strptime patterns
        tried, in order; ``source``: the label written in ``source`` when the table has none (default:
    the file name, or ``input`` for a table in memory); ``first_row``: the position of the table's
    first row in a larger table it is a chunk of, so that row numbers (``source_row`` when the table
    has none, and the ``row`` of rejected rows) are those of the whole.
    """

    hs_width: int | None = None
    decimal_comma: bool | None = None
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    source: str | None = None
    first_row: int = 0


def _parsed(col: _Column, dtype: pl.DataType, options: ReadOptions) -> Parsed | None:
    """The front door's reading of one canonical column that has ``dtype`` in the input."""
    kind = "freq" if col.name == "freq" else col.parse
    if kind is None:
        return None
    source = pl.col(col.name)
    if isinstance(dtype, pl.List | pl.Struct):
        if kind == "list":
            return parse_list(pl.lit(None, pl.String), source, dtype)
        if kind == "identifiers":
            return parse_identifiers(pl.lit(None, pl.String), source, dtype)
        return None
    # text columns are read raw: the parsers that read each distinct cell once strip it themselves
    text = source if dtype == pl.String else cell_text(col.name, dtype)
    if kind == "hs":
        return parse_hs(text, source, dtype, width=options.hs_width, total=col.hs_total)
    if kind == "country":
        return parse_country(text)
    if kind == "choice":
        return parse_choice(text, col.name)
    if kind == "freq":
        return parse_freq(text)
    if kind == "period":
        return parse_period(text, source, dtype)
    if kind == "date":
        return parse_date(text, source, dtype, formats=options.date_formats)
    if kind == "number":
        return parse_number(text, source, dtype, decimal_comma=options.decimal_comma)
    if kind == "integer":
        return parse_integer(text, source, dtype, decimal_comma=options.decimal_comma)
    if kind == "list":
        return parse_list(text, source, dtype)
    if kind == "identifiers":
        return parse_identifiers(text, source, dtype)
    return None


def _canonical_names(frame: FrameT, table: str) -> FrameT:
    """Rename columns written another way (``HS Code``, ``Value-USD``) to their canonical names."""
    names = frame.collect_schema().names()
    wanted = {choice_key(c.name): c.name for c in _columns(table)}
    renames: dict[str, str] = {}
    for name in names:
        target = wanted.get(choice_key(name))
        if target is None or target == name or target in names:
            continue
        if target in renames.values():
            other = next(k for k, v in renames.items() if v == target)
            raise SchemaError(f"{table}: columns {other!r} and {name!r} both read as {target}; rename one")
        renames[name] = target
    return frame.rename(renames) if renames else frame


def _with_provenance(frame: FrameT, table: str, options: ReadOptions) -> FrameT:
    """Add what a table without them can be given: ``source``, ``source_row``, record ids, ``freq``."""
    names = frame.collect_schema().names()
    added: list[pl.Expr] = []
    if "source" not in names:
        added.append(pl.lit(options.source or "input").alias("source"))
    if "source_row" not in names:
        frame = frame.with_row_index("source_row", offset=options.first_row).with_columns(
            pl.col("source_row").cast(pl.Int64)
        )
    record_id = {"shipments": "shipment_id", "parties": "party_id"}.get(table)
    if record_id is not None and record_id not in names:
        source = pl.col("source") if "source" in names else pl.lit(options.source or "input")
        added.append(pl.format("{}:{}", source, pl.col("source_row")).alias(record_id))
    if table == "flows" and "freq" not in names and "period" in names:
        period = frame.collect_schema()["period"]
        if period == pl.Date or isinstance(period, pl.Datetime):
            raise SchemaError("flows: missing required column freq (A or M): it cannot be told from dates")
        added.append(cell_text("period", period).alias("freq"))
    return frame.with_columns(added) if added else frame


@overload
def validate(data: pl.DataFrame, table: str, *, options: ReadOptions | None = None) -> Validated[pl.DataFrame]: ...
@overload
def validate(  # type: ignore[overload-overlap]
    data: pl.LazyFrame, table: str, *, options: ReadOptions | None = None
) -> Validated[pl.LazyFrame]: ...
@overload
def validate(data: object, table: str, *, options: ReadOptions | None = None) -> Validated[pl.DataFrame]: ...
def validate(
    data: object, table: str, *, options: ReadOptions | None = None
) -> Validated[pl.DataFrame] | Validated[pl.LazyFrame]:
    """Read ``data`` as canonical ``table``; split it into accepted and rejected rows.

    ``data`` is a polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table or a mapping
    of columns (files: :func:`dualuse.inputs.read`). Columns are matched by name ignoring case,
    spaces, hyphens and underscores (``HS Code`` is ``hs_code``). Every cell with one unambiguous
    meaning is read as :mod:`dualuse.values` reads it — HS codes in any printed shape, countries
    by code or name, ``Export``/``X``, dates and periods as text or dates, numbers with decimal
    commas — and every other cell rejects its row. A table without ``source``/``source_row`` gets
    ``options.source`` and the 0-based row number; without ``shipment_id``/``party_id``, ids made
    of those; a flows table without ``freq``, the frequency its periods' shapes say.

    A required column that is missing raises :class:`SchemaError`; a missing optional column is
    added as nulls. Each rejected row says its 0-based ``row``, the first bad ``column``, the bad
    ``value`` and the ``reason``, and keeps every input cell (see :mod:`dualuse.rejects`). Rows in
    = accepted + rejected, always. Extra columns are kept after the canonical ones. A LazyFrame
    stays lazy: validation is expressions only, so it streams.

    Examples:
        >>> frame = pl.DataFrame({"Period": ["2023", "2023"], "Reporter": ["China", "Kazakhstan"],
        ...     "Partner": ["KAZ", "156"], "Flow": ["Export", "M"], "HS Code": ["8806.22", "880622x"],
        ...     "Value USD": ["5 900 000", "1,5"]})
        >>> result = validate(frame, "flows")
        >>> result.accepted.select("period", "freq", "reporter", "partner", "flow", "hs_code", "value_usd").row(0)
        (datetime.date(2023, 1, 1), 'A', 'CN', 'KZ', 'export', '880622', 5900000.0)
        >>> result.rejected.select("row", "column", "reason").row(0)
        (1, 'hs_code', "not an HS code (digits with optional separators): '880622x'")
    """
    options = options or ReadOptions()
    frame = as_frame(data, what=table)
    if isinstance(frame, pl.LazyFrame):
        return _validate(frame, table, options)
    return _validate(frame, table, options)


def _validate(frame: FrameT, table: str, options: ReadOptions) -> Validated[FrameT]:
    """One implementation for eager and lazy frames: every step is an expression."""
    frame = _with_provenance(_canonical_names(frame, table), table, options)
    schema = frame.collect_schema()
    parsed: dict[str, Parsed] = {}
    for col in _columns(table):
        if col.name in schema and (reading := _parsed(col, schema[col.name], options)) is not None:
            parsed[col.name] = reading
    work = (
        frame.with_row_index("__row", offset=options.first_row)
        .with_columns(**{f"__p:{name}": reading.expr for name, reading in parsed.items()})
        .with_columns(**{f"__v:{name}": reading.value_of(pl.col(f"__p:{name}")) for name, reading in parsed.items()})
    )
    unreadable: list[Check] = []
    for name, reading in parsed.items():
        if reading.reason is not None:
            filled = _filled(reading, name, schema[name])
            text = as_text(pl.col(name), schema[name])
            unreadable.append(Check(name, filled & pl.col(f"__v:{name}").is_null(), text, reading.reason))

    def ref(name: str) -> pl.Expr:
        return pl.col(f"__v:{name}") if name in parsed else pl.col(name)

    work_schema: pl.Schema = work.collect_schema()
    checks = [*unreadable, *row_checks(table, work_schema, ref=ref)]
    flagged = work.with_columns(any_failed(checks).alias("__bad"))
    # the mask is cheap; reasons are formatted for the (few) bad rows only
    bad_rows = flagged.filter(pl.col("__bad")).with_columns(first_failure(checks).alias("__why"))
    why = pl.col("__why").struct
    rejected = make_rejects(
        bad_rows, row=pl.col("__row"), column=why.field("column"), value=why.field("value"), reason=why.field("reason")
    )
    canonical = set(polars_schema(table))
    extras = [c for c in schema.names() if c not in canonical]
    accepted = flagged.filter(~pl.col("__bad")).select(*conformed(table, work_schema, ref=ref), *extras)
    return Validated(accepted=accepted, rejected=rejected)


def _filled(reading: Parsed, name: str, dtype: pl.DataType) -> pl.Expr:
    """Whether a cell holds anything (an empty or blank text cell holds nothing)."""
    filled = reading.filled_of(pl.col(f"__p:{name}"))
    if filled is not None:
        return filled
    column = pl.col(name)
    if dtype == pl.String:
        return column.str.strip_chars().str.len_bytes() > 0
    return column.is_not_null()
