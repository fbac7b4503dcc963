"""The module named by the entry point: it declares the plugin API version and implements hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualuse.connectors import Connector, MappingPreset, hookimpl
from dualuse_example.connector import JsonlParties
from dualuse_example.kg_customs import KG_CUSTOMS, KgCustoms

DUALUSE_PLUGIN_API = 1


@hookimpl
def register_presets(register: Callable[[MappingPreset], None]) -> None:
    """Add the ``kg-customs`` file layout (``dualuse ingest extract.csv --preset kg-customs``)."""
    register(KG_CUSTOMS)


@hookimpl
def register_connectors(register: Callable[[type[Connector[Any]]], None]) -> None:
    """Add the ``kg-customs`` file connector and the ``jsonl-parties`` connector."""
    register(KgCustoms)
    register(JsonlParties)
