"""The plugin host: one pluggy manager, safe entry-point loading, and the registries built from hooks.

Built-in connectors and presets are default plugins (always present). Third-party plugins are
entry points in the group ``dualuse``; each is loaded on its own, so a plugin that fails to import,
declares an incompatible ``DUALUSE_PLUGIN_API``, or raises inside a hook is *recorded* (entry
point, distribution, error) and everything else keeps working.

Environment:
    ``DUALUSE_PLUGINS``: comma-separated entry-point names to load; set but empty loads none
    (built-ins are always there). ``DUALUSE_TRACE_HOOKS=1``: trace every hook call to stderr.
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from dualuse._version import __version__
from dualuse.connectors import hookspecs
from dualuse.connectors.base import PLUGIN_API_VERSION, Connector, ConnectorConfig
from dualuse.errors import ConfigError, PluginError

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

ENTRY_POINT_GROUP = "dualuse"
BUILTIN_PLUGIN = "dualuse.builtin"
_BUILTIN_MODULES = ("dualuse.connectors.builtin",)
_TABLES = ("shipments", "flows", "parties")


@dataclass(frozen=True)
class LoadError:
    """A plugin that could not be loaded, or a hook of it that raised."""

    plugin: str
    distribution: str
    error: str


@dataclass
class _Origin:
    distribution: str
    version: str


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


@dataclass
class _State:
    manager: pluggy.PluginManager
    origins: dict[str, _Origin] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)


_lock = threading.Lock()
_state: _State | None = None


def _trace_writer(message: str) -> None:
    sys.stderr.write(message)


def _guard(function: Callable[..., Any], plugin: str, hook: str, state: _State) -> Callable[..., Any]:
    """Wrap a plugin's hook implementation so that an exception is recorded, not raised."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            origin = state.origins.get(plugin, _Origin("?", "?"))
            error = LoadError(plugin, origin.distribution, f"hook {hook} raised {type(exc).__name__}: {exc}")
            if error not in state.errors:  # hooks run again on every registry look-up
                state.errors.append(error)
            return None

    return guarded


class _GuardedPlugin:
    """A stand-in for a plugin object whose plain hook implementations are guarded."""

    def __init__(self, plugin: object, name: str, state: _State) -> None:
        self.__name__ = name
        self._module = getattr(plugin, "__name__", type(plugin).__name__)
        for attr in dir(plugin):
            if attr.startswith("_"):
                continue
            value = getattr(plugin, attr, None)
            options = getattr(value, f"{hookspecs.PROJECT}_impl", None)
            if not callable(value) or not isinstance(options, dict):
                continue
            if options.get("wrapper") or options.get("hookwrapper"):
                setattr(self, attr, value)  # wrappers are generators; pluggy reports their errors itself
            else:
                setattr(self, attr, _guard(value, name, attr, state))

    def __repr__(self) -> str:
        # pluggy names the plugin by its repr in errors ("unknown hook ... in plugin <this>").
        return f"plugin {self.__name__!r} ({self._module})"


