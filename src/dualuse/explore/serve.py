"""Serve an explore database with Datasette: read-only, on loopback unless told otherwise, offline.

The database is opened immutable (SQLite reads it without locking and Datasette counts its rows
once), query-only (the plugin's ``prepare_connection``), and Datasette 0.65 has no write API.
Nothing is loaded from another origin: Datasette ships its own scripts and styles, our pages have
none, and the plugin's headers forbid other origins on every page.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from dualuse.errors import ConfigError

__all__ = ["LOOPBACK", "datasette_app", "is_loopback", "serve"]

LOOPBACK = "127.0.0.1"
"""The default host: only this machine can connect."""

METADATA: dict[str, Any] = {
    "title": "dualuse explore",
    "description": "Shipments, chains, red flags and watch-list hits of a dualuse workspace. "
    "Search and dossiers: /-/dualuse/",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    Examples:
        >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
        (True, True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _table_metadata() -> dict[str, Any]:
    from dualuse.explore.tables import TABLES

    return {name: {"description": table.description} for name, table in TABLES.items()}


def datasette_app(database: Path, *, settings: dict[str, Any] | None = None) -> Any:
    """A configured :class:`datasette.app.Datasette` serving ``database`` immutable, with the dualuse plugin."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    import dualuse.explore.plugin as plugin

    if not pm.is_registered(plugin) and pm.get_plugin("dualuse") is None:
        pm.register(plugin, name="dualuse")  # not installed as an entry point (e.g. a source checkout)
    metadata = dict(METADATA, databases={database.stem: {"tables": _table_metadata()}})
    options = {"sql_time_limit_ms": 3000, "facet_time_limit_ms": 500, "allow_download": False, **(settings or {})}
    return Datasette(immutables=[str(database)], metadata=metadata, settings=options)


def serve(database: Path, *, host: str = LOOPBACK, port: int = 8001, log_level: str = "warning") -> None:
    """Serve ``database`` until interrupted (uvicorn, one worker)."""
    if not database.is_file():
        raise ConfigError(f"no explore database at {database}: build it with `dualuse explore --build-only`")
    import asyncio

    import uvicorn

    app = datasette_app(database)
    asyncio.run(app.invoke_startup())
    uvicorn.run(app.app(), host=host, port=port, log_level=log_level, lifespan="on", workers=1)
