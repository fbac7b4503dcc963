"""Declarative column mappings (TOML) from a file's layout to a canonical table.

A mapping names, for each canonical column, where its value comes from and how to read it::

    name = "baci"
    table = "flows"
    null_values = ["NA"]

    [columns.period]
    from = "t"
    parse = "period"

    [columns.value_usd]
    from = "v"
    parse = "number"
    scale = 1000.0        # BACI values are in thousand USD

Each column rule has exactly one of ``from`` (an input column, or a list of alternative names: the
first present is used), ``join`` (several input columns joined with ``sep``) or ``value`` (a
constant). ``parse`` is one of ``text``, ``number``, ``integer``, ``date`` (with ``format``, one
or several strptime patterns), ``period`` (``2023``, ``202301``, ``2023-01``, ``2023-01-01``: the first day of that month or
year; ``YYYY52`` is a year, as in Comext), ``freq`` (``A`` or ``M`` from such a period), ``country`` (any name or code
:func:`dualuse.geo.country` knows), ``hs`` (digits, separators removed, left-padded with zeros to
``width``) or ``bool``. ``map`` translates values (an unknown value is a bad cell), ``scale``
multiplies numbers, ``usd_rate = true`` multiplies by the connector's ``usd_rate`` setting, and
``optional = true`` allows the input column to be absent (the canonical column is then empty).

A cell that cannot be read quarantines its row with the reason; a mapped column that is absent
from the file is an :class:`~dualuse.errors.InputError` naming the file and the column.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib.resources import files
from pathlib import Path
from typing import Literal, Self

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dualuse.errors import ConfigError, CountryError, InputError, PluginError
from dualuse.rejects import Check, any_failed, first_failure
from dualuse.schema import polars_schema, record_model

__all__ = [
    "ColumnRule",
    "CompiledMapping",
    "MappingPreset",
    "builtin_presets",
    "compile_mapping",
    "get_preset",
    "identity_preset",
    "load_preset",
    "presets",
]

Parse = Literal["text", "number", "integer", "date", "period", "freq", "country", "hs", "bool"]
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d")
_TRUE = ("true", "1", "yes", "y", "t", "да")
_FALSE = ("false", "0", "no", "n", "f", "нет")


def _as_list(value: str | list[str] | None) -> list[str] | None:
    return [value] if isinstance(value, str) else value


class ColumnRule(BaseModel):
    """Where one canonical column comes from and how to read it (see the module docs).

    Examples:
        >>> ColumnRule.model_validate({"from": ["G33", "Код товара"], "parse": "hs", "width": 10}).sources
        ['G33', 'Код товара']
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: str | list[str] | None = Field(default=None, alias="from")
    join: list[str | list[str]] | None = None
    sep: str = "/"
    value: str | int | float | bool | None = None
    parse: Parse = "text"
    format: str | list[str] | None = None
    scale: float = 1.0
    width: int | None = Field(default=None, ge=2, le=12)
    map: dict[str, str] | None = None
    optional: bool = False
    usd_rate: bool = False

    @model_validator(mode="after")
    def _one_origin(self) -> Self:
        given = [n for n, v in (("from", self.from_), ("join", self.join), ("value", self.value)) if v is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of from, join, value (got {', '.join(given) or 'none'})")
        return self

    @property
    def sources(self) -> list[str] | None:
        """The alternative input column names of ``from``, in order of preference."""
        return _as_list(self.from_)

    @property
    def formats(self) -> list[str]:
        """The date formats tried, in order."""
        return _as_list(self.format) or list(DEFAULT_DATE_FORMATS)


class MappingPreset(BaseModel):
    """A named column mapping from one file layout to a canonical table.

    Examples:
        >>> preset = get_preset("baci")
        >>> preset.table, preset.columns["value_usd"].scale
        ('flows', 1000.0)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    table: Literal["shipments", "flows", "parties"]
    description: str = ""
    reference: str = ""
    delimiter: str | None = None
    encoding: str | None = None
    decimal_comma: bool = False
    null_values: list[str] = Field(default_factory=list)
    sheet: str | None = None
    columns: dict[str, ColumnRule]
    origin: str = ""

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError(f"delimiter must be one character, got {value!r}")
        return value

    @model_validator(mode="after")
    def _required_columns(self) -> Self:
        fields = record_model(self.table).model_fields
        missing = [
            name
            for name, info in fields.items()
            if info.is_required() and name not in self.columns and name not in _PROVIDED
        ]
        if missing:
            raise ValueError(f"table {self.table} needs a rule for column(s) {', '.join(missing)}")
        return self

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "") -> MappingPreset:
        """Parse a TOML mapping; :class:`ConfigError` names each bad key.

        Examples:
            >>> MappingPreset.from_toml('name = "x"\\ntable = "parties"\\n[columns.name]\\nfrom = "Name"\\n'
            ...                         '[columns.party_id]\\nfrom = "ID"').columns["name"].sources
            ['Name']
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"mapping {origin or '(text)'}: not valid TOML: {exc}") from None
        data.setdefault("origin", origin)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(mapping)'}: {e['msg']}"
                for e in exc.errors(include_url=False, include_input=False)
            )
            raise ConfigError(f"mapping {origin or data.get('name', '(text)')}: {problems}") from None


