"""Party resolution: identifiers first, then the library's normalised names."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pytest

from dualuse.errors import SchemaError
from dualuse.trace.parties import party_key_id, resolve_parties


def sides(rows: Sequence[tuple[str | None, str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "exporter_name": [r[0] for r in rows],
            "exporter_country": [r[1] for r in rows],
            "exporter_id": [r[2] for r in rows],
            "importer_name": ["Buyer LLC"] * len(rows),
            "importer_country": ["RU"] * len(rows),
            "importer_id": [None] * len(rows),
        },
        schema_overrides={"exporter_id": pl.String, "importer_id": pl.String, "exporter_name": pl.String},
    )


def test_identifier_joins_scripts_and_names_join_their_identifier() -> None:
    resolved = resolve_parties(
        sides(
            [
                ("Altyn Trade LLP", "KZ", "123456789012"),
                ("ТОО «Алтын Трейд»", "KZ", "1234-5678-9012"),  # punctuation in the id does not matter
                ("ALTYN-TRADE, TOO", "KZ", None),  # same name key as the first: adopts its BIN
                ("Altyn Trade LLP", "KG", None),  # another country: another party
            ]
        )
    )
    ids = resolved.shipments["exporter_party"].to_list()
    assert ids[0] == ids[1] == ids[2] == party_key_id("id:KZ:123456789012")
    assert ids[3] != ids[0]
    assert resolved.shipments["exporter_by"].to_list() == ["id", "id", "name+id", "name"]
    kz = resolved.parties.filter(pl.col("party_id") == ids[0]).row(0, named=True)
    assert kz["identifiers"] == [{"scheme": "BIN", "value": "123456789012"}]
    assert kz["records"] == 3
    assert sorted([kz["name"], *kz["aliases"]]) == sorted(["Altyn Trade LLP", "ТОО «Алтын Трейд»", "ALTYN-TRADE, TOO"])


def test_a_name_with_two_identifiers_merges_neither() -> None:
    resolved = resolve_parties(
        sides([("Vector LLC", "RU", "7707083893"), ("Vector LLC", "RU", "7736207543"), ("Vector", "RU", None)])
    )
    ids = resolved.shipments["exporter_party"].to_list()
    assert len(set(ids)) == 3
    assert ids[2] == party_key_id("name:RU:vector")


def test_resolution_does_not_depend_on_row_order() -> None:
    rows = [("Altyn Trade LLP", "KZ", "1"), ("ALTYN TRADE TOO", "KZ", None), ("Orion Tech LLC", "KG", None)]
    first = resolve_parties(sides(rows))
    second = resolve_parties(sides(rows[::-1]))
    assert first.parties.equals(second.parties)
    assert first.shipments["exporter_party"].to_list() == second.shipments["exporter_party"].to_list()[::-1]


def test_missing_names_get_a_party_of_their_own_and_missing_columns_are_named() -> None:
    resolved = resolve_parties(sides([(None, "KZ", None), (None, "KZ", None)]))
    assert resolved.shipments["exporter_party"].n_unique() == 2
    with pytest.raises(SchemaError, match="importer_id"):
        resolve_parties(sides([("A", "KZ", None)]).drop("importer_id"))


def test_a_nameless_side_is_keyed_by_its_record_not_its_position() -> None:
    frame = sides([(None, "KZ", None), ("Altyn Trade LLP", "KZ", None), (None, "KG", None)]).with_columns(
        pl.lit("file.csv").alias("source"),
        pl.Series("source_row", [2, 3, 4]),
        pl.Series("shipment_id", ["a", "b", "c"]),
    )
    forward = resolve_parties(frame)
    backward = resolve_parties(frame.reverse())
    assert forward.shipments["exporter_party"].to_list() == backward.shipments["exporter_party"].to_list()[::-1]
    assert forward.shipments["exporter_party"][0] == party_key_id("row:exporter:file.csv:2:a")
    assert forward.parties.equals(backward.parties)
