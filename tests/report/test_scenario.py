"""The bundled scenario: calibrated to GUIDE §1, fictitious names, the real OFAC legacy CSV layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dualuse.schema import validate
from dualuse.synth.scenario import CASE_A, CASE_B, build_scenario, flatten_registry, unflatten_registry, write_scenario

SCENARIO = build_scenario()


def test_calibrated_figures() -> None:
    h = SCENARIO.headline
    assert h.chpl_2023_usd == pytest.approx(1.3e9, abs=1)
    assert h.chpl_growth_pct == pytest.approx(64.0, abs=0.01)
    assert h.drones_kz_imports_2023_usd == 5.9e6 and h.drones_kz_exports_ru_2023_usd == 2.7e6
    assert h.drones_kz_imports_prewar_usd == 0.0
    assert (h.case_b_shipments, h.case_b_value_usd) == (7, 3700.0)


def test_kazakhstan_exports_no_drones_before_the_war() -> None:
    f = SCENARIO.flows
    prewar = f.filter(
        (pl.col("reporter") == "KZ")
        & pl.col("hs_code").str.starts_with("8806")
        & (pl.col("period") < dt.date(2022, 1, 1))
    )
    assert prewar.height == 0


def test_russia_reports_nothing_after_2021() -> None:
    assert SCENARIO.flows.filter((pl.col("reporter") == "RU") & (pl.col("period").dt.year() >= 2022)).height == 0
    assert SCENARIO.flows.filter(pl.col("reporter") == "RU").height > 0


def test_frames_are_canonical() -> None:
    assert validate(SCENARIO.flows, "flows").ok
    assert validate(SCENARIO.shipments, "shipments").ok
    assert validate(SCENARIO.registry, "parties").ok


def test_same_seed_same_scenario_other_seed_other_noise() -> None:
    again = build_scenario()
    assert again.flows.equals(SCENARIO.flows) and again.shipments.equals(SCENARIO.shipments)
    other = build_scenario(seed=7)
    assert not other.flows.equals(SCENARIO.flows)
    assert other.headline.chpl_2023_usd == pytest.approx(1.3e9, abs=1)  # calibration holds for every seed


def test_case_a_trader_founded_weeks_after_the_invasion_with_few_staff() -> None:
    trader = SCENARIO.registry.filter(pl.col("name") == CASE_A.hub_trader).row(0, named=True)
    assert dt.date(2022, 2, 24) < trader["founded"] < dt.date(2022, 3, 24)
    assert trader["employees"] < 5 and trader["revenue_usd"] == 14.5e6
    s = SCENARIO.shipments
    out = s.filter(
        (pl.col("exporter_id") == CASE_A.hub_trader_id)
        & (pl.col("importer_country") == "RU")
        & pl.col("date").is_between(dt.date(2023, 3, 1), dt.date(2023, 8, 31))
    )
    assert out["value_usd"].sum() > 1.15e6
    assert set(out["hs_code"].str.slice(0, 6)) == {"854121"}
    assert out.filter(pl.col("brand").is_not_null())["brand"].unique().to_list() == ["CALDERON"]


def test_case_b_seven_shipments_in_june_2023_to_a_listed_firm() -> None:
    legs = SCENARIO.shipments.filter(pl.col("shipment_id").is_in(list(SCENARIO.planted_chains["B"])))
    inbound = legs.filter(pl.col("importer_country") == "KG")
    assert inbound.height == 7 and inbound["value_usd"].sum() == pytest.approx(3700.0)
    assert inbound["date"].dt.month().unique().to_list() == [6]
    assert set(inbound["exporter_name"]) == {CASE_B.supplier}
    sdn = SCENARIO.watchlist_files["sdn.csv"].decode()
    assert CASE_B.buyer_id in sdn


def test_watchlist_is_in_the_ofac_legacy_layout() -> None:
    for name, content in SCENARIO.watchlist_files.items():
        assert content.endswith(b"\r\n\x1a"), name
        lines = content[:-1].decode("utf-8").split("\r\n")[:-1]
        assert all(line[0].isdigit() for line in lines), f"{name}: a header row or a bare line"
        assert "\n" not in "".join(lines)
    sdn = SCENARIO.watchlist_files["sdn.csv"].decode()
    assert ",-0- ," in sdn and '"UKRAINE-EO13662] [RUSSIA-EO14024"' in sdn
    assert sdn.split("\r\n")[0].count(",") >= 11


def test_names_are_not_real_listed_parties(shared_data: Path) -> None:
    real = (shared_data / "sanctions" / "ofac_raw" / "sdn.csv").read_text(encoding="utf-8", errors="replace").upper()
    for name in (CASE_A.hub_trader, CASE_A.buyer, CASE_B.hub_trader, CASE_B.buyer, CASE_B.supplier):
        assert name.split()[0].upper() not in real


def test_registry_survives_a_flat_file(tmp_path: Path) -> None:
    files = write_scenario(SCENARIO, tmp_path)
    flat = pl.read_parquet(files.registry)
    assert all(not isinstance(d, pl.List) for d in flat.schema.dtypes())
    back = unflatten_registry(flatten_registry(SCENARIO.registry))
    assert back.select("identifiers", "aliases", "owners").equals(
        SCENARIO.registry.select("identifiers", "aliases", "owners")
    )
    assert sorted(p.name for p in files.watchlist.iterdir()) == ["add.csv", "alt.csv", "sdn.csv"]
    assert "source_row" not in pl.read_parquet(files.flows).columns  # provenance comes from the connector
