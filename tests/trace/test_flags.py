"""Red flags, each on a hand-built case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from dualuse.errors import InputError, SchemaError
from dualuse.schema import polars_schema
from dualuse.trace import exited, red_flags, resolve_parties

Ship = Callable[..., dict[str, Any]]
Frame = Callable[[list[dict[str, Any]]], pl.DataFrame]
CN = ("Shenzhen Parts Co., Ltd.", "CN", None)
NEW = ("Steppe Trade LLP", "KZ", "220340012345")
OLD = ("Old Hand LLP", "KZ", "100000000001")
RU = ("Vega LLC", "RU", "7707083893")


def parties_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = dict(polars_schema("parties")) | {"owners_changed": pl.Date()}
    base: dict[str, Any] = {
        "aliases": [],
        "kind": "company",
        "programs": [],
        "listed_on": None,
        "source": "t",
        "source_row": 0,
        "founded": None,
        "employees": None,
        "revenue_usd": None,
        "owners": [],
        "owners_changed": None,
        "identifiers": [],
        "country": None,
    }
    return pl.DataFrame([base | r for r in rows], schema=schema, orient="row")


@pytest.fixture
def lines(ship: Ship, frame: Frame) -> pl.DataFrame:
    return frame(
        [
            ship("S-1", "2021-05-01", CN, OLD, hs="940360", value=500.0),  # old hand: unlisted before
            ship("S-2", "2021-06-01", CN, ("Spiky LLP", "KZ", "300000000003"), hs="854231", value=100.0),
            ship("S-3", "2022-06-01", CN, NEW, hs="854231", value=2000.0),
            ship("S-4", "2022-07-01", CN, OLD, hs="854231", value=3000.0),
            ship("S-5", "2022-08-01", NEW, RU, hs="854231", value=2500.0, brand="Intel"),
            ship("S-6", "2023-01-01", CN, ("Spiky LLP", "KZ", "300000000003"), hs="854231", value=9000.0),
            ship("S-7", "2022-01-10", NEW, RU, hs="854231", value=10.0, brand="Intel"),  # before Intel's announcement
        ]
    )


def flags_of(flags: pl.DataFrame, name: str) -> dict[str, str]:
    return dict(flags.filter(pl.col("name") == name).select("flag", "detail").rows())


def test_history_flags(lines: pl.DataFrame) -> None:
    flags = red_flags(lines)
    assert "new_importer_after_invasion" in flags_of(flags, "Steppe Trade LLP")
    assert flags_of(flags, "Steppe Trade LLP")["new_importer_after_invasion"].startswith(
        "no import before 2022-02-24 in data from 2021-05-01; first import of listed goods 2022-06-01; $2,000"
    )
    assert flags_of(flags, "Old Hand LLP") == {
        "listed_only_after_invasion": "1 imports before 2022-02-24, none of listed goods; listed goods from 2022-07-01 ($3,000)"
    }
    spiky = flags.filter(pl.col("name") == "Spiky LLP").row(0, named=True)
    # $100 over 299 days before (9.82 months) against $9,000 over 311 days after (10.22 months)
    assert spiky["flag"] == "listed_spike_after_invasion"
    assert spiky["value"] == pytest.approx((9000 / (311 / 30.44)) / (100 / (299 / 30.44)), rel=1e-6)
    assert spiky["evidence"] == [{"table": "shipments", "source": "test", "source_row": 6}]


def test_no_history_flags_without_pre_war_data(lines: pl.DataFrame) -> None:
    later = lines.filter(pl.col("date") >= dt.date(2022, 2, 24))
    assert not red_flags(later)["flag"].str.contains("invasion").any()


def test_exited_manufacturer_after_the_announcement_only(lines: pl.DataFrame) -> None:
    flags = red_flags(lines)
    detail = flags_of(flags, "Steppe Trade LLP")["exited_manufacturer_goods"]
    assert detail == "1 shipment to RU ($2,500) of goods of Intel Corporation (announced leaving Russia 2022-04-05)"
    own = pl.DataFrame({"name": ["Acme"], "aliases": [["INTEL"]], "announced": [dt.date(2020, 1, 1)], "source": ["x"]})
    assert flags_of(red_flags(lines, exited=own), "Steppe Trade LLP")["exited_manufacturer_goods"].startswith(
        "2 shipments"
    )


def test_registry_flags(lines: pl.DataFrame) -> None:
    registry = parties_frame(
        [
            {
                "party_id": "r1",
                "name": "Steppe Trade LLP",
                "country": "KZ",
                "founded": dt.date(2022, 3, 18),
                "employees": 3,
                "revenue_usd": 14_500_000.0,
                "owners": ["A. Demidov"],
                "owners_changed": dt.date(2023, 3, 14),
                "identifiers": [{"scheme": "BIN", "value": "220340012345"}],
            },
            {
                "party_id": "r2",
                "name": "OLD HAND, TOO",
                "country": "KZ",
                "founded": dt.date(2001, 1, 1),
                "employees": 40,
                "revenue_usd": 5e6,
                "owners": ["B"],
            },
            {"party_id": "r3", "name": "Old Hand LLP", "country": "KZ", "owners": ["C"]},
        ]
    )
    flags = red_flags(lines, registry=registry)
    steppe = flags_of(flags, "Steppe Trade LLP")
    assert steppe["founded_after_invasion"] == "founded 2022-03-18, 22 days after 2022-02-24"
    assert steppe["tiny_staff_large_turnover"] == "3 employees, revenue $14.5 m, $4,510 traded in the data"
    assert steppe["recent_owner_change"] == "owners changed 2023-03-14 (now: A. Demidov)"
    old = flags_of(flags, "Old Hand LLP")  # matched by normalised name: two rows with different owners
    assert old["recent_owner_change"] == "registry rows name different owners: B / C"
    assert "founded_after_invasion" not in old


def test_sanctioned_party_and_counterparty_from_a_watch_list_or_screening(lines: pl.DataFrame) -> None:
    watch = parties_frame([{"party_id": "w", "name": "VEGA, OOO", "country": "RU", "programs": ["RUSSIA-EO14024"]}])
    flags = red_flags(lines, sanctioned=watch)
    assert flags_of(flags, "Vega LLC")["sanctioned_party"] == "listed as VEGA, OOO (RUSSIA-EO14024)"
    assert flags_of(flags, "Steppe Trade LLP")["sanctioned_counterparty"] == (
        "2 shipments ($2,510) with Vega LLC, listed as VEGA, OOO (RUSSIA-EO14024)"
    )
    by_id = parties_frame(
        [{"party_id": "w", "name": "Other name", "identifiers": [{"scheme": "INN", "value": "7707083893"}]}]
    )
    assert "sanctioned_party" in flags_of(red_flags(lines, sanctioned=by_id), "Vega LLC")
    vega = resolve_parties(lines).parties.filter(pl.col("name") == "Vega LLC")["party_id"].item()
    screened = pl.DataFrame(
        {"query_id": [vega], "query_name": ["Vega LLC"], "match_id": ["x"], "match_name": ["VEGA OOO"], "score": [0.93]}
    )
    assert (
        flags_of(red_flags(lines, sanctioned=screened), "Vega LLC")["sanctioned_party"]
        == "matches VEGA OOO (score 0.93)"
    )


def test_bad_inputs_are_named(lines: pl.DataFrame) -> None:
    with pytest.raises(SchemaError, match="name"):
        red_flags(lines, sanctioned=pl.DataFrame({"x": [1]}))
    with pytest.raises(SchemaError, match="name"):
        red_flags(lines, exited=pl.DataFrame({"x": ["a"]}))


def test_exited_list_has_sources_and_loads_files(tmp_path: Any) -> None:
    bundled = exited.manufacturers()
    assert bundled.height >= 10 and (bundled["source"].str.len_chars() > 10).all()
    good = tmp_path / "mine.toml"
    good.write_text('[[manufacturer]]\nname = "Acme"\nannounced = 2022-03-01\nsource = "press release"\n')
    assert exited.load(good).row(0) == ("Acme", [], dt.date(2022, 3, 1), "press release")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[manufacturer]]\nname = "Acme"\n')
    with pytest.raises(InputError, match="row 0"):
        exited.load(bad)
    with pytest.raises(InputError, match="source"):
        exited.register("Acme", source="")
