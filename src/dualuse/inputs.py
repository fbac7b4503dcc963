"""The front door: whatever a user hands in, read as canonical rows; arguments read the same way.

Every public analysis function (:func:`~dualuse.flows.mirror`, :func:`~dualuse.flows.hubs`,
:func:`~dualuse.flows.surge`, :func:`~dualuse.trace.chains`, :func:`~dualuse.screening.screen`,
the report) reads its tables through :func:`read` or :func:`require`, so no algorithm sees raw
input:

- **containers**: a polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table, a mapping
  of columns, a stored workspace table (:class:`dualuse.store.StoredTable`);
- **files**: CSV and other delimited text (any delimiter; UTF-8 or cp1251), Parquet, Excel, or a
  list of files read as one table (the Kazakh, Kyrgyz and Russian extracts of one trace);
- **partitioned Parquet datasets**: a folder (hive-style ``key=value`` folders or not), a glob or an
  object storage URL, read as one table (:class:`dualuse.execution.Dataset`); the algorithms that
  run partitioned read them chunk by chunk instead (see "Scaling out");
- **cells** in every printed shape with one meaning (:mod:`dualuse.values`); every other cell
  rejects its row, with row, column, value and reason. Rows in = accepted + rejected, always.

Functions that return one frame (``mirror``, ``hubs``, ``surge``) refuse input with rejected rows
(:func:`require` raises an :class:`~dualuse.errors.InputError` naming the first and counting
them; :func:`read` lists them all); functions that return a result object (``chains``) keep the
rejected rows in it.

Arguments are read by :func:`as_date`, :func:`as_country`, :func:`as_countries` and
:func:`dualuse.lists.resolve`: dates as ``date``, ``datetime`` or ISO text, countries by any code or
name (``"KZ,KG"`` is two), lists by name, file or object. Unknown values are refused with the close
matches.

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"period": ["2023", "2023"], "reporter": ["China", "Kazakhstan"],
    ...     "partner": ["Kazakhstan", "China"], "flow": ["Export", "Import"],
    ...     "hs_code": ["8806.22", "8806 22"], "value_usd": [5.9e6, 6.1e6]})
    >>> result = read(frame, "flows")
    >>> result.accepted.select("freq", "reporter", "flow", "hs_code", "source", "source_row").rows()
    [('A', 'CN', 'export', '880622', 'input', 0), ('A', 'KZ', 'import', '880622', 'input', 1)]
    >>> as_date("2022-02-24"), as_countries("Kazakhstan, KGZ", what="hubs")
    (datetime.date(2022, 2, 24), ['KZ', 'KG'])
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from dualuse.errors import CountryError, InputError
from dualuse.execution.datasets import as_dataset, is_dataset
from dualuse.frames import as_frame, is_table
from dualuse.geo import SPECIAL_AREAS, country
from dualuse.rejects import any_failed, first_failure, make_rejects
from dualuse.schema import ReadOptions, Validated
from dualuse.schema import validate as validate_frame

if TYPE_CHECKING:
    from dualuse.connectors.builtin.files import FileConnector

__all__ = ["DateLike", "ReadOptions", "as_countries", "as_country", "as_date", "frame", "read", "require"]

DateLike = dt.date | str
"""A date as a ``date``, a ``datetime`` or ISO text (``"2022-02-24"``)."""

_TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".dat", ".tab")


def read(data: object, table: str, *, options: ReadOptions | None = None) -> Validated[pl.DataFrame]:
    """``data`` as canonical ``table``: accepted rows and rejected rows with their reasons.

    ``data`` is anything :func:`dualuse.schema.validate` reads, a file path, a list of file
    paths (read as one table; each row keeps its file as ``source``), or a stored workspace
    table. A file's ``source_row`` is the line a person sees when opening it (header = 1). See
    :class:`~dualuse.schema.ReadOptions` for the settings of cells whose shape does not settle
    them (``hs_width``, ``decimal_comma``, ``date_formats``, ``source``).

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "kz-exports.csv"
        >>> _ = path.write_text("date;hs_code;exporter_name;importer_country\\n"
        ...     "15.03.2023;8542.31.0000;TOO Alfa;Russia\\n15.03.2023;85x;TOO Alfa;RU\\n", encoding="utf-8")
        >>> result = read(path, "shipments")
        >>> result.accepted.select("shipment_id", "hs_code", "importer_country", "source_row").row(0)
        ('kz-exports.csv:2', '8542310000', 'RU', 2)
        >>> result.rejected.select("row", "source_row", "column", "reason").row(0)
        (1, '3', 'hs_code', "not an HS code (digits with optional separators): '85x'")
    """
    options = options or ReadOptions()
    paths = _paths(data)
    if paths is None:
        result = validate_frame(_stored(data), table, options=options)
        if isinstance(result.accepted, pl.LazyFrame):
            accepted, rejected = pl.collect_all([result.accepted, result.rejected])
            return Validated(accepted=accepted, rejected=rejected)
        return result
    parts = [_read_file(path, table, options) for path in paths]
    if len(parts) == 1:
        return parts[0]
    return Validated(
        accepted=pl.concat([p.accepted for p in parts], how="vertical_relaxed"),
        rejected=pl.concat([p.rejected for p in parts], how="diagonal_relaxed"),
    )


def require(
    data: object,
    table: str,
    *,
    what: str,
    options: ReadOptions | None = None,
    columns: Sequence[str] | None = None,
    dtypes: Mapping[str, pl.DataType] | None = None,
) -> pl.DataFrame:
    """``data`` as canonical ``table``, or an :class:`InputError` when any row cannot be read.

    ``what`` names the caller in the message (``"mirror"``). ``columns`` keeps only those columns
    and ``dtypes`` casts some of them (e.g. to Categorical) while a lazy input is read, so a
    BACI-sized year never exists in full width in memory.

    Examples:
        >>> frame = pl.DataFrame({"period": ["2023"], "reporter": ["CN"], "partner": ["Narnia"],
        ...     "flow": ["export"], "hs_code": ["880622"], "value_usd": [1.0]})
        >>> require(frame, "flows", what="mirror")
        Traceback (most recent call last):
        dualuse.errors.InputError: input, row 0, column partner: mirror: unknown country: 'Narnia' (1 of 1 rows cannot be read; dualuse.validate(data, 'flows') lists them)
    """
    options = options or ReadOptions()
    paths = _paths(data)
    if paths is None:
        return _required(as_frame(_stored(data), what=what), table, what, options, columns, dtypes)
    parts = []
    for path in paths:
        scanned = _scan_file(path, table, options)
        if scanned.refused is not None:
            refused = scanned.refused.with_columns(pl.len().alias("__rejected")).head(1).collect()
            if refused.height:
                raise _refusal(refused.row(0, named=True), None, what, table, file=path, first_row=scanned.first_row)
        parts.append(
            _required(scanned.rows, table, what, options, columns, dtypes, file=path, first_row=scanned.first_row)
        )
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical_relaxed")


def _required(
    frame: pl.DataFrame | pl.LazyFrame,
    table: str,
    what: str,
    options: ReadOptions,
    columns: Sequence[str] | None,
    dtypes: Mapping[str, pl.DataType] | None,
    *,
    file: Path | None = None,
    first_row: int = 0,
) -> pl.DataFrame:
    result = validate_frame(frame, table, options=options)
    accepted: pl.DataFrame | pl.LazyFrame = result.accepted
    if columns is not None:
        accepted = accepted.select(columns)
    if dtypes:
        accepted = accepted.with_columns(pl.col(name).cast(dtype) for name, dtype in dtypes.items())
    if isinstance(accepted, pl.LazyFrame) and isinstance(result.rejected, pl.LazyFrame):
        counted = result.rejected.with_columns(pl.len().alias("__rejected")).head(1)
        try:
            collected, first = pl.collect_all([accepted, counted], engine="streaming")
        except pl.exceptions.PolarsError as exc:
            where = str(file) if file is not None else what
            raise InputError(f"{what}: cannot read {where}: {str(exc).splitlines()[0]}") from None
    else:
        assert isinstance(accepted, pl.DataFrame) and isinstance(result.rejected, pl.DataFrame)
        collected = accepted
        first = result.rejected.with_columns(pl.len().alias("__rejected")).head(1)
    if first.height:
        raise _refusal(first.row(0, named=True), collected.height, what, table, file=file, first_row=first_row)
    return collected


def frame(data: object, *, what: str = "data") -> pl.DataFrame:
    """Any table or file(s) as one eager polars frame of its cells, as given (not read as a canonical table).

    For inputs that are not canonical tables, such as a list of company names to screen. Files
    keep their cells as text and gain ``source`` and ``source_row``.

    Examples:
        >>> import pyarrow as pa
        >>> frame(pa.table({"Company": ["ТОО Элем Групп"]}), what="parties").columns
        ['Company']
    """
    paths = _paths(data)
    if paths is None:
        found = as_frame(_stored(data), what=what)
        return found.collect() if isinstance(found, pl.LazyFrame) else found
    with tempfile.TemporaryDirectory(prefix="dualuse-") as cache:
        scans = [_scan_file(path, "parties", ReadOptions(), Path(cache)) for path in paths]
        refused = [s.refused for s in scans if s.refused is not None]
        for first in pl.collect_all([r.head(1) for r in refused]):
            if first.height:
                row = first.row(0, named=True)
                raise InputError(
                    str(row["reason"]), file=str(row["source"]), row=int(row["source_row"]), column="(record)"
                )
        try:
            return pl.concat(pl.collect_all([s.rows for s in scans]), how="diagonal_relaxed")
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"{what}: cannot read: {str(exc).splitlines()[0]}") from None


def _refusal(
    row: Mapping[str, object],
    accepted: int | None,
    what: str,
    table: str,
    *,
    file: Path | None = None,
    first_row: int = 0,
) -> InputError:
    """The error for input with unreadable rows: where the first is, and how many there are.

    A file is named with the line a person sees; a table in memory with its ``source`` and
    ``source_row`` when it has them, else with the row's position.
    """
    bad = int(str(row["__rejected"]))
    count = f"{bad:,} of {bad + accepted:,} rows" if accepted is not None else f"{bad:,} records"
    where: str | None
    if file is not None:
        given = row.get("source_row")
        refused_line = given is not None and accepted is None  # a record refused whole names its own line
        where, line = str(file), int(str(given)) if refused_line else int(str(row["row"])) + first_row
    else:
        source, given = row.get("source"), row.get("source_row")
        where = str(source) if source is not None else None
        line = int(str(given)) if given is not None and str(given).isdigit() else int(str(row["row"]))
    return InputError(
        f"{what}: {row['reason']} ({count} cannot be read; dualuse.validate(data, {table!r}) lists them)",
        file=where,
        row=line,
        column=str(row["column"]),
    )


def _stored(data: object) -> object:
    """A stored workspace table or a partitioned dataset as the LazyFrame of its rows; anything else as it is."""
    dataset = as_dataset(data)
    if dataset is not None:
        return dataset.scan()
    scan = getattr(data, "scan", None)
    if callable(scan) and type(data).__name__ == "StoredTable":
        return scan()
    return data


def _paths(data: object) -> list[Path] | None:
    """The file paths ``data`` names, or None when it is a table (or a partitioned dataset: a folder, glob or URL)."""
    if is_dataset(data):
        return None
    if isinstance(data, str | Path):
        return [Path(data)]
    if is_table(data) or type(data).__name__ == "StoredTable":
        return None
    if isinstance(data, Sequence) and data and all(isinstance(p, str | Path) for p in data):
        return [Path(p) for p in data]
    return None


def _connector(path: Path, table: str) -> FileConnector:  # type: ignore[type-arg]
    """The file connector that reads ``path`` (by its suffix), with canonical column names."""
    from dualuse.connectors.builtin.csv import CsvConnector
    from dualuse.connectors.builtin.excel import ExcelConnector
    from dualuse.connectors.builtin.parquet import ParquetConnector

    if not path.is_file():
        raise InputError("no such file", file=str(path))
    suffix = path.suffix.lower()
    settings = {"path": str(path), "table": table}
    if suffix == ".parquet":
        return ParquetConnector.from_settings(settings)
    if suffix in (".xlsx", ".xls", ".xlsm"):
        return ExcelConnector.from_settings(settings)
    if suffix in _TEXT_SUFFIXES:
        return CsvConnector.from_settings(settings)
    raise InputError(
        f"unknown file type {suffix!r}; expected {', '.join(_TEXT_SUFFIXES)}, .parquet or .xlsx", file=str(path)
    )


@dataclass(frozen=True)
class _FileRows:
    """A file's records as text (``source``, ``source_row`` added) and those refused whole before any cell is read."""

    rows: pl.LazyFrame
    refused: pl.LazyFrame | None
    first_row: int
    own_rows: bool  # the file has a source_row column of its own (a canonical export): its lines are not in it


