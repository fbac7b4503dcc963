"""Connectors: the contract every data source implements, and the registry of connectors.

Plugins import from here::

    from dualuse.connectors import Connector, ConnectorConfig, FetchContext, hookimpl

A new file layout needs no connector of its own: a mapping preset (``register_presets``), or a
subclass of the file connectors exported here (:class:`CsvConnector`, :class:`ParquetConnector`,
:class:`ExcelConnector`, their base :class:`FileConnector` and settings :class:`FileConfig`,
:class:`CsvConfig`, :class:`ExcelConfig`). See the plugin guide.

Examples:
    >>> from dualuse.connectors import get_connector
    >>> get_connector("csv").name
    'csv'
"""

from __future__ import annotations

from dualuse.connectors.base import PLUGIN_API_VERSION, Connector, ConnectorConfig, FetchContext, secret_env_var
from dualuse.connectors.builtin import (
    CsvConfig,
    CsvConnector,
    ExcelConfig,
    ExcelConnector,
    FileConfig,
    FileConnector,
    ParquetConnector,
)
from dualuse.connectors.manager import (
    LoadError,
    PluginInfo,
    connectors,
    get_connector,
    get_plugin_manager,
    load_errors,
    plugin_report,
    reset_plugin_manager,
)
from dualuse.connectors.mapping import ColumnRule, MappingPreset, get_preset, presets
from dualuse.plugins.hookspecs import hookimpl

__all__ = [
    "PLUGIN_API_VERSION",
    "ColumnRule",
    "Connector",
    "ConnectorConfig",
    "CsvConfig",
    "CsvConnector",
    "ExcelConfig",
    "ExcelConnector",
    "FetchContext",
    "FileConfig",
    "FileConnector",
    "LoadError",
    "MappingPreset",
    "ParquetConnector",
    "PluginInfo",
    "connectors",
    "get_connector",
    "get_plugin_manager",
    "get_preset",
    "hookimpl",
    "load_errors",
    "plugin_report",
    "presets",
    "reset_plugin_manager",
    "secret_env_var",
]
