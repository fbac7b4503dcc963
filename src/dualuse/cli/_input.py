"""What commands read: files or workspace tables, through the front door (:mod:`dualuse.inputs`).

A spec with a file suffix (``.csv``, ``.tsv``, ``.txt``, ``.dat``, ``.parquet``, ``.xlsx``) is a file,
read as it is named (never as a pattern unless the command was given ``--glob``); any other spec
is the name of a table in the workspace (``dualuse ingest`` and ``dualuse fetch`` store them).
"""

from __future__ import annotations

import glob as globbing
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dualuse.errors import InputError

if TYPE_CHECKING:
    import polars as pl

    from dualuse.schema import Validated
    from dualuse.store import StoredTable, Workspace

__all__ = ["FILE_SUFFIXES", "read_canonical", "read_cells", "read_many", "resolve_specs"]

FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".dat", ".tab", ".parquet", ".xlsx", ".xls", ".xlsm")

_PATTERN = set("*?[")


def resolve_specs(
    specs: Sequence[str | Path], *, workspace: Workspace | None = None, glob: bool = False
) -> list[Path | StoredTable]:
    """Each spec as a file path or a stored table; with ``glob``, patterns expand to the files they match.

    Examples:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> for name in ("kz.csv", "kg.csv"): _ = (folder / name).write_text("x")
        >>> [p.name for p in resolve_specs([str(folder / "*.csv")], glob=True)]
        ['kg.csv', 'kz.csv']
        >>> resolve_specs([str(folder / "*.csv")])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        dualuse.errors.InputError: ...*.csv: no such file (a pattern is read as a pattern only with --glob)
    """
    from dualuse.store import Workspace

    found: list[Path | StoredTable] = []
    for spec in specs:
        path = Path(spec)
        if glob and _PATTERN & set(str(spec)) and not path.exists():
            matches = sorted(Path(p) for p in globbing.glob(str(spec)) if Path(p).is_file())
            if not matches:
                raise InputError("the pattern matches no file", file=str(spec))
            found.extend(matches)
        elif path.suffix.lower() in FILE_SUFFIXES or path.exists():
            if not path.is_file():
                hint = " (a pattern is read as a pattern only with --glob)" if _PATTERN & set(str(spec)) else ""
                raise InputError(f"no such file{hint}", file=str(spec))
            found.append(path)
        else:
            ws = workspace if workspace is not None else Workspace()
            found.append(ws.table(str(spec)))
    return found


def read_many(
    specs: Sequence[str | Path], table: str, *, workspace: Workspace | None = None, glob: bool = False
) -> Validated[pl.DataFrame]:
    """Several inputs read as one canonical table: accepted rows and rejected rows (each keeps its ``source``)."""
    import polars as pl

    from dualuse.inputs import read
    from dualuse.schema import Validated

    parts = [read(item, table) for item in resolve_specs(specs, workspace=workspace, glob=glob)]
    if len(parts) == 1:
        return parts[0]
    return Validated(
        accepted=pl.concat([p.accepted for p in parts], how="vertical_relaxed"),
        rejected=pl.concat([p.rejected for p in parts], how="diagonal_relaxed"),
    )


def read_canonical(spec: str | Path, table: str, *, what: str, workspace: Workspace | None = None) -> pl.DataFrame:
    """One input as canonical rows; a row that cannot be read is an :class:`InputError` naming file, row and column."""
    from dualuse.inputs import require

    (item,) = resolve_specs([spec], workspace=workspace)
    return require(item, table, what=what)


def read_cells(spec: str | Path, *, what: str, workspace: Workspace | None = None) -> pl.DataFrame:
    """One input's cells as they are (for tables that are not canonical, such as names to screen)."""
    from dualuse.inputs import frame

    (item,) = resolve_specs([spec], workspace=workspace)
    return frame(item, what=what)


def read_parties(spec: str | Path, *, name_column: str = "name", workspace: Workspace | None = None) -> pl.DataFrame:
    """A watch list or list of names: a list in its published layout is read by the connector that
    recognises it (``sdn.csv``, SDN_ENHANCED.XML, the CSL, EU, UK and OpenSanctions files); any
    other input as a table with a name column.

    A file that is neither says which ``dualuse fetch`` command loads such lists.
    """
    import polars as pl

    (item,) = resolve_specs([spec], workspace=workspace)
    if isinstance(item, Path):
        recognised = _recognised(item)
        if len(recognised) > 1:
            names = ", ".join(name for name, _ in recognised)
            raise InputError(f"several connectors read this file ({names}); use dualuse fetch NAME", file=str(item))
        if recognised:
            return _fetch(*recognised[0], item)
    from dualuse.inputs import frame as cells

    frame = cells(item, what="watchlist")
    if name_column not in frame.columns and "name" not in frame.columns:
        raise InputError(_not_a_parties_table(item, frame), file=str(item) if isinstance(item, Path) else None)
    if "identifiers" in frame.columns and not isinstance(frame.schema["identifiers"], pl.List):
        frame = frame.drop("identifiers")  # only structured (Parquet) identifiers can be compared
    return frame


def _recognised(path: Path) -> list[tuple[str, dict[str, object]]]:
    from dualuse.connectors import connectors

    found = []
    for name, connector in sorted(connectors().items()):
        if connector.table != "parties":
            continue
        settings = connector.recognises(path)
        if settings is not None:
            found.append((name, settings))
    return found


def _fetch(name: str, settings: dict[str, object], path: Path) -> pl.DataFrame:
    """The parties a connector reads from a local file (its rejected rows counted, not kept)."""
    import tempfile

    import polars as pl

    from dualuse.cli._output import note
    from dualuse.connectors import FetchContext, connectors

    connector = connectors()[name].from_settings(settings)
    with tempfile.TemporaryDirectory(prefix="dualuse-") as cache:
        context = FetchContext(Path(cache))
        fetched = connector.fetch(context)
        frames = [fetched.collect()] if isinstance(fetched, pl.LazyFrame) else list(fetched)
    rejected = sum(f.height for f in context.rejected)
    parties = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    refused = f"; {rejected:,} rows could not become parties" if rejected else ""
    note(f"{path.name}: read by the {name} connector, {parties.height:,} parties{refused}")
    return parties


def _not_a_parties_table(item: object, frame: pl.DataFrame) -> str:
    from dualuse.connectors import connectors

    lists = sorted(
        name for name, c in connectors().items() if c.table == "parties" and name not in ("csv", "excel", "parquet")
    )
    given = [c for c in frame.columns if c not in ("source", "source_row")]
    columns = ", ".join(given[:8]) + (", ..." if len(given) > 8 else "")
    numeric = any(c.replace(".", "").replace("-", "").isdigit() for c in given)
    hint = " Its first row looks like data, not a header." if numeric else ""
    known = (
        f" Published lists are loaded with `dualuse fetch CONNECTOR --set path=FILE` ({', '.join(lists)})."
        if lists
        else ""
    )
    return f"no name column (the file has: {columns}).{hint}{known}"