def _scan_file(path: Path, table: str, options: ReadOptions, cache: Path | None = None) -> _FileRows:
    """A file's records as text, with ``source`` (the file name) and ``source_row`` (its line).

    Records the connector refuses whole (a CSV record with more or fewer cells than the header)
    are split off with their reasons, in the :mod:`dualuse.rejects` layout.
    """
    from dualuse.connectors.base import FetchContext
    from dualuse.connectors.builtin.files import LINE

    connector = _connector(path, table)
    cache_dir = cache or Path(tempfile.gettempdir()) / "dualuse-inputs"
    raw = connector.scan(FetchContext(cache_dir))
    names = raw.collect_schema().names()
    label = options.source or path.name
    checks = connector.record_checks()
    refused: pl.LazyFrame | None = None
    if checks:
        flagged = raw.with_columns(any_failed(checks).alias("__bad"))
        bad = flagged.filter(pl.col("__bad")).with_columns(first_failure(checks).alias("__why"))
        why = pl.col("__why").struct
        refused = make_rejects(
            bad.with_columns(pl.col(LINE).alias("source_row")),
            row=pl.col(LINE).cast(pl.Int64) - connector.first_row,
            column=why.field("column"),
            value=why.field("value"),
            reason=why.field("reason"),
        ).with_columns(pl.lit(label).alias("source"))
        raw = flagged.filter(~pl.col("__bad")).drop("__bad")
    raw = raw.drop(LINE) if "source_row" in names else raw.rename({LINE: "source_row"})
    if "source" not in names:
        raw = raw.with_columns(pl.lit(label).alias("source"))
    return _FileRows(raw, refused, connector.first_row, "source_row" in names)


