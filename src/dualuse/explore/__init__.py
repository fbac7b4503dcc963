"""Explore a workspace in the browser: a SQLite database built from it, served with Datasette.

:func:`build_database` turns a workspace (the fetched tables and the stored analysis results,
:mod:`dualuse.results`) into one SQLite file, refreshed incrementally; ``dualuse explore`` serves it
with Datasette and the dualuse plugin (:mod:`dualuse.explore.plugin`): party dossiers, chain pages
with a graph, search across names in any script, HS codes in any printed shape and findings, and
canned queries. Building needs ``sqlite-utils`` and serving needs ``datasette``: both come with
``pip install 'dualuse[explore]'``.

Examples:
    >>> from dualuse.explore import database_path
    >>> from dualuse.store import Workspace
    >>> database_path(Workspace("/tmp/ws")).as_posix()
    '/tmp/ws/explore/dualuse.db'
"""

from __future__ import annotations

from dualuse.explore.build import SCHEMA_VERSION, BuildResult, build_database, database_path
from dualuse.explore.tables import TABLES, SqlTable

__all__ = ["SCHEMA_VERSION", "TABLES", "BuildResult", "SqlTable", "build_database", "database_path", "require"]

EXTRA_HINT = "pip install 'dualuse[explore]'"


def require(*modules: str) -> None:
    """Raise :class:`~dualuse.errors.ConfigError` naming the install command when a module is missing.

    Examples:
        >>> require("json")
        >>> require("no_such_module_here")
        Traceback (most recent call last):
        dualuse.errors.ConfigError: dualuse explore needs no_such_module_here: pip install 'dualuse[explore]'
    """
    import importlib.util

    from dualuse.errors import ConfigError

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ConfigError(f"dualuse explore needs {', '.join(missing)}: {EXTRA_HINT}")
