"""Analysis results kept in the workspace, beside the fetched tables they were derived from.

Each result (chains, their links, red flags, screening hits, findings, the parties resolved in
the shipment records and which party each shipment line names) is stored like a fetched table:
``tables/<name>/data.parquet`` with an empty ``rejected.parquet`` and a :class:`~dualuse.store.Manifest`
written last, so :meth:`Workspace.tables <dualuse.store.Workspace.tables>` lists it and
:meth:`Workspace.table <dualuse.store.Workspace.table>` reads it. The manifest's ``connector`` is
``"analysis"``, its ``table`` the result kind, its ``config`` the settings of the run plus the
content hash of every input table, so a reader can tell which inputs a result belongs to.

A result is written as the store writes a fetched table: under the table's write lock, into a
staging folder, then moved into place by the store's journalled swap, so a run that fails midway
leaves the previous result whole and :meth:`Workspace.recover <dualuse.store.Workspace.recover>`
can finish or undo a swap cut short.

Examples:
    >>> import pathlib, tempfile, polars as pl
    >>> from dualuse.store import Workspace
    >>> workspace = Workspace(pathlib.Path(tempfile.mkdtemp()))
    >>> stored = save_results(workspace, {"red_flags": pl.DataFrame({"party_id": ["p-1"], "flag": ["new importer"]})},
    ...                       settings={"target": "RU"})
    >>> [t.name for t in workspace.tables()], stored[0].manifest.table, stored[0].manifest.connector
    (['analysis-red_flags'], 'red_flags', 'analysis')
    >>> result_tables(workspace)["red_flags"].read()["flag"].to_list()
    ['new importer']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from dualuse.store import StoredTable, Workspace

__all__ = ["ANALYSIS_CONNECTOR", "INPUT_KINDS", "RESULT_KINDS", "result_tables", "save_results"]

ANALYSIS_CONNECTOR = "analysis"
"""The ``connector`` named in the manifest of a stored result."""

INPUT_KINDS = frozenset({"shipments", "flows", "parties"})
"""The canonical tables a connector fetches: what an analysis reads (results are not inputs)."""

RESULT_KINDS = (
    "resolved_parties",
    "shipment_parties",
    "chains",
    "chain_links",
    "red_flags",
    "screening_hits",
    "findings",
)
"""The results :func:`save_results` knows, in the order they are written."""

_PREFIX = "analysis-"


def _input_hashes(workspace: Workspace) -> dict[str, str]:
    return {
        t.name: t.manifest.content_hash
        for t in workspace.tables()
        if t.manifest.connector != ANALYSIS_CONNECTOR and t.manifest.table in INPUT_KINDS
    }


def save_results(
    workspace: Workspace, results: Mapping[str, pl.DataFrame], *, settings: Mapping[str, Any] | None = None
) -> list[StoredTable]:
    """Store each result frame as table ``analysis-<kind>`` of ``workspace``; return the stored tables.

    ``settings`` (JSON-ready values: the run's target, list, hubs, ...) go into each manifest with
    the content hash of every input table of the workspace. A result of the same kind stored by an
    earlier run is replaced whole.
    """
    config = {"settings": dict(settings or {}), "inputs": _input_hashes(workspace)}
    return [
        workspace.put(f"{_PREFIX}{kind}", frame, table=kind, connector=ANALYSIS_CONNECTOR, config=config)
        for kind, frame in results.items()
    ]


def result_tables(workspace: Workspace) -> dict[str, StoredTable]:
    """The stored results of ``workspace`` by kind (``chains``, ``red_flags``, ...); empty when none."""
    return {t.manifest.table: t for t in workspace.tables() if t.manifest.connector == ANALYSIS_CONNECTOR}
