"""The one pluggy manager: built-in plugins, safe entry-point loading, and errors kept, not raised.

Built-in features are default plugins (always present, whatever ``DUALUSE_PLUGINS`` says). Third-party
plugins are entry points in the group ``dualuse``; each is loaded on its own, so a plugin that fails
to import (even with ``sys.exit()`` or another ``BaseException``), does not finish importing within
the timeout, declares an incompatible ``DUALUSE_PLUGIN_API``, or raises inside a hook is *recorded*
(entry point, distribution, error) and everything else keeps working.

The registries built from the hooks live with what they register (``dualuse.connectors`` for
connectors and presets, ``dualuse.execution`` for executors, ...): they call a hook plugin by plugin
with :func:`call_per_plugin`, so that each registration is known by the plugin that made it.

Environment:
    ``DUALUSE_PLUGINS``: comma-separated entry-point names to load; set but empty loads none
    (built-ins are always there). ``DUALUSE_TRACE_HOOKS=1``: trace every hook call to stderr.
    ``DUALUSE_TRACE_PLUGINS=1`` (``dualuse plugins --trace``): name each plugin on stderr as it is
    imported, so the last line names one that hangs. ``DUALUSE_PLUGIN_TIMEOUT``: seconds one
    plugin's import may take (default 30); a plugin still importing then is reported and skipped.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Any

import pluggy

from dualuse._version import __version__
from dualuse.errors import ConfigError, PluginError
from dualuse.plugins import hookspecs

__all__ = [
    "BUILTIN_PLUGIN",
    "ENTRY_POINT_GROUP",
    "PLUGIN_API_VERSION",
    "LoadError",
    "Origin",
    "call_per_plugin",
    "get_plugin_manager",
    "load_errors",
    "plugin_origin",
    "record_error",
    "reset_plugin_manager",
]

PLUGIN_API_VERSION = 1
"""The plugin API version this host speaks; a plugin module may declare ``DUALUSE_PLUGIN_API = 1``."""

ENTRY_POINT_GROUP = "dualuse"
BUILTIN_PLUGIN = "dualuse.builtin"
# The built-in plugins, by module name: the host imports them when it is built, never at import
# time, so that it stays below the parts of dualuse that register through it.
_BUILTIN_MODULES = ("dualuse.connectors.builtin", "dualuse.execution.builtin")
_DEFAULT_IMPORT_TIMEOUT = 30.0


@dataclass(frozen=True)
class LoadError:
    """A plugin that could not be loaded, or a hook of it that raised."""

    plugin: str
    distribution: str
    error: str


@dataclass(frozen=True)
class Origin:
    """The distribution a plugin came from, and its version."""

    distribution: str
    version: str


@dataclass
class _State:
    manager: pluggy.PluginManager
    origins: dict[str, Origin] = field(default_factory=dict)
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
            origin = state.origins.get(plugin, Origin("?", "?"))
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
    origin = Origin(dist.name if dist else "?", dist.version if dist else "?")
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


def _builtin_plugin() -> object:
    """The built-in modules' hook implementations as one plugin (each hook is implemented by one module)."""
    hooks: dict[str, Any] = {}
    for module_name in _BUILTIN_MODULES:
        module: ModuleType = importlib.import_module(module_name)
        for attr in dir(module):
            value = getattr(module, attr)
            if callable(value) and isinstance(getattr(value, f"{hookspecs.PROJECT}_impl", None), dict):
                if attr in hooks:
                    raise PluginError(f"built-in hook {attr} is implemented twice ({module_name})")
                hooks[attr] = value
    return SimpleNamespace(__name__=BUILTIN_PLUGIN, **hooks)


def _build() -> _State:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    state = _State(manager)
    manager.register(_builtin_plugin(), name=BUILTIN_PLUGIN)
    state.origins[BUILTIN_PLUGIN] = Origin("dualuse", __version__)
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
    """Plugins that failed to load and hooks that raised, in the order they happened.

    Examples:
        >>> isinstance(load_errors(), list)
        True
    """
    return list(_get_state().errors)


def plugin_origin(plugin_name: str) -> Origin:
    """The distribution and version a loaded plugin came from (``?`` when unknown).

    Examples:
        >>> plugin_origin("dualuse.builtin").distribution
        'dualuse'
    """
    return _get_state().origins.get(plugin_name, Origin(plugin_name, "?"))


def record_error(plugin_name: str, message: str) -> None:
    """Keep a registration problem against the plugin that made it (reported once, never raised).

    Examples:
        >>> record_error("dualuse.builtin", "an example problem")
        >>> load_errors()[-1].error
        'an example problem'
        >>> reset_plugin_manager()  # forget it again
    """
    state = _get_state()
    error = LoadError(plugin_name, plugin_origin(plugin_name).distribution, message)
    if error not in state.errors:
        state.errors.append(error)


def call_per_plugin(hook: str, make_register: Callable[[str], Callable[..., None]]) -> None:
    """Call ``hook`` plugin by plugin, in load order (built-ins first), each with its own ``register``.

    ``make_register(plugin_name)`` builds the callback handed to that plugin, so a registry knows
    which plugin registered what (to refuse a duplicate name, or to report a bad registration).

    Examples:
        >>> seen = []
        >>> call_per_plugin("register_executors", lambda plugin: lambda cls: seen.append((plugin, cls.name)))
        >>> ("dualuse.builtin", "local") in seen
        True
    """
    manager = get_plugin_manager()
    for impl in getattr(manager.hook, hook).get_hookimpls():
        plugin_name = impl.plugin_name
        if manager.is_blocked(plugin_name):
            continue
        # called plugin by plugin (to know who registered what), so trace it here as pluggy would
        manager.trace.root.get("hook")(hook, f"[plugin {plugin_name}]")
        impl.function(register=make_register(plugin_name))
