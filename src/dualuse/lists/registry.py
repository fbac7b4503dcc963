"""Where lists come from: bundled data, user files (CSV or TOML), plugins and :func:`register`."""

from __future__ import annotations

import csv
import difflib
import io
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Union

from pydantic import ValidationError

from dualuse.errors import ListError
from dualuse.lists.model import DualUseList, ListItem, ListVersion, combine
from dualuse.plugins.host import get_plugin_manager

ListSpec = Union[str, DualUseList, Sequence[Union[str, DualUseList]]]  # noqa: UP007 (a runtime alias)
"""What every function that takes a dual-use list accepts: a name (``"chpl"``, ``"chpl@2023"``),
names separated by commas (``"chpl,uav"``), a CSV or TOML list file, a :class:`DualUseList`, or a
sequence of these (combined with :func:`~dualuse.lists.combine`)."""

__all__ = ["ListSpec", "available", "get", "load", "register", "resolve"]

_BUNDLED = ("chpl", "uav")
_REGISTERED: dict[tuple[str, str], DualUseList] = {}
_plugins_loaded = False


def _versions_of(data: dict[str, Any], origin: str) -> list[DualUseList]:
    """Build one :class:`DualUseList` per version from parsed TOML."""
    try:
        items = [ListItem(**{"source": data.get("source", ""), **raw}) for raw in data.get("items", [])]
        versions = [ListVersion(**v) for v in data.get("versions", [])] or [
            ListVersion(version=str(data.get("version", "1")))
        ]
        tiers = {t["tier"]: t.get("definition", "") for t in data.get("tiers", [])}
        return [
            DualUseList(
                name=data["name"],
                title=data.get("title", ""),
                version=v,
                hs_version=data.get("hs_version", "HS2022"),
                source=data.get("source", ""),
                tiers=tiers,
                items=tuple(i for i in items if i.code not in set(v.excludes)),
            )
            for v in versions
        ]
    except (KeyError, TypeError, ValidationError) as exc:
        raise ListError(f"{origin}: not a valid dual-use list: {exc}") from exc


@cache
def _bundled(name: str) -> tuple[DualUseList, ...]:
    text = files("dualuse.lists").joinpath("data", f"{name}.toml").read_text(encoding="utf-8")
    return tuple(_versions_of(tomllib.loads(text), f"bundled list {name}"))


def _load_plugin_lists() -> None:
    """Ask plugins (hook ``register_lists``) for their lists, once."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    get_plugin_manager().hook.register_lists(register=register)


def register(dual_use_list: DualUseList) -> None:
    """Make a list available to :func:`get` (used by plugins and by users' own code)."""
    _REGISTERED[(dual_use_list.name, dual_use_list.version.version)] = dual_use_list


def available() -> list[DualUseList]:
    """Every list in every version: bundled, registered and from plugins.

    Examples:
        >>> from dualuse import lists
        >>> sorted((l.name, str(l.version)) for l in lists.available() if l.name in ("chpl", "uav"))
        [('chpl', '2023'), ('chpl', '2024-02-23'), ('uav', '2022')]
    """
    _load_plugin_lists()
    found = {(lst.name, lst.version.version): lst for name in _BUNDLED for lst in _bundled(name)}
    found.update(_REGISTERED)
    return list(found.values())


def get(name: str, *, version: str | None = None) -> DualUseList:
    """A list by name; the latest version unless ``version`` is given.

    Examples:
        >>> from dualuse import lists
        >>> len(lists.get("chpl")), len(lists.get("chpl", version="2023"))
        (50, 45)
    """
    candidates = [lst for lst in available() if lst.name == name]
    if not candidates:
        names = sorted({lst.name for lst in available()})
        close = difflib.get_close_matches(name.casefold(), names, n=2, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise ListError(f"list {name!r}: unknown{hint} (available: {', '.join(names)})")
    if version is None:
        return max(
            candidates,
            key=lambda lst: (
                lst.version.published is not None,
                str(lst.version.published),
                lst.version.version,
            ),
        )
    for lst in candidates:
        if lst.version.version == version:
            return lst
    versions = ", ".join(sorted(lst.version.version for lst in candidates))
    raise ListError(f"list {name!r} has no version {version!r}; versions: {versions}")


def load(path: str | Path, *, name: str | None = None) -> DualUseList:
    """Load a user list from TOML (the bundled layout) or CSV (columns ``code`` and optionally
    ``tier, description, added, source``).

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
        >>> _ = p.write_text("code,tier\\n8542.31,critical\\n8806,drones\\n")
        >>> load(p).lookup("8806.22").tier
        'drones'
    """
    path = Path(path)
    if not path.exists():
        raise ListError(f"{path}: no such file")
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ListError(f"{path}: invalid TOML: {exc}") from exc
        data.setdefault("name", name or path.stem)
        return _versions_of(data, str(path))[-1]
    if path.suffix.lower() != ".csv":
        raise ListError(f"{path}: expected a .csv or .toml file")
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "code" not in reader.fieldnames:
        raise ListError(f"{path}: expected a 'code' column (found: {', '.join(reader.fieldnames or [])})")
    items = []
    for number, row in enumerate(reader, start=2):
        try:
            items.append(ListItem(**{k: v for k, v in row.items() if k and v not in (None, "")}))
        except ValidationError as exc:
            problem = exc.errors()[0]
            column = ".".join(str(p) for p in problem["loc"])
            raise ListError(f"{path}, row {number}, column {column}: {problem['msg']}") from None
    return DualUseList(name=name or path.stem, title=name or path.stem, source=str(path), items=tuple(items))


def resolve(spec: ListSpec | None) -> DualUseList | None:
    """The one meaning of a dual-use list argument everywhere in dualuse (see :data:`ListSpec`).

    Examples:
        >>> resolve("chpl@2023").version.version, len(resolve("chpl"))
        ('2023', 50)
        >>> resolve("chpl, uav").name, resolve(None) is None
        ('chpl+uav', True)
        >>> resolve("chlp")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        dualuse.errors.ListError: list 'chlp': unknown; did you mean chpl? (available: ...)
    """
    if spec is None:
        return None
    if isinstance(spec, DualUseList):
        return spec
    if isinstance(spec, str):
        parts: list[str | DualUseList] = [p.strip() for p in spec.split(",") if p.strip()]
        if not parts:
            raise ListError("list: empty name")
    elif isinstance(spec, Sequence):
        parts = list(spec)
        if not parts:
            raise ListError("list: an empty sequence names no list")
    else:
        raise ListError(f"list: expected a name, a DualUseList or several, got {type(spec).__name__}")
    found = [_one(part) for part in parts]
    try:
        return combine(*found)
    except ValueError as exc:
        raise ListError(str(exc)) from None


def _one(part: str | DualUseList) -> DualUseList:
    if isinstance(part, DualUseList):
        return part
    if not isinstance(part, str):
        raise ListError(f"list: expected a name or a DualUseList, got {type(part).__name__}")
    if part.lower().endswith((".csv", ".toml")):
        return load(part)
    name, _, version = part.partition("@")
    return get(name.strip(), version=version.strip() or None)
