"""The built-in plugin: file connectors (CSV, Parquet, Excel) and the bundled mapping presets.

It is registered as a default plugin (name ``dualuse.builtin``), so it is always there, whatever
``DUALUSE_PLUGINS`` says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualuse.connectors.base import Connector
from dualuse.connectors.builtin.csv import CsvConfig, CsvConnector
from dualuse.connectors.builtin.excel import ExcelConfig, ExcelConnector
from dualuse.connectors.builtin.files import FileConfig, FileConnector
from dualuse.connectors.builtin.parquet import ParquetConnector
from dualuse.connectors.mapping import MappingPreset, builtin_presets
from dualuse.plugins.hookspecs import hookimpl

__all__ = [
    "CsvConfig",
    "CsvConnector",
    "ExcelConfig",
    "ExcelConnector",
    "FileConfig",
    "FileConnector",
    "ParquetConnector",
    "register_connectors",
    "register_presets",
]


@hookimpl
def register_connectors(register: Callable[[type[Connector[Any]]], None]) -> None:
    """Register the CSV, Parquet and Excel connectors."""
    for connector in (CsvConnector, ParquetConnector, ExcelConnector):
        register(connector)


@hookimpl
def register_presets(register: Callable[[MappingPreset], None]) -> None:
    """Register the bundled presets (``dualuse/connectors/presets/*.toml``)."""
    for preset in builtin_presets():
        register(preset)