def _selected() -> set[str] | None:
    raw = os.environ.get("DUALUSE_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _entry_points() -> Iterator[importlib.metadata.EntryPoint]:
    yield from importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def _load_entry_point(state: _State, entry_point: importlib.metadata.EntryPoint) -> None:
    dist = entry_point.dist
    origin = _Origin(dist.name if dist else "?", dist.version if dist else "?")
    name = entry_point.name
    if state.manager.has_plugin(name) or name in state.origins:
        state.errors.append(LoadError(name, origin.distribution, "another plugin already has this entry-point name"))
        return
    state.origins[name] = origin
    try:
        plugin = entry_point.load()
        declared = getattr(plugin, "DUALUSE_PLUGIN_API", PLUGIN_API_VERSION)
        if declared != PLUGIN_API_VERSION:
            raise PluginError(f"declares DUALUSE_PLUGIN_API = {declared!r}; this dualuse speaks {PLUGIN_API_VERSION}")
        state.manager.register(_GuardedPlugin(plugin, name, state), name=name)
        state.manager.check_pending()
    except Exception as exc:
        if state.manager.has_plugin(name):
            state.manager.unregister(name=name)
        state.errors.append(LoadError(name, origin.distribution, f"{type(exc).__name__}: {exc}"))


def _build() -> _State:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    state = _State(manager)
    for module_name in _BUILTIN_MODULES:
        module: ModuleType = importlib.import_module(module_name)
        manager.register(module, name=BUILTIN_PLUGIN)
    state.origins[BUILTIN_PLUGIN] = _Origin("dualuse", __version__)
    selected = _selected()
    for entry_point in _entry_points():
        if selected is None or entry_point.name in selected:
            _load_entry_point(state, entry_point)
    if os.environ.get("DUALUSE_TRACE_HOOKS", "").strip() not in ("", "0", "false", "no"):
        manager.trace.root.setwriter(_trace_writer)
        manager.enable_tracing()
    return state


def _get_state() -> _State:
    global _state
    with _lock:
        if _state is None:
            _state = _build()
        return _state


def get_plugin_manager() -> pluggy.PluginManager:
    """The one plugin manager, built on first use (built-ins registered, entry points loaded).

    Examples:
        >>> manager = get_plugin_manager()
        >>> manager.has_plugin("dualuse.builtin")
        True
    """
    return _get_state().manager


def reset_plugin_manager() -> None:
    """Forget the manager so that the next call rebuilds it (after changing ``DUALUSE_PLUGINS``).

    Examples:
        >>> reset_plugin_manager(); get_plugin_manager().has_plugin("dualuse.builtin")
        True
    """
    global _state
    with _lock:
        _state = None


def load_errors() -> list[LoadError]:
    """Plugins that failed to load and hooks that raised, in the order they happened."""
    return list(_get_state().errors)


def _origin_of(plugin_name: str) -> _Origin:
    state = _get_state()
    return state.origins.get(plugin_name, _Origin(plugin_name, "?"))


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
    """Call ``register_connectors`` plugin by plugin: name -> (class, plugin name), plus duplicate errors."""
    state = _get_state()
    found: dict[str, tuple[type[Connector[Any]], str]] = {}
    duplicates: list[str] = []
    for impl in reversed(state.manager.hook.register_connectors.get_hookimpls()):
        plugin_name = impl.plugin_name

        def register(cls: type[Connector[Any]], plugin_name: str = plugin_name) -> None:
            problem = _check_connector(cls)
            if problem is not None:
                error = LoadError(plugin_name, _origin_of(plugin_name).distribution, problem)
                if error not in state.errors:
                    state.errors.append(error)
                return
            if cls.name in found and found[cls.name][0] is not cls:
                first = _origin_of(found[cls.name][1]).distribution
                duplicates.append(
                    f"connector {cls.name!r} is registered twice: by distribution {first!r} "
                    f"(plugin {found[cls.name][1]!r}) and by distribution "
                    f"{_origin_of(plugin_name).distribution!r} (plugin {plugin_name!r}); uninstall one "
                    f"or limit plugins with DUALUSE_PLUGINS"
                )
                return
            found[cls.name] = (cls, plugin_name)

        if state.manager.is_blocked(plugin_name):
            continue
        # called plugin by plugin (to know who registered what), so trace it here as pluggy would
        state.manager.trace.root.get("hook")("register_connectors", f"[plugin {plugin_name}]")
        impl.function(register=register)
    return found, duplicates


def connectors() -> dict[str, type[Connector[Any]]]:
    """Every registered connector by name; :class:`PluginError` if two share a name.

    Examples:
        >>> sorted(name for name in connectors() if name in {"csv", "excel", "parquet"})
        ['csv', 'excel', 'parquet']
    """
    found, duplicates = _collect_connectors()
    if duplicates:
        raise PluginError("; ".join(duplicates))
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
    state = _get_state()
    found, duplicates = _collect_connectors()
    rows = []
    names = [name for name, _ in state.manager.list_name_plugin()]
    names += [e.plugin for e in state.errors if e.plugin not in names]
    for name in dict.fromkeys(names):
        origin = _origin_of(name)
        plugin = state.manager.get_plugin(name)
        hooks = tuple(sorted(c.name for c in state.manager.get_hookcallers(plugin) or [])) if plugin else ()
        own = sorted(n for n, (_, p) in found.items() if p == name)
        errors = [e.error for e in state.errors if e.plugin == name]
        errors += [d for d in duplicates if f"(plugin {name!r})" in d]
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
