"""Example dualuse plugin: a file layout (the ``kg-customs`` preset and connector) and the ``jsonl-parties`` connector."""

from __future__ import annotations

from dualuse_example.connector import JsonlParties, JsonlPartiesConfig
from dualuse_example.kg_customs import KG_CUSTOMS, KgCustoms, KgCustomsConfig

__all__ = ["KG_CUSTOMS", "JsonlParties", "JsonlPartiesConfig", "KgCustoms", "KgCustomsConfig"]
