"""The executors registered through the ``register_executors`` hook, and choosing one by name.

Examples:
    >>> sorted(executors())[:2]
    ['local', 'ray']
    >>> get_executor(None).name, get_executor("local").name
    ('local', 'local')
    >>> get_executor("spark")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    dualuse.errors.ConfigError: unknown engine 'spark'; known engines: local, ray...
"""

from __future__ import annotations

import inspect
from typing import Any

from dualuse.errors import ConfigError
from dualuse.execution.executor import Executor
from dualuse.plugins.host import call_per_plugin, plugin_origin, record_error

__all__ = ["Engine", "engine_plugins", "executors", "get_executor"]

Engine = str | Executor | None
"""What ``engine=`` takes: a registered name (``"local"``, ``"ray"``), an executor, or None for ``local``."""


def executors() -> dict[str, type[Executor]]:
    """Every registered executor class by name (of two with one name, the first registered).

    Examples:
        >>> executors()["local"].__name__
        'LocalExecutor'
    """
    return {name: cls for name, (cls, _) in _collect().items()}


def engine_plugins() -> dict[str, str]:
    """Which plugin registered each engine: engine name -> plugin name.

    Examples:
        >>> engine_plugins()["ray"]
        'dualuse.builtin'
    """
    return {name: plugin for name, (_, plugin) in _collect().items()}


def _collect() -> dict[str, tuple[type[Executor], str]]:
    """Call ``register_executors`` plugin by plugin: engine name -> (class, plugin name)."""
    found: dict[str, tuple[type[Executor], str]] = {}

    def make_register(plugin_name: str) -> Any:
        def register(cls: type[Executor]) -> None:
            if not (inspect.isclass(cls) and issubclass(cls, Executor)) or inspect.isabstract(cls):
                record_error(plugin_name, f"{cls!r} is not a subclass of dualuse.execution.Executor implementing map")
                return
            if not cls.name:
                record_error(plugin_name, f"{cls.__name__} has no name")
                return
            if cls.name in found and found[cls.name][0] is not cls:
                first = plugin_origin(found[cls.name][1]).distribution
                record_error(
                    plugin_name, f"engine {cls.name!r} is already registered by {first!r}; this one is refused"
                )
                return
            found[cls.name] = (cls, plugin_name)

        return register

    call_per_plugin("register_executors", make_register)
    return dict(sorted(found.items()))


def get_executor(engine: Engine = None, **options: Any) -> Executor:
    """The executor ``engine`` names (built with ``options``), or ``engine`` itself when it is one.

    ``None`` is ``local``. Options go to the engine's constructor (``address=`` for Ray); an
    executor given as an object is used as it is, so options are refused with it.
    """
    if isinstance(engine, Executor):
        if options:
            raise ConfigError(f"options {', '.join(sorted(options))} given with an executor object: set them on it")
        return engine
    name = (engine or "local").strip().lower()
    known = executors()
    if name not in known:
        raise ConfigError(f"unknown engine {name!r}; known engines: {', '.join(known)}")
    try:
        return known[name](**options)
    except TypeError as error:
        raise ConfigError(f"engine {name!r}: {error}") from None
