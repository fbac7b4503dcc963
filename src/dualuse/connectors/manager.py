"""The connector registry, built from the ``register_connectors`` hook, and the report of every plugin.

The plugin host itself (the pluggy manager, safe loading, load errors) is :mod:`dualuse.plugins`;
its names are re-exported here for the code written against this module. A connector name
registered a second time is refused for the later registration only (recorded against its
plugin); the first keeps working, as does every other connector.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from dualuse.connectors.base import Connector, ConnectorConfig
from dualuse.errors import ConfigError
from dualuse.plugins.host import (
    BUILTIN_PLUGIN,
    ENTRY_POINT_GROUP,
    LoadError,
    call_per_plugin,
    get_plugin_manager,
    load_errors,
    plugin_origin,
    record_error,
    reset_plugin_manager,
)

__all__ = [
    "BUILTIN_PLUGIN",
    "ENTRY_POINT_GROUP",
    "LoadError",
    "PluginInfo",
    "connectors",
    "get_connector",
    "get_plugin_manager",
    "load_errors",
    "plugin_report",
    "reset_plugin_manager",
]

_TABLES = ("shipments", "flows", "parties")


@dataclass(frozen=True)
class PluginInfo:
    """One row of :func:`plugin_report`."""

    name: str
    version: str
    distribution: str
    hooks: tuple[str, ...]
    connectors: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def _check_connector(cls: object) -> str | None:
    """Why ``cls`` is not a valid connector class, or None."""
    if not (inspect.isclass(cls) and issubclass(cls, Connector)):
        return f"{cls!r} is not a subclass of dualuse.connectors.Connector"
    if not isinstance(getattr(cls, "name", None), str) or not cls.name:
        return f"{cls.__name__} has no name"
    if getattr(cls, "table", None) not in _TABLES:
        return f"{cls.__name__}.table must be one of {', '.join(_TABLES)}"
    model = getattr(cls, "config_model", None)
    if not (inspect.isclass(model) and issubclass(model, ConnectorConfig)):
        return f"{cls.__name__}.config_model must be a subclass of ConnectorConfig"
    if inspect.isabstract(cls):
        return f"{cls.__name__} does not implement fetch"
    return None


def _collect_connectors() -> tuple[dict[str, tuple[type[Connector[Any]], str]], list[str]]:
    """Call ``register_connectors`` plugin by plugin: name -> (class, plugin name), plus duplicate errors.

    Plugins are called in the order they were loaded (built-ins first), so of two connectors with
    one name the first registered is kept and the later one refused (and reported).
    """
    found: dict[str, tuple[type[Connector[Any]], str]] = {}
    duplicates: list[str] = []

    def make_register(plugin_name: str) -> Any:
        def register(cls: type[Connector[Any]]) -> None:
            problem = _check_connector(cls)
            if problem is not None:
                record_error(plugin_name, problem)
                return
            if cls.name in found and found[cls.name][0] is not cls:
                first = plugin_origin(found[cls.name][1]).distribution
                duplicates.append(
                    f"connector {cls.name!r} is registered twice: by distribution {first!r} "
                    f"(plugin {found[cls.name][1]!r}) and by distribution "
                    f"{plugin_origin(plugin_name).distribution!r} (plugin {plugin_name!r}); the later one is "
                    f"refused: uninstall one or limit plugins with DUALUSE_PLUGINS"
                )
                return
            found[cls.name] = (cls, plugin_name)

        return register

    call_per_plugin("register_connectors", make_register)
    return found, duplicates


def connectors() -> dict[str, type[Connector[Any]]]:
    """Every registered connector by name (of two with one name, the first registered; see :func:`plugin_report`).

    Examples:
        >>> sorted(name for name in connectors() if name in {"csv", "excel", "parquet"})
        ['csv', 'excel', 'parquet']
    """
    found, _ = _collect_connectors()
    return {name: cls for name, (cls, _) in sorted(found.items())}


def get_connector(name: str) -> type[Connector[Any]]:
    """The connector class called ``name``; :class:`ConfigError` listing the known names.

    Examples:
        >>> get_connector("csv").table
        'shipments'
        >>> get_connector("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        dualuse.errors.ConfigError: unknown connector 'nope'; known connectors: ...csv, ...excel, ...parquet...
    """
    known = connectors()
    try:
        return known[name]
    except KeyError:
        errors = [e for e in load_errors() if e.plugin == name]
        hint = f" (plugin {name!r} failed to load: {errors[0].error})" if errors else ""
        raise ConfigError(f"unknown connector {name!r}; known connectors: {', '.join(known) or 'none'}{hint}") from None


def plugin_report() -> list[PluginInfo]:
    """One row per plugin (loaded or failed): name, version, distribution, hooks, connectors, errors.

    Examples:
        >>> builtin = next(p for p in plugin_report() if p.name == "dualuse.builtin")
        >>> builtin.distribution, "register_connectors" in builtin.hooks
        ('dualuse', True)
    """
    manager = get_plugin_manager()
    found, duplicates = _collect_connectors()
    errors_now = load_errors()
    rows = []
    names = [name for name, _ in manager.list_name_plugin()]
    names += [e.plugin for e in errors_now if e.plugin not in names]
    for name in dict.fromkeys(names):
        origin = plugin_origin(name)
        plugin = manager.get_plugin(name)
        hooks = tuple(sorted(c.name for c in manager.get_hookcallers(plugin) or [])) if plugin else ()
        own = sorted(n for n, (_, p) in found.items() if p == name)
        errors = [e.error for e in errors_now if e.plugin == name]
        errors += [d for d in duplicates if f"(plugin {name!r}); the later one is refused" in d]
        rows.append(
            PluginInfo(
                name=name,
                version=origin.version,
                distribution=origin.distribution,
                hooks=hooks,
                connectors=tuple(own),
                tables=tuple(sorted({t for n in own for t in getattr(found[n][0], "tables", (found[n][0].table,))})),
                errors=tuple(dict.fromkeys(errors)),
            )
        )
    return rows
