"""Manufacturers that announced they left Russia: a small bundled list with sources, extendable.

Examples:
    >>> frame = manufacturers()
    >>> frame.filter(pl.col("name") == "Intel Corporation")["announced"].item()
    datetime.date(2022, 4, 5)
    >>> register("Ostrava Discrete Ltd.", aliases=["Ostrava"], announced=dt.date(2022, 3, 9), source="example")
    >>> "Ostrava Discrete Ltd." in manufacturers()["name"].to_list()
    True
    >>> unregister("Ostrava Discrete Ltd.")
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path

import polars as pl

from dualuse.errors import InputError

__all__ = ["SCHEMA", "load", "manufacturers", "register", "unregister"]

SCHEMA = pl.Schema(
    {"name": pl.String(), "aliases": pl.List(pl.String()), "announced": pl.Date(), "source": pl.String()}
)
"""Columns of a list of exited manufacturers."""

_REGISTERED: dict[str, dict[str, object]] = {}


def _parse(text: str, origin: str) -> pl.DataFrame:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=origin) from None
    rows = []
    for number, entry in enumerate(data.get("manufacturer", [])):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("source"):
            raise InputError("each [[manufacturer]] needs a name and a source", file=origin, row=number)
        announced = entry.get("announced")
        if announced is not None and not isinstance(announced, dt.date):
            raise InputError(f"announced {announced!r}: expected a date", file=origin, row=number, column="announced")
        rows.append(
            {
                "name": entry["name"],
                "aliases": list(entry.get("aliases", [])),
                "announced": announced,
                "source": entry["source"],
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def load(path: str | Path) -> pl.DataFrame:
    """Read a TOML file of ``[[manufacturer]]`` entries (``name``, ``aliases``, ``announced``, ``source``).

    Examples:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.toml"
        >>> _ = path.write_text('[[manufacturer]]\\nname = "Acme"\\nsource = "press release, 2022-03-01"\\n')
        >>> load(path)["name"].to_list()
        ['Acme']
    """
    file = Path(path)
    if not file.exists():
        raise InputError("no such file", file=str(file))
    return _parse(file.read_text(encoding="utf-8"), str(file))


def register(name: str, *, aliases: list[str] | None = None, announced: dt.date | None = None, source: str) -> None:
    """Add a manufacturer for this process (a user's own research); ``source`` is required."""
    if not source:
        raise InputError(f"manufacturer {name!r}: a source is required", column="source")
    _REGISTERED[name] = {"name": name, "aliases": list(aliases or []), "announced": announced, "source": source}


def unregister(name: str) -> None:
    """Remove a manufacturer added with :func:`register` (see the module example)."""
    _REGISTERED.pop(name, None)


def manufacturers() -> pl.DataFrame:
    """The bundled list plus registered entries, one row per manufacturer.

    Examples:
        >>> manufacturers().columns
        ['name', 'aliases', 'announced', 'source']
    """
    text = resources.files("dualuse.trace").joinpath("data/exited_manufacturers.toml").read_text(encoding="utf-8")
    bundled = _parse(text, "dualuse/trace/data/exited_manufacturers.toml")
    extra = pl.DataFrame(list(_REGISTERED.values()), schema=SCHEMA, orient="row")
    return pl.concat([bundled, extra]).unique("name", keep="last", maintain_order=True)
