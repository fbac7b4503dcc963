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
constant). ``parse`` says how cells are read, with the parsers of :mod:`dualuse.values` that
every reader shares: ``text``, ``number`` (decimal commas and thousands separators; ``decimal_comma``
settles ``1,234``), ``integer``, ``date`` (with ``format``, one or several strptime patterns),
``period`` (``2023``, ``202301``, ``2023-01``, ``2023M01``, ``2023-01-01``: the first day of that
month or year; ``YYYY52`` is a year, as in Comext), ``freq`` (``A``/``M``, a word such as
``annual``, or the shape of such a period), ``country`` (any name or code :func:`dualuse.geo.country`
knows), ``hs`` (digits, separators removed, left-padded with zeros to ``width``; ``TOTAL`` for an
all-goods figure), ``choice`` (the canonical words of ``flow``, ``freq``, ``valuation`` or ``kind``
in any accepted spelling: ``X``, ``Export``, ``RX``), ``list`` (values separated by ``;``),
``identifiers`` (``INN:7701234567; BIN:...``) or ``bool``. ``map`` translates values (an unknown
value is a bad cell), ``scale`` multiplies numbers, ``usd_rate = true`` multiplies by the
connector's ``usd_rate`` setting, and
``optional = true`` allows the input column to be absent (the canonical column is then empty).