# Columns the file connectors fill themselves (shipment_id defaults to "<source>:<source_row>").
_PROVIDED = frozenset({"source", "source_row", "shipment_id", "party_id"})


def load_preset(path: str | Path) -> MappingPreset:
    """Read a mapping from a TOML file.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.toml"
        >>> _ = path.write_text('name = "mine"\\ntable = "flows"\\n[columns.period]\\nfrom = "year"\\nparse = "period"\\n'
        ...     '[columns.freq]\\nvalue = "A"\\n[columns.reporter]\\nfrom = "r"\\nparse = "country"\\n'
        ...     '[columns.partner]\\nfrom = "p"\\nparse = "country"\\n[columns.flow]\\nvalue = "export"\\n'
        ...     '[columns.hs_code]\\nfrom = "hs"\\nparse = "hs"\\n', encoding="utf-8")
        >>> load_preset(path).name
        'mine'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"mapping {path}: cannot read: {exc.strerror}") from None
    return MappingPreset.from_toml(text, origin=str(path))


def builtin_presets() -> list[MappingPreset]:
    """The presets bundled with dualuse (registered by the built-in plugin).

    Examples:
        >>> sorted(p.name for p in builtin_presets())
        ['baci', 'bill-of-lading', 'comext', 'comtrade', 'ru-declarations']
    """
    folder = files("dualuse.connectors").joinpath("presets")
    return [
        MappingPreset.from_toml(entry.read_text(encoding="utf-8"), origin=f"dualuse:presets/{entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    ]


def presets() -> dict[str, MappingPreset]:
    """Every preset registered through the ``register_presets`` hook, by name.

    Examples:
        >>> presets()["ru-declarations"].table
        'shipments'
    """
    from dualuse.connectors.manager import get_plugin_manager

    found: dict[str, MappingPreset] = {}
    clashes: list[str] = []

    def register(preset: MappingPreset) -> None:
        if not isinstance(preset, MappingPreset):
            raise PluginError(f"register_presets: expected a MappingPreset, got {type(preset).__name__}")
        if preset.name in found and found[preset.name] != preset:
            clashes.append(f"preset {preset.name!r} is registered twice ({found[preset.name].origin}, {preset.origin})")
            return
        found[preset.name] = preset

    get_plugin_manager().hook.register_presets(register=register)
    if clashes:
        raise PluginError("; ".join(clashes))
    return dict(sorted(found.items()))


def get_preset(name: str) -> MappingPreset:
    """A registered preset by name, or a mapping file when ``name`` ends in ``.toml``.

    Examples:
        >>> get_preset("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        dualuse.errors.ConfigError: unknown preset 'nope'; known presets: baci, bill-of-lading, comext, comtrade, ...
    """
    if name.endswith(".toml"):
        return load_preset(name)
    known = presets()
    try:
        return known[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; known presets: {', '.join(known)}") from None


def identity_preset(table: Literal["shipments", "flows", "parties"], columns: Sequence[str]) -> MappingPreset:
    """A mapping for a file that already has canonical column names (extra columns are kept as text).

    Examples:
        >>> identity_preset("flows", ["period", "reporter", "note"]).columns["period"].parse
        'period'
    """
    schema = polars_schema(table)
    rules: dict[str, ColumnRule] = {}
    required = {n for n, f in record_model(table).model_fields.items() if f.is_required()}
    for name, dtype in schema.items():
        if name in ("source", "source_row") or (name not in columns and name in _PROVIDED):
            continue
        parse: Parse = "text"
        if name in ("period",):
            parse = "period"
        elif dtype == pl.Date:
            parse = "date"
        elif dtype == pl.Float64:
            parse = "number"
        elif dtype == pl.Int64:
            parse = "integer"
        elif name.endswith("country") or name in ("reporter", "partner"):
            parse = "country"
        elif name == "hs_code":
            parse = "hs"
        if isinstance(dtype, pl.List | pl.Struct):
            continue  # nested columns cannot come from a flat file
        rules[name] = ColumnRule.model_validate({"from": name, "parse": parse, "optional": name not in required})
    for name in columns:
        if name not in schema and name not in ("source", "source_row"):
            rules[name] = ColumnRule.model_validate({"from": name})
    return MappingPreset(name=f"identity-{table}", table=table, columns=rules, origin="identity")


@dataclass(frozen=True)
class CompiledMapping:
    """A preset compiled against one file's columns: expressions that run batch by batch.

    :meth:`prepare` cleans each input column once (``__t:<input>``) and computes each canonical
    column once (``__v:<target>``). A cell is bad when its text is present but its value could
    not be read: :attr:`checks` say so, as :class:`dualuse.rejects.Check` s, so that callers
    split rows with the cheap :func:`~dualuse.rejects.any_failed` and build reasons with
    :func:`~dualuse.rejects.first_failure` on the bad rows alone.
    """

    texts: dict[str, pl.Expr]
    values: dict[str, pl.Expr]
    checks: tuple[Check, ...]

    @property
    def targets(self) -> list[str]:
        """The canonical (and extra) columns the mapping produces, in order."""
        return list(self.values)

    def split(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """``(mapped good rows, bad input rows with a failure struct: column, value, reason)``."""
        work = self.prepare(batch.lazy()).with_columns(any_failed(self.checks).alias("__bad"))
        good = work.filter(~pl.col("__bad")).select(self.outputs())
        bad = work.filter(pl.col("__bad")).select(*batch.columns, first_failure(self.checks))
        accepted, rejected = pl.collect_all([good, bad])
        return accepted, rejected

    def prepare(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """``frame`` with the working columns added; lazy and row-wise, so it streams."""
        return frame.with_columns(**self.texts).with_columns(**{f"__v:{t}": v for t, v in self.values.items()})

    def outputs(self) -> list[pl.Expr]:
        """The mapped columns under their canonical names (over a frame from :meth:`prepare`)."""
        return [pl.col(f"__v:{t}").alias(t) for t in self.values]


@lru_cache(maxsize=65536)
def _country_or_none(value: str) -> str | None:
    from dualuse.geo import country

    try:
        return country(value.strip())
    except CountryError:
        return None


def _countries(series: pl.Series) -> pl.Series:
    """Resolve a batch of country cells, looking each distinct value up once."""
    distinct = series.drop_nulls().unique().to_list()
    table = {v: _country_or_none(v) for v in distinct}
    return series.replace_strict(table, default=None, return_dtype=pl.String)


def _numbers(series: pl.Series, *, decimal_comma: bool) -> pl.Series:
    """Cells as Float64: a plain cast first; only the cells it could not read are cleaned and tried again."""
    numbers = series.cast(pl.Float64, strict=False)
    retry = numbers.is_null() & series.is_not_null()
    if decimal_comma or retry.any():
        cleaned = series.filter(retry).str.replace_all(r"[\s\u00a0\u202f']", "")
        if decimal_comma:
            cleaned = cleaned.str.replace_all(",", ".", literal=True)
        numbers = numbers.scatter(retry.arg_true(), cleaned.cast(pl.Float64, strict=False))
    return numbers


def _dates(series: pl.Series, *, formats: tuple[str, ...]) -> pl.Series:
    """Cells as Date: each format is tried only on the cells the earlier ones could not read."""
    dates = series.str.to_date(formats[0], strict=False)
    for extra in formats[1:]:
        retry = dates.is_null() & series.is_not_null()
        if not retry.any():
            break
        dates = dates.scatter(retry.arg_true(), series.filter(retry).str.to_date(extra, strict=False))
    return dates


def _text(column: str, dtype: pl.DataType, *, strip: bool) -> pl.Expr:
    """The cell as text; ``strip`` trims it (empty becomes null). Parsers that ignore spaces skip this: it is costly."""
    expr = pl.col(column)
    if dtype == pl.Float64 or dtype == pl.Float32:
        # Excel and Parquet give codes such as 854231 as floats; print whole numbers without ".0".
        expr = (
            pl.when(expr == expr.round(0))
            .then(expr.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(expr.cast(pl.String))
        )
    elif dtype != pl.String:
        expr = expr.cast(pl.String)
    if not strip:
        return expr
    stripped = expr.str.strip_chars()
    # not .replace("", None): in the streaming engine that holds ~3x the file in memory (polars 2.1)
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _compile_rule(
    rule: ColumnRule,
    text: pl.Expr,
    value_col: pl.Expr,
    source: pl.Expr,
    dtype: pl.DataType,
    *,
    decimal_comma: bool,
    usd_rate: float | None,
) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None]:
    """(value over the text column, bad over value and text, reason over the text) for one rule."""
    raw = text
    map_reason: pl.Expr | None = None
    unmapped: pl.Expr | None = None
    if rule.map is not None:
        raw = text.replace_strict(rule.map, default=None, return_dtype=pl.String)
        unmapped = ~text.is_in(list(rule.map))
        map_reason = pl.format("expected one of {}: '{}'", pl.lit(", ".join(rule.map)), text)
    present = text.is_not_null()
    parse = rule.parse
    failed: pl.Expr | None = None
    reason: pl.Expr | None = None
    if parse == "text":
        value = raw
        failed = value_col.is_null() if rule.map is not None else None
    elif parse in ("number", "integer"):
        if dtype.is_numeric() and rule.map is None:
            number = source.cast(pl.Float64)
        else:
            number = raw.map_batches(
                partial(_numbers, decimal_comma=decimal_comma), return_dtype=pl.Float64, is_elementwise=True
            )
        factor = rule.scale * (usd_rate if rule.usd_rate and usd_rate is not None else 1.0)
        value = number * factor if factor != 1.0 else number
        if parse == "integer":
            value = value.round(0).cast(pl.Int64, strict=False)
        failed = value_col.is_null()
        if rule.usd_rate and usd_rate is None:
            value = pl.lit(None, pl.Float64)  # no rate given: the amount stays in its own column
            failed = number.is_null()
        reason = pl.format("not a number: '{}'", text)
    elif parse == "date":
        if dtype == pl.Date or isinstance(dtype, pl.Datetime):
            value = source.cast(pl.Date)
        else:
            value = raw.map_batches(
                partial(_dates, formats=tuple(rule.formats)), return_dtype=pl.Date, is_elementwise=True
            )
        failed = value_col.is_null()
        reason = pl.format("not a date ({}): '{}'", pl.lit(" or ".join(rule.formats)), text)
    elif parse in ("period", "freq"):
        digits = raw.str.replace_all(r"[-./\s]", "")
        month = digits.str.slice(4, 2)
        annual = (digits.str.len_chars() == 4) | (month == "52")
        well_formed = digits.str.contains(r"^[0-9]{4}([0-9]{2}([0-9]{2})?)?$")  # YYYY, YYYYMM, YYYYMMDD
        iso = pl.concat_str(digits.str.slice(0, 4), pl.when(annual).then(pl.lit("01")).otherwise(month), pl.lit("01"))
        date = pl.when(well_formed).then(iso.str.to_date("%Y%m%d", strict=False))
        value = (
            date
            if parse == "period"
            else pl.when(date.is_not_null()).then(pl.when(annual).then(pl.lit("A")).otherwise(pl.lit("M")))
        )
        failed = value_col.is_null()
        reason = pl.format("not a period (YYYY or YYYYMM): '{}'", text)
    elif parse == "country":
        value = raw.map_batches(_countries, return_dtype=pl.String, is_elementwise=True)
        failed = value_col.is_null()
        reason = pl.format("unknown country: '{}'", text)
    elif parse == "hs":
        digits = raw.str.replace_all(r"[\s.\-_/]", "")
        if rule.width:
            digits = pl.when(digits.str.len_chars() < rule.width).then(digits.str.zfill(rule.width)).otherwise(digits)
        value = digits
        failed = value_col.is_null() | ~value_col.str.contains(r"^(?:[0-9]{2}){1,6}$")
        reason = pl.format("not an HS code (2 to 12 digits, even; a lost leading zero needs width=): '{}'", text)
    else:  # bool
        lowered = raw.str.to_lowercase()
        value = pl.when(lowered.is_in(list(_TRUE))).then(True).when(lowered.is_in(list(_FALSE))).then(False)
        failed = value_col.is_null()
        reason = pl.format("not true/false: '{}'", text)
    if unmapped is not None and map_reason is not None:
        reason = map_reason if reason is None else pl.when(unmapped).then(map_reason).otherwise(reason)
    if failed is None or reason is None:
        return value, None, None
    return value, present & failed, reason


def _pick(rule_sources: list[str], columns: Sequence[str]) -> str | None:
    return next((c for c in rule_sources if c in columns), None)


def compile_mapping(
    preset: MappingPreset,
    schema: pl.Schema,
    *,
    file: str,
    usd_rate: float | None = None,
) -> CompiledMapping:
    """Compile ``preset`` for a file with ``schema``; InputError naming file and column when one is missing.

    Examples:
        >>> mapping = compile_mapping(get_preset("baci"), pl.Schema({c: pl.String for c in "tijkvq"}), file="b.csv")
        >>> good, bad = mapping.split(pl.DataFrame({"t": ["2023", "2023"], "i": ["156", "999"], "j": ["398", "398"],
        ...     "k": ["10121", "854231"], "v": ["1.5", "2"], "q": [None, "1"]}))
        >>> good.select("reporter", "hs_code", "value_usd").row(0), bad["failure"].struct.field("reason").to_list()
        (('CN', '010121', 1500.0), ["unknown country: '999'"])
        >>> compile_mapping(get_preset("baci"), pl.Schema({"t": pl.String}), file="b.csv")
        Traceback (most recent call last):
        dualuse.errors.InputError: b.csv, column i: mapped column missing (preset baci, for reporter); the file has: t
    """
    names = [name for name in schema if not name.startswith("__")]
    texts: dict[str, pl.Expr] = {}
    values: dict[str, pl.Expr] = {}
    checks: list[Check] = []

    def text_of(column: str, strip: bool = True) -> pl.Expr:
        key = f"__t:{column}" if strip else f"__r:{column}"
        texts[key] = _text(column, schema[column], strip=strip)
        return pl.col(key)

    for target, rule in preset.columns.items():
        if rule.value is not None:
            values[target] = pl.lit(rule.value)
            continue
        if rule.join is not None:
            parts: list[pl.Expr] = []
            for part in rule.join:
                options = _as_list(part) or []
                found = _pick(options, names)
                if found is None:
                    if rule.optional:
                        parts = []
                        break
                    raise _missing(file, options, preset, target, names)
                parts.append(text_of(found))
            values[target] = pl.concat_str(parts, separator=rule.sep) if parts else pl.lit(None, pl.String)
            continue
        options = rule.sources or []
        found = _pick(options, names)
        if found is None:
            if rule.optional:
                values[target] = pl.lit(None)
                continue
            raise _missing(file, options, preset, target, names)
        value, bad, reason = _compile_rule(
            rule,
            text_of(found, strip=rule.parse in ("text", "date", "bool") or rule.map is not None),
            pl.col(f"__v:{target}"),
            pl.col(found),
            schema[found],
            decimal_comma=preset.decimal_comma,
            usd_rate=usd_rate,
        )
        values[target] = value
        if bad is not None and reason is not None:
            checks.append(Check(found, bad, pl.col(found).cast(pl.String), reason))
    return CompiledMapping(texts, values, tuple(checks))


def _missing(file: str, options: list[str], preset: MappingPreset, target: str, names: list[str]) -> InputError:
    shown = ", ".join(names[:40]) + (", ..." if len(names) > 40 else "")
    wanted = " or ".join(options)
    return InputError(
        f"mapped column missing (preset {preset.name}, for {target}); the file has: {shown}", file=file, column=wanted
    )
