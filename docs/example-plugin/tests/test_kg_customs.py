"""The file-layout connector: the ready contract kit, and the rows of a small extract checked by hand."""

from __future__ import annotations

import pathlib
from typing import Any, ClassVar

from dualuse_example import KgCustoms

from dualuse.connectors import get_connector, presets
from dualuse.store import Workspace
from dualuse.testing import ConnectorContract

DATA = pathlib.Path(__file__).parent / "data"


class TestKgCustomsContract(ConnectorContract):
    """Schema, provenance, config validation and secret hygiene, from dualuse.testing."""

    connector = KgCustoms
    settings: ClassVar[dict[str, Any]] = {"path": str(DATA / "kg_customs.csv")}
    bad_settings: ClassVar[list[dict[str, Any]]] = [
        {"path": str(DATA / "missing.csv")},
        {"path": str(DATA / "kg_customs.csv"), "preset": "no-such-preset"},
    ]


def test_the_connector_and_the_preset_come_through_the_entry_point() -> None:
    assert get_connector("kg-customs") is KgCustoms
    assert presets()["kg-customs"].table == "shipments"


def test_an_extract_becomes_shipments_with_a_bad_date_rejected(tmp_path: pathlib.Path) -> None:
    stored = Workspace(tmp_path).fetch("kg-customs", {"path": str(DATA / "kg_customs.csv")})
    rows = stored.read().select("shipment_id", "hs_code", "exporter_country", "importer_country", "value_usd")
    assert rows.rows() == [
        ("41702/150623/0001", "8471500000", "KG", "RU", 528.4),
        ("41702/170623/0002", "8471500000", "KG", "RU", 530.0),
    ]
    assert stored.read()["source_row"].to_list() == [2, 3]  # the header is row 1
    rejected = stored.rejected()
    assert rejected.select("column", "value").rows() == [("Дата выпуска", "31.06.2023")]  # named as in the file


def test_the_generic_csv_connector_reads_the_same_file_by_preset(tmp_path: pathlib.Path) -> None:
    by_preset = Workspace(tmp_path).fetch("csv", {"path": str(DATA / "kg_customs.csv"), "preset": "kg-customs"})
    assert by_preset.manifest.rows_accepted == 2 and by_preset.manifest.rows_rejected == 1
