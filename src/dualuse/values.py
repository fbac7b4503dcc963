"""Cells as real data print them, read into canonical values: one parser per kind of cell.

Customs extracts and statistics portals write the same value in many shapes: ``8542.31.0000``
and ``8542 31 000 0`` for an HS code, ``China``, ``CHN``, ``156`` and ``Китай`` for a country,
``Export`` or ``X`` for a flow, ``15.01.2023`` for a date, ``1 234,56`` for a number. Every reader
in dualuse — the front door (:func:`dualuse.schema.validate`, :mod:`dualuse.inputs`) and the file
connectors' column mappings (:mod:`dualuse.connectors.mapping`) — reads cells with these parsers,
so a value means the same whichever way it came in.

A parser takes the cell as stripped text (empty is null) plus the source column and its dtype (so
typed input, e.g. a ``Date`` column, skips the text path) and returns a :class:`Parsed`: the value
as a polars expression, null where the cell cannot be read, and the reason as an expression. A
cell is bad when its text is present and its value is null. Only values with one unambiguous
meaning are read; ``1,234`` (a thousands separator or a decimal comma?) and ``7101`` as an HS code
(a lost leading zero, or a typo?) are refused with a reason that says what to set.

Examples:
    >>> frame = pl.DataFrame({"c": ["8542.31.0000", "8542 31 000 0", "85x", "10121"]})
    >>> parsed = parse_hs(pl.col("c"), pl.col("c"), pl.String())
    >>> frame.select(parsed.value).to_series().to_list()
    ['8542310000', '8542310000', None, None]
    >>> frame.select(parsed.reason).to_series().to_list()[3]
    "odd number of digits, so a leading zero was probably lost: '10121' (give the code's width)"
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import polars as pl

from dualuse.errors import CountryError

__all__ = [
    "CHOICES",
    "DEFAULT_DATE_FORMATS",
    "HS_TOTAL",
    "Parse",
    "Parsed",
    "cell_text",
    "choice_key",
    "parse_bool",
    "parse_choice",
    "parse_country",
    "parse_date",
    "parse_freq",
    "parse_hs",
    "parse_identifiers",
    "parse_integer",
    "parse_list",
    "parse_number",
    "parse_period",
]

Parse = Literal[
    "text", "number", "integer", "date", "period", "freq", "country", "hs", "bool", "choice", "list", "identifiers"
]
"""The kinds of cell a column can hold (the ``parse`` of a mapping rule)."""

DEFAULT_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d")
"""Date shapes read by default: ISO 8601 (a time part is ignored), ``dd.mm.yyyy``, ``yyyymmdd``.
``01/02/2023`` is not among them: it is 1 February in Europe and 2 January in the US."""

HS_TOTAL = "TOTAL"
"""The ``hs_code`` of an all-goods total, as trade statistics publish it (flows only)."""

_TOTAL_WORDS = ("total", "all", "all goods", "all commodities", "ag0", "всего", "итого")

_TRUE = ("true", "1", "yes", "y", "t", "да")
_FALSE = ("false", "0", "no", "n", "f", "нет")


@dataclass(frozen=True)
class Parsed:
    """A parsed column: its value (null where unreadable) and the ``reason`` a bad cell is given.

    ``reason`` is ``None`` for parsers that cannot fail. Parsers that read each distinct cell once
    give ``packed`` results: ``expr`` is then a struct of ``value`` and ``filled`` (whether the
    cell held anything but blanks), computed in one pass. Callers that use both store ``expr`` in
    a column and read it back with :meth:`value_of` and :meth:`filled_of`; :attr:`value` is a
    shortcut for one-off use.
    """

    expr: pl.Expr
    reason: pl.Expr | None
    packed: bool = False

    @property
    def value(self) -> pl.Expr:
        """The parsed value as an expression."""
        return self.value_of(self.expr)

    def value_of(self, stored: pl.Expr) -> pl.Expr:
        """The value, from ``stored`` (where :attr:`expr` was put)."""
        return stored.struct.field("value") if self.packed else stored

    def filled_of(self, stored: pl.Expr) -> pl.Expr | None:
        """Whether each cell held anything, from ``stored``; None when the parser does not say."""
        return stored.struct.field("filled") if self.packed else None


def cell_text(column: str, dtype: pl.DataType, *, strip: bool = True) -> pl.Expr:
    """A column as text; ``strip`` trims it and turns empty cells into nulls.

    Floats that are whole numbers print without ``.0``: Excel and Parquet give codes such as
    854231 as floats.

    Examples:
        >>> pl.DataFrame({"x": [854231.0, 1.5, None]}).select(cell_text("x", pl.Float64())).to_series().to_list()
        ['854231', '1.5', None]
    """
    expr = pl.col(column)
    if dtype in (pl.Float64, pl.Float32):
        expr = (
            pl.when(expr.is_finite() & (expr == expr.round(0)))
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


def _quoted(text: pl.Expr) -> pl.Expr:
    return pl.format("'{}'", text)


def _per_distinct(cell: pl.Expr, read: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType) -> pl.Expr:
    """``read`` applied to each distinct stripped cell once, spread back over the rows.

    Codes, countries, flows and dates repeat: a 10-million-row column has a few thousand distinct
    cells, so reading those is several times cheaper than reading every row. Returns a struct of
    ``value`` and ``filled`` (the cell held more than blanks; see :class:`Parsed`). A column whose
    cells already are what ``read`` makes of them is passed through untouched.
    """
    packed = pl.Struct({"value": dtype, "filled": pl.Boolean})

    def apply(series: pl.Series) -> pl.Series:
        if series.dtype != pl.String:
            series = series.cast(pl.String)
        distinct = series.unique()
        cells = pl.DataFrame({"cell": distinct}).with_columns(_stripped(pl.col("cell")).alias("stripped"))
        read_back = cells.select(
            read(pl.col("stripped")).cast(dtype).alias("value"), pl.col("stripped").is_not_null().alias("filled")
        )
        if dtype == pl.String and read_back["value"].equals(distinct, null_equal=True):
            return pl.DataFrame({"value": series, "filled": series.is_not_null()}).to_struct(series.name)
        return series.replace_strict(distinct, read_back.to_struct(), default=None, return_dtype=packed)

    return cell.map_batches(apply, return_dtype=packed, is_elementwise=True)


def _stripped(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


# --- HS codes ---------------------------------------------------------------------------------


def parse_hs(
    text: pl.Expr, source: pl.Expr, dtype: pl.DataType, *, width: int | None = None, total: bool = False
) -> Parsed:
    """HS code digits from any printed shape: dots, spaces, dashes; national 8-12 digit codes.

    Integer (and whole float) columns have lost their leading zeros for certain: they are padded
    to ``width`` or to an even number of digits. Text with an odd number of digits is refused
    unless ``width`` says how many digits the code has. With ``total``, an all-goods total
    (``TOTAL``, ``All``, ``всего``) reads as :data:`HS_TOTAL`.

    Examples:
        >>> frame = pl.DataFrame({"n": [10121, 854231], "t": ["TOTAL", "0101.21"]})
        >>> frame.select(parse_hs(pl.col("n"), pl.col("n"), pl.Int64()).value).to_series().to_list()
        ['010121', '854231']
        >>> frame.select(parse_hs(pl.col("t"), pl.col("t"), pl.String(), total=True).value).to_series().to_list()
        ['TOTAL', '010121']
    """
    as_text = text if dtype == pl.String else source.cast(pl.String)
    if dtype.is_integer() or dtype.is_float():
        digits = cell_text_of_number(source)
        padded = (
            digits.str.zfill(width) if width else digits.str.zfill(digits.str.len_chars() + digits.str.len_chars() % 2)
        )
        value, packed = _well_formed_hs(padded), False
    else:
        value, packed = _per_distinct(text, lambda cell: _hs_from_text(cell, width, total), pl.String()), True
        digits = text.str.strip_chars().str.replace_all(r"[\s.\-_/]", "")
    length = digits.str.len_chars()
    reason = (
        pl.when(~digits.str.contains(r"^[0-9]+$"))
        .then(pl.format("not an HS code (digits with optional separators): {}", _quoted(as_text)))
        .when(length % 2 == 1)
        .then(
            pl.format(
                "odd number of digits, so a leading zero was probably lost: {} (give the code's width)",
                _quoted(as_text),
            )
        )
        .otherwise(pl.format("not an HS code (2 to 12 digits): {}", _quoted(as_text)))
    )
    return Parsed(value, reason, packed)


def _well_formed_hs(digits: pl.Expr) -> pl.Expr:
    length = digits.str.len_chars()
    return pl.when(digits.str.contains(r"^[0-9]+$") & (length >= 2) & (length <= 12) & (length % 2 == 0)).then(digits)


def _hs_from_text(text: pl.Expr, width: int | None, total: bool) -> pl.Expr:
    digits = text.str.replace_all(r"[\s.\-_/]", "")
    if width:
        digits = pl.when(digits.str.len_chars() < width).then(digits.str.zfill(width)).otherwise(digits)
    value = _well_formed_hs(digits)
    if total:
        words = text.str.to_lowercase().str.replace_all(r"[\s_\-]+", " ")
        value = pl.when(words.is_in(list(_TOTAL_WORDS))).then(pl.lit(HS_TOTAL)).otherwise(value)
    return value


def cell_text_of_number(source: pl.Expr) -> pl.Expr:
    """A numeric column's whole numbers as digits (null for negative or fractional values)."""
    whole = pl.when((source >= 0) & (source == source.round(0))).then(source)
    return whole.cast(pl.Int64, strict=False).cast(pl.String)


