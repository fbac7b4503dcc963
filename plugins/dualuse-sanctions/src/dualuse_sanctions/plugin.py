"""Entry point of the plugin (group ``dualuse``, name ``sanctions``): registers the list connectors.

Examples:
    >>> registered = []
    >>> register_connectors(registered.append)
    >>> [c.name for c in registered]
    ['ofac-sdn', 'ofac-sdn-xml', 'us-csl', 'eu-fsf', 'uk-sanctions', 'opensanctions']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualuse.connectors import Connector, hookimpl
from dualuse_sanctions.connectors import CONNECTORS

__all__ = ["DUALUSE_PLUGIN_API", "register_connectors"]

DUALUSE_PLUGIN_API = 1
"""The dualuse plugin API version this plugin is written against."""


@hookimpl
def register_connectors(register: Callable[[type[Connector[Any]]], None]) -> None:
    """Register every sanctions-list connector with the host."""
    for connector in CONNECTORS:
        register(connector)