def _read_file(path: Path, table: str, options: ReadOptions) -> Validated[pl.DataFrame]:
    with tempfile.TemporaryDirectory(prefix="dualuse-") as cache:
        scanned = _scan_file(path, table, options, Path(cache))
        lazy = validate_frame(scanned.rows, table, options=options)
        queries = [lazy.accepted, lazy.rejected, *([scanned.refused] if scanned.refused is not None else [])]
        try:
            accepted, rejected, *refused = pl.collect_all(queries)
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"cannot read: {str(exc).splitlines()[0]}", file=str(path)) from None
    if not scanned.own_rows:  # a rejected row's ``row`` counts records in the file, whatever was split off before
        line = pl.col("source_row").cast(pl.Int64)
        rejected = rejected.with_columns((line - scanned.first_row).cast(pl.UInt32).alias("row"))
    if refused:
        rejected = pl.concat([*refused, rejected], how="diagonal_relaxed").sort("row")
    return Validated(accepted=accepted, rejected=rejected)


# --- arguments ----------------------------------------------------------------------------------


def as_date(value: object, what: str = "date") -> dt.date:
    """A date from a ``date``, a ``datetime`` or ISO text (``2022-02-24``; ``24.02.2022`` too).

    Examples:
        >>> as_date(dt.datetime(2022, 2, 24, 5, 0)), as_date("24.02.2022")
        (datetime.date(2022, 2, 24), datetime.date(2022, 2, 24))
        >>> as_date("next spring", what="event")
        Traceback (most recent call last):
        dualuse.errors.InputError: event: 'next spring' is not a date (expected YYYY-MM-DD)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d.%m.%Y").date()):
            try:
                return parse(text)
            except ValueError:
                continue
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise InputError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)")


def as_country(value: object, what: str = "country", *, areas: bool | Collection[str] = False) -> str:
    """ISO alpha-2 from any code or name; ``areas`` allows statistical areas (``EU``, ``World``):
    all of them (True) or those named.

    Examples:
        >>> as_country("Kyrgyz Republic"), as_country("European Union", areas={"EU"})
        ('KG', 'EU')
        >>> as_country("XX", what="origin")
        Traceback (most recent call last):
        dualuse.errors.InputError: origin: 'XX' is Areas, not elsewhere specified, not a country
    """
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InputError(f"{what}: expected a country code or name, got {type(value).__name__}")
    try:
        code = country(value)
    except CountryError as exc:
        raise InputError(f"{what}: {exc}") from None
    allowed = SPECIAL_AREAS if areas is True else (areas or ())
    if code in SPECIAL_AREAS and code not in allowed:
        raise InputError(f"{what}: {value!r} is {SPECIAL_AREAS[code][0]}, not a country")
    return code


def as_countries(value: object, what: str = "countries", *, areas: bool | Collection[str] = False) -> list[str]:
    """Countries from a sequence or from text separated by commas, in order, without repeats.

    Examples:
        >>> as_countries(["KZ", "Kyrgyzstan", "KAZ"])
        ['KZ', 'KG']
        >>> as_countries("", what="hubs")
        Traceback (most recent call last):
        dualuse.errors.InputError: hubs: name at least one country
    """
    if isinstance(value, str):
        items: list[object] = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, Sequence | set | frozenset):
        items = list(value)
    else:
        raise InputError(
            f"{what}: expected countries (a list, or names separated by commas), got {type(value).__name__}"
        )
    if not items:
        raise InputError(f"{what}: name at least one country")
    return list(dict.fromkeys(as_country(item, what, areas=areas) for item in items))
