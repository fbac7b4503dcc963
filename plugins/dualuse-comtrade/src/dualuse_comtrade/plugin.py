"""The plugin module named by the ``dualuse`` entry point: registers the ``comtrade`` connector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualuse.connectors import Connector, hookimpl

from dualuse_comtrade.connector import ComtradeConnector

__all__ = ["DUALUSE_PLUGIN_API", "register_connectors"]

DUALUSE_PLUGIN_API = 1
"""The dualuse plugin API version this plugin is written against."""


@hookimpl
def register_connectors(register: Callable[[type[Connector[Any]]], None]) -> None:
    """Register :class:`~dualuse_comtrade.connector.ComtradeConnector` with the host."""
    register(ComtradeConnector)