# --- countries --------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _country_or_none(value: str) -> str | None:
    from dualuse.geo import country

    try:
        return country(value.strip())
    except CountryError:
        return None


def _countries(cells: pl.Series) -> pl.Series:
    """Distinct country cells resolved one by one (they are few)."""
    return pl.Series([None if c is None else _country_or_none(c) for c in cells.to_list()], dtype=pl.String)


def parse_country(text: pl.Expr) -> Parsed:
    """ISO 3166-1 alpha-2 from any code or name :func:`dualuse.geo.country` knows.

    That is alpha-2, alpha-3, M49 and UN Comtrade numbers, English and Russian names, and the
    areas statistics report as partners (``World``, ``EU``, areas not elsewhere specified).

    Examples:
        >>> frame = pl.DataFrame({"c": ["China", "KGZ", "398", "Россия", "European Union", "Narnia"]})
        >>> frame.select(parse_country(pl.col("c")).value).to_series().to_list()
        ['CN', 'KG', 'KZ', 'RU', 'EU', None]
    """
    value = _per_distinct(text, lambda cell: cell.map_batches(_countries, return_dtype=pl.String), pl.String())
    return Parsed(value, pl.format("unknown country: {}", _quoted(text)), packed=True)


# --- numbers ----------------------------------------------------------------------------------

