"""The shipments scenario generator."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dualuse.errors import InputError
from dualuse.schema import validate
from dualuse.synth.shipments import PlantedCase, PlantedParty, demo_cases, generate_shipments


def test_same_seed_same_frames_and_canonical_schema() -> None:
    a = generate_shipments(seed=9, chains=12, background=30)
    b = generate_shipments(seed=9, chains=12, background=30)
    assert a.shipments.equals(b.shipments) and a.truth.equals(b.truth)
    assert validate(a.shipments, "shipments").ok
    assert a.shipments["shipment_id"].is_unique().all()
    assert not generate_shipments(seed=10, chains=12, background=30).shipments.equals(a.shipments)
    assert validate(a.registry.drop("owners_changed"), "parties").ok and validate(a.watchlist, "parties").ok


def test_noise_is_there() -> None:
    s = generate_shipments(seed=1, chains=60, background=100)
    lines = s.shipments
    assert lines["importer_name"].str.contains("[А-Яа-я]").any()  # Cyrillic names
    assert lines["brand"].null_count() > 0 and lines["exporter_id"].null_count() > 0
    true_lines = s.truth["shipment_id"]
    assert lines.filter(~pl.col("shipment_id").is_in(true_lines.implode())).height >= 100  # decoys and background
    per_chain = s.truth.group_by("chain_id").agg(pl.len().alias("legs"))
    assert set(per_chain["legs"]) == {2, 3}  # one and two hubs
    shared = s.truth.group_by("shipment_id").agg(pl.col("chain_id").n_unique().alias("n"))
    assert shared["n"].max() == 2  # split and merged consignments put one line in two chains


def test_demo_cases_as_described() -> None:
    s = generate_shipments(seed=0, chains=0, background=0, decoys=0, planted=demo_cases())
    bishkek = s.shipments.filter(pl.col("exporter_country") == "CN", pl.col("importer_country") == "KG")
    assert bishkek.height == 7 and bishkek["value_usd"].sum() == pytest.approx(3700.0)
    assert bishkek["date"].is_between(dt.date(2023, 6, 1), dt.date(2023, 6, 30)).all()
    assert set(bishkek["hs_code"]) == {"847150"}
    steppe = s.registry.filter(pl.col("name") == "Steppe Component Trade LLP").row(0, named=True)
    assert steppe["founded"] == dt.date(2022, 3, 18) and steppe["employees"] < 5
    assert s.watchlist["name"].to_list() == ["Krasnoyarsk Vychislitel JSC"]
    assert s.truth["case"].value_counts().sort("case").rows() == [
        ("bishkek computing forwarder", 14),
        ("kazakh transistor trader", 24),
    ]


def test_bad_planted_cases_are_named() -> None:
    party = PlantedParty("A LLC", "KZ")
    bad = PlantedCase("x", "CN>KZ>RU", (party,), "854121", "d", dt.date(2023, 1, 1), dt.date(2023, 2, 1))
    with pytest.raises(InputError, match="3 countries"):
        generate_shipments(chains=0, planted=[bad])
    with pytest.raises(InputError, match="chains"):
        generate_shipments(chains=-1)
