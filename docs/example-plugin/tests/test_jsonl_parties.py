"""Tests of the example plugin: the ready contract kit plus what is specific to this connector."""

from __future__ import annotations

import pathlib
from typing import Any, ClassVar

import pytest
from dualuse_example import JsonlParties

from dualuse.connectors import FetchContext, get_connector
from dualuse.store import Workspace
from dualuse.testing import ConnectorContract

DATA = pathlib.Path(__file__).parent / "data"


class TestJsonlPartiesContract(ConnectorContract):
    """Schema, provenance, config validation and secret hygiene, from dualuse.testing."""

    connector = JsonlParties
    settings: ClassVar[dict[str, Any]] = {"path": str(DATA / "companies.jsonl")}
    bad_settings: ClassVar[list[dict[str, Any]]] = [
        {"path": str(DATA / "missing.jsonl")},
        {"path": str(DATA / "companies.jsonl"), "batch_rows": 0},
    ]


def test_discovered_through_its_entry_point() -> None:
    assert get_connector("jsonl-parties") is JsonlParties


def test_rows_and_rejects(tmp_path: pathlib.Path) -> None:
    context = FetchContext(tmp_path)
    (frame,) = list(JsonlParties.from_settings({"path": DATA / "companies.jsonl"}).fetch(context))
    assert frame.select("party_id", "country", "source_row").rows() == [
        ("kz-1", "KZ", 1),
        ("kg-1", "KG", 2),
        ("ru-1", "RU", 4),
    ]
    assert frame["identifiers"].to_list()[0] == [{"scheme": "INN", "value": "220340012345"}]
    (rejected,) = context.rejected
    assert rejected.select("row", "value").rows() == [
        (2, "not json at all"),
        (4, '{"id": "xx-1", "name": "Somewhere Ltd", "country": "Narnia"}'),
    ]


def test_stored_in_a_workspace(tmp_path: pathlib.Path) -> None:
    stored = Workspace(tmp_path).fetch("jsonl-parties", {"path": str(DATA / "companies.jsonl"), "batch_rows": 2})
    assert (stored.manifest.rows_accepted, stored.manifest.rows_rejected) == (3, 2)
    assert stored.manifest.connector_distribution == "dualuse-example"


@pytest.mark.parametrize("batch_rows", [1, 2, 100])
def test_batches_do_not_change_the_result(tmp_path: pathlib.Path, batch_rows: int) -> None:
    frames = list(
        JsonlParties.from_settings({"path": DATA / "companies.jsonl", "batch_rows": batch_rows}).fetch(
            FetchContext(tmp_path)
        )
    )
    assert sum(f.height for f in frames) == 3