_THOUSANDS_ONLY = r"^[+-]?[0-9]{1,3}([,][0-9]{3}){2,}$"
_DOTTED_THOUSANDS = r"^[+-]?[0-9]{1,3}([.][0-9]{3}){2,}$"
_AMBIGUOUS = r"^[+-]?[1-9][0-9]{0,2}[,][0-9]{3}$"


def parse_number(text: pl.Expr, source: pl.Expr, dtype: pl.DataType, *, decimal_comma: bool | None = None) -> Parsed:
    """A finite Float64 from numbers as people print them.

    Spaces, non-breaking spaces and apostrophes are thousands separators. With
    ``decimal_comma=None`` the separator that comes last is the decimal one (``1.234,56`` and
    ``1,234.56`` both read 1234.56, ``1234,5`` reads 1234.5), and a lone comma followed by exactly
    three digits (``1,234``) is refused as ambiguous; ``True`` or ``False`` settle it for the
    column. ``NaN``, ``inf`` and overflowing numbers (``1e400``) are refused: a figure that is not
    finite is not a figure.

    Examples:
        >>> frame = pl.DataFrame({"v": ["1 234,56", "1,234.56", "1.234.567", "1,234", "NaN", "12"]})
        >>> frame.select(parse_number(pl.col("v"), pl.col("v"), pl.String()).value).to_series().to_list()
        [1234.56, 1234.56, 1234567.0, None, None, 12.0]
        >>> frame.select(parse_number(pl.col("v"), pl.col("v"), pl.String()).reason).to_series().to_list()[3]
        "ambiguous number '1,234': a thousands separator or a decimal comma? (set decimal_comma)"
    """
    if dtype.is_numeric():
        number = source.cast(pl.Float64)
        return Parsed(pl.when(number.is_finite()).then(number), pl.format("not a finite number: {}", _quoted(text)))
    plain = text.cast(pl.Float64, strict=False)
    squeezed = text.str.replace_all(r"[\s\u00a0\u202f']", "")
    if decimal_comma is True:
        cleaned = squeezed.str.replace_all(".", "", literal=True).str.replace_all(",", ".", literal=True)
        ambiguous = pl.lit(False)
    elif decimal_comma is False:
        cleaned = squeezed.str.replace_all(",", "", literal=True)
        ambiguous = pl.lit(False)
    else:
        last = squeezed.str.extract(r"([.,])[0-9]*$", 1)
        comma_decimal = (last == ",") & ~squeezed.str.contains(_THOUSANDS_ONLY)
        dot_thousands = squeezed.str.contains(_DOTTED_THOUSANDS)
        cleaned = (
            pl.when(comma_decimal)
            .then(squeezed.str.replace_all(".", "", literal=True).str.replace_all(",", ".", literal=True))
            .when(dot_thousands)
            .then(squeezed.str.replace_all(".", "", literal=True))
            .otherwise(squeezed.str.replace_all(",", "", literal=True))
        )
        ambiguous = squeezed.str.contains(_AMBIGUOUS)
    number = pl.coalesce(
        plain if decimal_comma is not True else pl.lit(None, pl.Float64), cleaned.cast(pl.Float64, strict=False)
    )
    value = pl.when(~ambiguous & number.is_finite()).then(number)
    reason = (
        pl.when(ambiguous)
        .then(
            pl.format(
                "ambiguous number {}: a thousands separator or a decimal comma? (set decimal_comma)", _quoted(text)
            )
        )
        .when(number.is_not_null())
        .then(pl.format("not a finite number: {}", _quoted(text)))
        .otherwise(pl.format("not a number: {}", _quoted(text)))
    )
    return Parsed(value, reason)


