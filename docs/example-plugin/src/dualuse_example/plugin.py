"""The module named by the entry point: it declares the plugin API version and implements hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualuse.connectors import Connector, hookimpl
from dualuse_example.connector import JsonlParties

DUALUSE_PLUGIN_API = 1


@hookimpl
def register_connectors(register: Callable[[type[Connector[Any]]], None]) -> None:
    """Add the ``jsonl-parties`` connector."""
    register(JsonlParties)
