"""The plugin host: the hooks a plugin implements and the one pluggy manager that calls them.

It sits below everything that registers through it (connectors, presets, lists, legal forms,
executors): the hook argument types are imported only for type checking, and the built-in
plugins are named by module, so nothing here imports the parts that use it.

Examples:
    >>> from dualuse.plugins import get_plugin_manager
    >>> get_plugin_manager().has_plugin("dualuse.builtin")
    True
"""

from __future__ import annotations

from dualuse.plugins.hookspecs import PROJECT, hookimpl, hookspec
from dualuse.plugins.host import (
    BUILTIN_PLUGIN,
    ENTRY_POINT_GROUP,
    PLUGIN_API_VERSION,
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
    "PLUGIN_API_VERSION",
    "PROJECT",
    "LoadError",
    "call_per_plugin",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
    "load_errors",
    "plugin_origin",
    "record_error",
    "reset_plugin_manager",
]