A cell that cannot be read quarantines its row with the reason; a mapped column that is absent
from the file is an :class:`~dualuse.errors.InputError` naming the file and the column.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Literal, Self

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dualuse.errors import ConfigError, InputError, PluginError
from dualuse.plugins.host import get_plugin_manager
from dualuse.rejects import Check, any_failed, first_failure
from dualuse.schema import parse_kinds, record_model
from dualuse.values import (
    CHOICES,
    DEFAULT_DATE_FORMATS,
    Parse,
    Parsed,
    cell_text,
    choice_key,
    parse_bool,
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
    """A mapping for a file whose columns carry the canonical names (extra columns are kept as text).

    Names match ignoring case, spaces, hyphens and underscores (``HS Code`` is ``hs_code``), and
    every column is read as :func:`dualuse.schema.validate` reads it; a flows file without ``freq``
    takes it from the shape of its periods.

    Examples:
        >>> preset = identity_preset("flows", ["Period", "reporter", "note"])
        >>> preset.columns["period"].sources, preset.columns["period"].parse, preset.columns["freq"].parse
        (['Period'], 'period', 'freq')
    """
    kinds = parse_kinds(table)
    by_key: dict[str, str] = {}
    for name in columns:
        by_key.setdefault(choice_key(name), name)
    required = {n for n, f in record_model(table).model_fields.items() if f.is_required()}
    rules: dict[str, ColumnRule] = {}
    used: set[str] = set()
    for name, kind in kinds.items():
        found = name if name in columns else by_key.get(choice_key(name))
        if name in ("source", "source_row") or (found is None and name in _PROVIDED):
            continue
        if found is None and name == "freq" and "period" in rules:
            found = rules["period"].sources[0] if rules["period"].sources else None
        rule = {"from": found or name, "parse": kind or "text", "optional": name not in required}
        rules[name] = ColumnRule.model_validate(rule)
        if found is not None:
            used.add(found)
    for name in columns:
        if name not in used and name not in rules and name not in ("source", "source_row"):
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
    packs: dict[str, pl.Expr] = field(default_factory=dict)  # parsers' value-and-filled structs

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
        return (
            frame.with_columns(**self.texts)
            .with_columns(**self.packs)
            .with_columns(**{f"__v:{t}": v for t, v in self.values.items()})
        )

    def outputs(self) -> list[pl.Expr]:
        """The mapped columns under their canonical names (over a frame from :meth:`prepare`)."""
        return [pl.col(f"__v:{t}").alias(t) for t in self.values]


def _compile_rule(
    rule: ColumnRule,
    target: str,
    text: pl.Expr,
    source: pl.Expr,
    dtype: pl.DataType,
    *,
    decimal_comma: bool,
    usd_rate: float | None,
) -> tuple[Parsed, pl.Expr | None]:
    """How one rule reads its column (:mod:`dualuse.values`), and the reason an unmapped value gets."""
    raw = text
    unmapped: pl.Expr | None = None
    if rule.map is not None:
        raw = text.replace_strict(rule.map, default=None, return_dtype=pl.String)
        unmapped = pl.when(~text.is_in(list(rule.map))).then(
            pl.format("expected one of {}: '{}'", pl.lit(", ".join(rule.map)), text)
        )
        dtype = pl.String()
        source = raw
    parse = rule.parse
    comma = True if decimal_comma else None
    parsed: Parsed
    if parse == "text":
        parsed = Parsed(raw, pl.lit("not mapped") if rule.map is not None else None)
    elif parse in ("number", "integer"):
        reader = parse_number if parse == "number" else parse_integer
        parsed = reader(raw, source, dtype, decimal_comma=comma)
        factor = rule.scale * (usd_rate if rule.usd_rate and usd_rate is not None else 1.0)
        if factor != 1.0:
            parsed = Parsed(parsed.value * factor, parsed.reason)

    elif parse == "date":
        parsed = parse_date(raw, source, dtype, formats=rule.formats)
    elif parse == "period":
        parsed = parse_period(raw, source, dtype)
    elif parse == "freq":
        parsed = parse_freq(raw)
    elif parse == "country":
        parsed = parse_country(raw)
    elif parse == "hs":
        parsed = parse_hs(raw, source, dtype, width=rule.width, total=target == "hs_code")
    elif parse == "choice":
        if target not in CHOICES:
            raise ConfigError(f"column {target}: parse = 'choice' needs one of {', '.join(CHOICES)}")
        parsed = parse_choice(raw, target)
    elif parse == "list":
        parsed = parse_list(raw, source, dtype)
    elif parse == "identifiers":
        parsed = parse_identifiers(raw, source, dtype)
    else:  # bool
        parsed = parse_bool(raw)
    return parsed, unmapped


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
    packs: dict[str, pl.Expr] = {}
    values: dict[str, pl.Expr] = {}
    checks: list[Check] = []

    def text_of(column: str, strip: bool = True) -> pl.Expr:
        key = f"__t:{column}" if strip else f"__r:{column}"
        texts[key] = cell_text(column, schema[column], strip=strip)
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
        # parsers that read distinct cells strip them themselves; plain text, booleans and maps need it done
        text = text_of(found, strip=rule.parse in ("text", "bool") or rule.map is not None)
        parsed, unmapped = _compile_rule(
            rule,
            target,
            text,
            pl.col(found),
            schema[found],
            decimal_comma=preset.decimal_comma,
            usd_rate=usd_rate,
        )
        present = text.is_not_null()
        value = parsed.expr
        if parsed.packed:
            packs[f"__p:{target}"] = parsed.expr
            stored = pl.col(f"__p:{target}")
            value = parsed.value_of(stored)
            filled = parsed.filled_of(stored)
            if rule.map is None and filled is not None:
                present = filled
        checked = pl.col(f"__v:{target}")
        if rule.usd_rate and usd_rate is None:  # no rate given: the amount stays in its own column
            checked, value = value, pl.lit(None, pl.Float64)
        values[target] = value
        reason = parsed.reason
        if unmapped is not None:
            reason = unmapped if reason is None else pl.coalesce(unmapped, reason)
        if reason is not None:
            bad = present & checked.is_null()
            checks.append(Check(found, bad, pl.col(found).cast(pl.String), reason))
    return CompiledMapping(texts, values, tuple(checks), packs)


def _missing(file: str, options: list[str], preset: MappingPreset, target: str, names: list[str]) -> InputError:
    shown = ", ".join(names[:40]) + (", ..." if len(names) > 40 else "")
    wanted = " or ".join(options)
    return InputError(
        f"mapped column missing (preset {preset.name}, for {target}); the file has: {shown}", file=file, column=wanted
    )
