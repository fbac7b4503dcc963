"""The bundled presets parse small fixtures written in the real layouts (numbers computed by hand)."""

from __future__ import annotations

import datetime as dt
import pathlib

import polars as pl
import pytest

from dualuse.connectors import FetchContext, get_preset
from dualuse.connectors.builtin import CsvConnector
from dualuse.connectors.mapping import MappingPreset, load_preset
from dualuse.errors import ConfigError


def _ingest(
    tmp_path: pathlib.Path, path: pathlib.Path, preset: str, **extra: object
) -> tuple[pl.DataFrame, pl.DataFrame]:
    context = FetchContext(tmp_path / "cache")
    accepted = pl.concat(list(CsvConnector.from_settings({"path": path, "preset": preset, **extra}).fetch(context)))
    rejected = pl.concat(context.rejected, how="diagonal_relaxed") if context.rejected else pl.DataFrame()
    return accepted, rejected


def test_baci(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    flows, rejected = _ingest(tmp_path, data_dir / "baci_sample.csv", "baci")
    assert flows.select("reporter", "partner", "hs_code", "value_usd", "net_weight_kg").rows() == [
        ("CN", "KZ", "854231", 1_234_567.0, 2_500.0),  # v thousand USD, q tonnes
        ("CN", "KZ", "010121", 10_000.0, None),  # k lost its leading zero; q "NA"
        ("US", "KG", "854232", 500.0, 1.0),  # 842 is Comtrade's USA
        ("XS", "RU", "880622", 5_900_000.0, 12_000.0),  # 490 Other Asia, nes
    ]
    assert set(flows["period"]) == {dt.date(2023, 1, 1)}
    assert set(zip(flows["freq"], flows["flow"], flows["valuation"], strict=True)) == {("A", "export", "FOB")}
    assert rejected.select("row", "column", "value").rows() == [(4, "i", "999")]


def test_comtrade(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    flows, rejected = _ingest(tmp_path, data_dir / "comtrade_sample.csv", "comtrade")
    assert flows.select(
        "reporter", "partner", "flow", "valuation", "value_usd", "hs_version", "is_reported"
    ).rows() == [
        ("CN", "KZ", "export", "FOB", 1_500_000.0, "HS2022", True),
        ("KZ", "CN", "import", "CIF", 1_610_000.0, "HS2022", True),
        ("KZ", "RU", "re-export", "FOB", 2_700_000.0, "HS2022", True),
    ]
    assert flows["net_weight_kg"].to_list() == [350.5, 340.0, 95.0]
    assert rejected.select("column", "value").rows() == [("flowCode", "Z")]


def test_comext(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    flows, rejected = _ingest(tmp_path, data_dir / "comext_sample.dat", "comext", usd_rate=1.1)
    assert flows.select("period", "freq", "reporter", "partner", "hs_code", "value_eur", "value_usd").rows() == [
        (dt.date(2023, 3, 1), "M", "DE", "KZ", "85423190", 250_000.0, pytest.approx(275_000.0)),
        (dt.date(2023, 1, 1), "A", "DE", "KG", "85176200", 1_000_000.0, pytest.approx(1_100_000.0)),
        (dt.date(2023, 3, 1), "M", "FR", "KZ", "TOTAL", 5.0, pytest.approx(5.5)),  # an all-goods total
    ]
    assert rejected.height == 0
    without_rate, _ = _ingest(tmp_path, data_dir / "comext_sample.dat", "comext")
    assert without_rate["value_usd"].null_count() == 3


def test_bill_of_lading(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    shipments, rejected = _ingest(tmp_path, data_dir / "bill_of_lading.tsv", "bill-of-lading")
    assert shipments.select(
        "shipment_id", "date", "hs_code", "importer_country", "exporter_country", "brand", "value_usd"
    ).rows() == [
        ("BOL-2023-0001", dt.date(2023, 6, 14), "847150", "KG", "CN", "IBM", 3700.0),
        ("BOL-2023-0002", dt.date(2023, 6, 20), "854231", "KZ", "HK", "TI", 25000.75),
    ]
    assert rejected.select("column", "value", "source_row").rows() == [("Arrival Date", "soon", "4")]


def test_russian_declaration_box_codes(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    shipments, rejected = _ingest(tmp_path, data_dir / "declarations_boxes.csv", "ru-declarations")
    assert shipments.select(
        "shipment_id",
        "hs_code",
        "manufacturer",
        "brand",
        "dispatch_country",
        "origin_country",
        "value_usd",
        "net_weight_kg",
    ).rows() == [
        ("10005030/200623/3000001/1", "8542310000", "TEXAS INSTRUMENTS", "TI", "KZ", "CN", 10000.0, 2.5),
        ("10005030/200623/3000001/2", "8517620000", "CISCO", "CISCO", "KZ", "US", 25300.1, 15.0),
    ]
    assert rejected.select("row", "column", "reason").rows() == [(2, "value_usd", "below 0.0: -5.0")]


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(
        ConfigError,
        # the bundled presets, and any an installed plugin adds (the example plugin's kg-customs)
        match=r"unknown preset 'panjiva'; known presets: baci, bill-of-lading, comext, comtrade, (kg-customs, )?ru-declarations",
    ):
        get_preset("panjiva")


def test_user_mapping_file(tmp_path: pathlib.Path) -> None:
    mapping = tmp_path / "mine.toml"
    mapping.write_text(
        'name = "mine"\ntable = "parties"\n[columns.name]\nfrom = "Company"\n[columns.country]\nfrom = "Land"\nparse = "country"\n',
        encoding="utf-8",
    )
    data = tmp_path / "companies.csv"
    data.write_text("Company;Land\nТОО Ромашка;Казахстан\n", encoding="utf-8")
    parties, _ = _ingest(tmp_path, data, str(mapping))
    assert parties.select("party_id", "name", "country").row(0) == ("companies.csv:2", "ТОО Ромашка", "KZ")
    assert load_preset(mapping).origin == str(mapping)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('name = "x"\ntable = "flows"\n[columns.period]\nfrom = "t"\n', "table flows needs a rule for column"),
        (
            'name = "x"\ntable = "parties"\n[columns.name]\nfrom = "a"\nvalue = "b"\n',
            "give exactly one of from, join, value",
        ),
        ('name = "x"\ntable = "parties"\n[columns.name]\nfrom = "a"\nparse = "roman"\n', "columns.name.parse"),
        ("name = ", "not valid TOML"),
    ],
)
def test_bad_mappings_are_config_errors(toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MappingPreset.from_toml(toml)