def parse_integer(text: pl.Expr, source: pl.Expr, dtype: pl.DataType, *, decimal_comma: bool | None = None) -> Parsed:
    """A whole number as Int64 (``3.0`` reads 3, ``3.5`` is refused).

    Examples:
        >>> frame = pl.DataFrame({"n": ["3", "3.0", "3.5", "1 200"]})
        >>> frame.select(parse_integer(pl.col("n"), pl.col("n"), pl.String()).value).to_series().to_list()
        [3, 3, None, 1200]
    """
    if dtype.is_integer():
        return Parsed(source.cast(pl.Int64), None)
    number = parse_number(text, source, dtype, decimal_comma=decimal_comma).value
    value = pl.when(number == number.round(0)).then(number.cast(pl.Int64, strict=False))
    return Parsed(value, pl.format("not a whole number: {}", _quoted(text)))


# --- dates and periods ------------------------------------------------------------------------


def parse_date(
    text: pl.Expr, source: pl.Expr, dtype: pl.DataType, *, formats: Sequence[str] = DEFAULT_DATE_FORMATS
) -> Parsed:
    """A Date from ``date``/``datetime`` columns or text in one of ``formats`` (strptime patterns).

    ISO text with a time part (``2023-01-15T10:30:00``) reads as its date.

    Examples:
        >>> frame = pl.DataFrame({"d": ["2023-01-15", "15.01.2023", "2023-01-15T10:30:00", "01/15/2023"]})
        >>> frame.select(parse_date(pl.col("d"), pl.col("d"), pl.String()).value).to_series().cast(pl.String).to_list()
        ['2023-01-15', '2023-01-15', '2023-01-15', None]
    """
    if dtype == pl.Date:
        return Parsed(source, None)
    if isinstance(dtype, pl.Datetime):
        return Parsed(source.dt.date(), None)

    def read(cell: pl.Expr) -> pl.Expr:
        candidates = [cell.str.to_date(fmt, strict=False) for fmt in formats]
        if "%Y-%m-%d" in formats:  # ISO 8601 with a time part
            iso_time = pl.when(cell.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]")).then(cell.str.slice(0, 10))
            candidates.append(iso_time.str.to_date("%Y-%m-%d", strict=False))
        return pl.coalesce(candidates)

    value = _per_distinct(text, read, pl.Date())
    return Parsed(value, pl.format("not a date ({}): {}", pl.lit(" or ".join(formats)), _quoted(text)), packed=True)


def _period_digits(text: pl.Expr) -> pl.Expr:
    # 2023, 202301, 2023-01, 2023/01, 2023.01, 2023M01, 2023-M01, 2023-01-01 -> digits only
    return text.str.replace_all(r"^([0-9]{4})[-./\s]?[Mm]?([0-9]{2})", "${1}${2}").str.replace_all(r"[-./\s]", "")


