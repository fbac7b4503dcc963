"""A file-layout connector: the CSV connector with the ``kg-customs`` preset and its delimiter built in.

Most new sources are files in a layout dualuse does not know yet. That takes a preset (a TOML
mapping, ``presets/kg-customs.toml``) and, when users should not have to name the preset every
time, a subclass of :class:`dualuse.connectors.CsvConnector` whose settings default to it.

Examples:
    >>> KgCustoms.name, KgCustoms.table, KgCustoms.tables
    ('kg-customs', 'shipments', ('shipments',))
"""

from __future__ import annotations

from importlib.resources import files
from typing import ClassVar

from dualuse.connectors import CsvConfig, CsvConnector, MappingPreset
from dualuse.connectors.base import TableName

__all__ = ["KG_CUSTOMS", "KgCustoms", "KgCustomsConfig"]

KG_CUSTOMS = MappingPreset.from_toml(
    files("dualuse_example").joinpath("presets/kg-customs.toml").read_text(encoding="utf-8"),
    origin="dualuse-example:presets/kg-customs.toml",
)
"""The column mapping of the layout (registered by the plugin's ``register_presets`` hook)."""


class KgCustomsConfig(CsvConfig):
    """The CSV connector's settings with the layout's preset as the default."""

    preset: str | None = "kg-customs"


class KgCustoms(CsvConnector):
    """Kyrgyz customs export extracts: ``dualuse fetch kg-customs --set path=extract.csv``."""

    name = "kg-customs"
    description = "Kyrgyz customs export extracts (semicolon-separated, UTF-8), read through the kg-customs preset."
    config_model = KgCustomsConfig
    table: ClassVar[TableName] = "shipments"
    tables: ClassVar[tuple[TableName, ...]] = ("shipments",)  # the one table this layout holds
