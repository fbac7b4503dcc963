"""The plugin host: one pluggy manager, safe entry-point loading, and the registries built from hooks.

Built-in connectors and presets are default plugins (always present). Third-party plugins are
entry points in the group ``dualuse``; each is loaded on its own, so a plugin that fails to import
(even with ``sys.exit()`` or another ``BaseException``), does not finish importing within the
timeout, declares an incompatible ``DUALUSE_PLUGIN_API``, or raises inside a hook is *recorded*
(entry point, distribution, error) and everything else keeps working. A connector name registered
a second time is refused for the later registration only (recorded against its plugin); the
first keeps working, as does every other connector.

Environment:
    ``DUALUSE_PLUGINS``: comma-separated entry-point names to load; set but empty loads none
    (built-ins are always there). ``DUALUSE_TRACE_HOOKS=1``: trace every hook call to stderr.
    ``DUALUSE_TRACE_PLUGINS=1`` (``dualuse plugins --trace``): name each plugin on stderr as it is
    imported, so the last line names one that hangs. ``DUALUSE_PLUGIN_TIMEOUT``: seconds one
    plugin's import may take (default 30); a plugin still importing then is reported and skipped.
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import os
import sys
import threading
import time
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
_DEFAULT_IMPORT_TIMEOUT = 30.0


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
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: a plugin never ends the host
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


def _flag(variable: str) -> bool:
    return os.environ.get(variable, "").strip() not in ("", "0", "false", "no")


def _import_timeout() -> float:
    raw = os.environ.get("DUALUSE_PLUGIN_TIMEOUT", "").strip()
    try:
        return float(raw) if raw else _DEFAULT_IMPORT_TIMEOUT
    except ValueError:
        raise ConfigError(f"DUALUSE_PLUGIN_TIMEOUT={raw!r}: expected a number of seconds") from None


def _import(entry_point: importlib.metadata.EntryPoint, timeout: float) -> object:
    """Load an entry point in a helper thread; PluginError if it has not finished after ``timeout`` seconds.

    A hung import cannot be stopped, only left behind: the thread is a daemon, so it never keeps
    the process alive, and everything else goes on.
    """
    outcome: dict[str, object] = {}

    def load() -> None:
        try:
            outcome["plugin"] = entry_point.load()
        except BaseException as exc:  # SystemExit and friends: reported, never raised in the host
            outcome["error"] = exc

    thread = threading.Thread(target=load, name=f"dualuse-plugin-{entry_point.name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise PluginError(f"import did not finish within {timeout:g} s (set DUALUSE_PLUGIN_TIMEOUT to wait longer)")
    error = outcome.get("error")
    if isinstance(error, KeyboardInterrupt):
        raise error
    if isinstance(error, SystemExit):
        raise PluginError(f"called sys.exit({error.code!r}) while importing")
    if isinstance(error, BaseException):
        raise error
    return outcome["plugin"]


def _load_entry_point(state: _State, entry_point: importlib.metadata.EntryPoint) -> None:
    dist = entry_point.dist
    origin = _Origin(dist.name if dist else "?", dist.version if dist else "?")
    name = entry_point.name
    if state.manager.has_plugin(name) or name in state.origins:
        state.errors.append(LoadError(name, origin.distribution, "another plugin already has this entry-point name"))
        return
    state.origins[name] = origin
    trace = _flag("DUALUSE_TRACE_PLUGINS")
    if trace:
        sys.stderr.write(f"dualuse: importing plugin {name} ({origin.distribution} {origin.version}) ...\n")
        sys.stderr.flush()
    started = time.monotonic()
    try:
        plugin = _import(entry_point, _import_timeout())
        declared = getattr(plugin, "DUALUSE_PLUGIN_API", PLUGIN_API_VERSION)
        if declared != PLUGIN_API_VERSION:
            raise PluginError(f"declares DUALUSE_PLUGIN_API = {declared!r}; this dualuse speaks {PLUGIN_API_VERSION}")
        state.manager.register(_GuardedPlugin(plugin, name, state), name=name)
        state.manager.check_pending()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        if state.manager.has_plugin(name):
            state.manager.unregister(name=name)
        state.errors.append(LoadError(name, origin.distribution, f"{type(exc).__name__}: {exc}"))
        if trace:
            sys.stderr.write(f"dualuse: plugin {name} failed: {type(exc).__name__}: {exc}\n")
        return
    if trace:
        sys.stderr.write(f"dualuse: plugin {name} loaded in {time.monotonic() - started:.2f} s\n")


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
    if _flag("DUALUSE_TRACE_HOOKS"):
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
    """Call ``register_connectors`` plugin by plugin: name -> (class, plugin name), plus duplicate errors.

    Plugins are called in the order they were loaded (built-ins first), so of two connectors with
    one name the first registered is kept and the later one refused (and reported).
    """
    state = _get_state()
    found: dict[str, tuple[type[Connector[Any]], str]] = {}
    duplicates: list[str] = []
    for impl in state.manager.hook.register_connectors.get_hookimpls():  # registration order: built-ins first
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
                    f"{_origin_of(plugin_name).distribution!r} (plugin {plugin_name!r}); the later one is "
                    f"refused: uninstall one or limit plugins with DUALUSE_PLUGINS"
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