def parse_period(text: pl.Expr, source: pl.Expr, dtype: pl.DataType) -> Parsed:
    """The first day of a month or year from ``2023``, ``202301``, ``2023-01``, ``2023M01``, ``2023-01-01`` or a date.

    ``YYYY52`` is a year (Eurostat Comext). A date must be the first day of its month.

    Examples:
        >>> frame = pl.DataFrame({"p": ["2023", "2023-05", "2023M05", "202305", "202352", "2023-05-17"]})
        >>> frame.select(parse_period(pl.col("p"), pl.col("p"), pl.String()).value).to_series().cast(pl.String).to_list()
        ['2023-01-01', '2023-05-01', '2023-05-01', '2023-05-01', '2023-01-01', None]
    """
    reason = pl.format("not a period (YYYY, YYYY-MM or the first day of a month): {}", _quoted(text))
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        day = source.cast(pl.Date)
        return Parsed(pl.when(day.dt.day() == 1).then(day), reason)
    return Parsed(_per_distinct(text, _period_from_text, pl.Date()), reason, packed=True)


def _period_from_text(text: pl.Expr) -> pl.Expr:
    digits = _period_digits(text)
    month = digits.str.slice(4, 2)
    annual = (digits.str.len_chars() == 4) | (month == "52")
    day = digits.str.slice(6, 2)
    well_formed = digits.str.contains(r"^[0-9]{4}([0-9]{2}([0-9]{2})?)?$") & ((day == "") | (day == "01"))
    iso = pl.concat_str(digits.str.slice(0, 4), pl.when(annual).then(pl.lit("01")).otherwise(month), pl.lit("01"))
    return pl.when(well_formed).then(iso.str.to_date("%Y%m%d", strict=False))


def _period_freq(text: pl.Expr) -> pl.Expr:
    """``A`` or ``M`` from a period's printed shape (null when the shape does not say)."""
    digits = _period_digits(text)
    length = pl.when(digits.str.contains(r"^[0-9]+$")).then(digits.str.len_chars())
    return (
        pl.when((length == 4) | ((length == 6) & (digits.str.slice(4, 2) == "52")))
        .then(pl.lit("A"))
        .when(length == 6)
        .then(pl.lit("M"))
    )


def parse_freq(text: pl.Expr) -> Parsed:
    """``A`` or ``M`` from a word (``annual``, ``Y``, ``monthly``) or from a period's shape (``2023`` -> A).

    Examples:
        >>> frame = pl.DataFrame({"f": ["A", "monthly", "Y", "2023", "2023-05", "weekly"]})
        >>> frame.select(parse_freq(pl.col("f")).value).to_series().to_list()
        ['A', 'M', 'A', 'A', 'M', None]
    """
    words = CHOICES["freq"]

    def read(cell: pl.Expr) -> pl.Expr:
        key = cell.str.to_lowercase().str.replace_all(r"[\s\-_]", "")
        return pl.coalesce(key.replace_strict(words, default=None, return_dtype=pl.String), _period_freq(cell))

    value = _per_distinct(text, read, pl.String())
    return Parsed(value, pl.format("not a frequency (A for annual, M for monthly): {}", _quoted(text)), packed=True)


# --- choices, booleans, lists -----------------------------------------------------------------

CHOICES: dict[str, dict[str, str]] = {
    "flow": {
        "export": "export", "exports": "export", "x": "export", "e": "export", "exp": "export",
        "dx": "export", "domesticexport": "export", "экспорт": "export",
        "import": "import", "imports": "import", "m": "import", "i": "import", "imp": "import",
        "импорт": "import",
        "reexport": "re-export", "reexports": "re-export", "rx": "re-export", "реэкспорт": "re-export",
        "reimport": "re-import", "reimports": "re-import", "rm": "re-import", "реимпорт": "re-import",
    },
    "freq": {"a": "A", "y": "A", "annual": "A", "yearly": "A", "year": "A", "m": "M", "monthly": "M", "month": "M"},
    "valuation": {"cif": "CIF", "fob": "FOB"},
    "kind": {
        "company": "company", "entity": "company", "legalentity": "company", "business": "company",
        "organization": "organization", "organisation": "organization",
        "person": "person", "individual": "person",
        "vessel": "vessel", "ship": "vessel", "aircraft": "aircraft", "unknown": "unknown",
    },
}  # fmt: skip
"""Accepted spellings of the canonical vocabularies, keyed by :func:`choice_key` (case, spaces,
hyphens and underscores do not count: ``Re-Export``, ``re_exports`` and ``RX`` are all ``re-export``)."""


def choice_key(value: str) -> str:
    """How a vocabulary word is compared: NFKC, case-folded, without spaces, hyphens and underscores.

    Examples:
        >>> choice_key(" Re-Export "), choice_key("RE_EXPORTS")
        ('reexport', 'reexports')
    """
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if ch not in " -_\u00a0")


def parse_choice(text: pl.Expr, vocabulary: str) -> Parsed:
    """A canonical word of ``vocabulary`` (a key of :data:`CHOICES`) from any accepted spelling.

    Examples:
        >>> frame = pl.DataFrame({"f": ["Export", "M", "Re-Export", "transit"]})
        >>> frame.select(parse_choice(pl.col("f"), "flow").value).to_series().to_list()
        ['export', 'import', 're-export', None]
    """
    words = CHOICES[vocabulary]

    def read(cell: pl.Expr) -> pl.Expr:
        key = cell.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"[\s\-_\u00a0]", "")
        return key.replace_strict(words, default=None, return_dtype=pl.String)

    value = _per_distinct(text, read, pl.String())
    allowed = ", ".join(sorted(set(words.values())))
    return Parsed(value, pl.format("expected one of {}: {}", pl.lit(allowed), _quoted(text)), packed=True)


def parse_bool(text: pl.Expr) -> Parsed:
    """True or false from ``true/false``, ``1/0``, ``yes/no``, ``да/нет``.

    Examples:
        >>> pl.DataFrame({"b": ["Yes", "0", "maybe"]}).select(parse_bool(pl.col("b")).value).to_series().to_list()
        [True, False, None]
    """
    lowered = text.str.to_lowercase()
    value = pl.when(lowered.is_in(list(_TRUE))).then(True).when(lowered.is_in(list(_FALSE))).then(False)
    return Parsed(value, pl.format("not true/false: {}", _quoted(text)))


def parse_list(text: pl.Expr, source: pl.Expr, dtype: pl.DataType, *, sep: str = ";") -> Parsed:
    """A list of text from a list column, or from text with values separated by ``sep``.

    Examples:
        >>> frame = pl.DataFrame({"a": ["ELEM GROUP; ЭЛЕМ ГРУПП", None]})
        >>> frame.select(parse_list(pl.col("a"), pl.col("a"), pl.String()).value).to_series().to_list()
        [['ELEM GROUP', 'ЭЛЕМ ГРУПП'], None]
    """
    if isinstance(dtype, pl.List):
        return Parsed(source.cast(pl.List(pl.String)), None)
    parts = (
        text.str.split(sep)
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element().str.len_bytes() > 0))
    )
    return Parsed(parts, None)


_IDENTIFIER = pl.Struct({"scheme": pl.String, "value": pl.String})


def parse_identifiers(text: pl.Expr, source: pl.Expr, dtype: pl.DataType, *, sep: str = ";") -> Parsed:
    """Identifiers (``{scheme, value}``) from a list of structs or text such as ``INN:7701234567; BIN:220340015717``.

    Examples:
        >>> frame = pl.DataFrame({"i": ["INN: 7701234567; bin:220340015717", "7701234567"]})
        >>> out = frame.select(parse_identifiers(pl.col("i"), pl.col("i"), pl.String()).value).to_series()
        >>> out.to_list()[0], out.to_list()[1]
        ([{'scheme': 'INN', 'value': '7701234567'}, {'scheme': 'BIN', 'value': '220340015717'}], None)
    """
    if isinstance(dtype, pl.List):
        return Parsed(source, None)
    item = pl.element().str.strip_chars()
    pairs = text.str.split(sep).list.eval(item.filter(item.str.len_bytes() > 0))
    well_formed = pairs.list.eval(pl.element().str.contains(r"^[^:]+:\s*\S")).list.all()
    structs = pairs.list.eval(
        pl.struct(
            pl.element().str.extract(r"^([^:]+):", 1).str.strip_chars().str.to_uppercase().alias("scheme"),
            pl.element().str.extract(r"^[^:]+:\s*(.+)$", 1).str.strip_chars().alias("value"),
        )
    )
    value = pl.when(well_formed).then(structs.cast(pl.List(_IDENTIFIER)))
    return Parsed(value, pl.format("not identifiers (SCHEME:value; ...): {}", _quoted(text)))
