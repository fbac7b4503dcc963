"""Fuzzy party resolution: variants join the party they spell, never through a chain of weak links."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pytest

from dualuse.errors import InputError
from dualuse.synth.shipments import generate_shipments
from dualuse.trace import chains, fuzzy, resolve_parties
from dualuse.trace.fuzzy import fuzzy_merges
from tests.trace.test_parties import sides as exporter_sides


def sides(rows: Sequence[tuple[str, str, str | None]]) -> pl.DataFrame:
    """Exporter sides to resolve; the importer, a Russian buyer with its INN."""
    return exporter_sides(rows).with_columns(pl.lit("7707083893").alias("importer_id"))


def test_a_cyrillic_spelling_without_identifier_joins_the_identified_party() -> None:
    # the case: the trader in a Russian declaration and in a Kazakh export record
    frame = sides([("ALFA TRADE LLP", "KZ", "220340015717"), ("ТОО «Альфа Трейд»", "KZ", None)])
    exact = resolve_parties(frame, fuzzy=None)
    assert exact.shipments["exporter_party"].n_unique() == 2
    resolved = resolve_parties(frame)
    assert resolved.shipments["exporter_party"].n_unique() == 1
    assert resolved.shipments["exporter_by"].to_list() == ["id", "fuzzy"]
    party = resolved.parties.filter(pl.col("country") == "KZ").row(0, named=True)
    assert party["resolved_by"] == "fuzzy" and party["match_score"] >= fuzzy.FUZZY_THRESHOLD
    assert sorted([party["name"], *party["aliases"]]) == ["ALFA TRADE LLP", "ТОО «Альфа Трейд»"]
    assert resolved.parties.filter(pl.col("country") == "RU")["match_score"].to_list() == [1.0]


@pytest.mark.parametrize(
    "variant",
    [
        "ТОО «Алтын Нур Торговля»",  # translated word by word
        "LIMITED LIABILITY PARTNERSHIP ALTYN NUR TRADE",  # legal form spelled out
        "Tovarishchestvo s Ogranichennoy Otvetstvennostyu Altin Nur Trade",  # another romanisation
    ],
)
def test_variants_of_the_synthetic_scenario_join(variant: str) -> None:
    resolved = resolve_parties(sides([("Altyn Nur Trade LLP", "KZ", "123456789012"), (variant, "KZ", None)]))
    assert resolved.shipments["exporter_party"].n_unique() == 1


def test_contradictions_and_other_countries_never_merge() -> None:
    resolved = resolve_parties(
        sides(
            [
                ("ALFA TRADE LLP", "KZ", "220340015717"),
                ("ООО «Альфа Трейд»", "KZ", None),  # a Russian form: another legal person
                ("Alfa Trade LLP", "KG", None),  # another country
                ("Alfa Tech LLP", "KZ", None),  # another name
            ]
        )
    )
    assert resolved.shipments["exporter_party"].n_unique() == 4
    assert set(resolved.shipments["exporter_by"]) == {"id", "name"}


def test_a_name_matching_two_identified_parties_equally_joins_neither() -> None:
    resolved = resolve_parties(
        sides(
            [
                ("Vega Group LLP", "KZ", "111111111111"),
                ("VEGA GROUP, TOO", "KZ", "222222222222"),
                ("ТОО «Вега Групп»", "KZ", None),
            ]
        )
    )
    assert resolved.shipments["exporter_party"].n_unique() == 3
    assert resolved.shipments["exporter_by"].to_list()[2] == "name"


def _spellings(rows: Sequence[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"key": [r[0] for r in rows], "country": ["KZ"] * len(rows), "name": [r[1] for r in rows],
         "name_text": [r[1].lower() for r in rows], "n": [r[2] for r in rows]}
    )  # fmt: skip


def test_no_transitive_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every member matches its core directly: B joins A; C, which matches only B, joins nobody."""
    edges = pl.DataFrame(
        {
            "query": ["name:B", "name:C", "name:C", "name:D", "name:E"],
            "target": ["id:A", "name:B", "id:A", "name:E", "name:F"],
            "score": [0.95, 0.97, 0.5, 0.93, 0.92],
        }
    )
    monkeypatch.setattr(
        fuzzy, "_scores", lambda pairs, spellings, config, floor: edges.filter(pl.col("score") >= floor)
    )
    monkeypatch.setattr(fuzzy, "_candidates", lambda spellings: edges.select("query", "target"))
    parties = _spellings(
        [
            ("id:A", "a", 9),
            ("name:B", "b", 5),
            ("name:C", "c", 1),
            ("name:D", "d", 1),
            ("name:E", "e", 7),
            ("name:F", "f", 1),
        ]
    )
    merges = {key: core for key, core, _ in fuzzy_merges(parties).iter_rows()}
    # D and F each match E, the most frequent of the three, directly; D and F never meet each other
    assert merges == {"name:B": "id:A", "name:D": "name:E", "name:F": "name:E"}


def test_resolution_with_variants_does_not_depend_on_row_order() -> None:
    shipments = generate_shipments(seed=4, chains=60, background=60, name_variants=0.6).shipments
    first = resolve_parties(shipments)
    second = resolve_parties(shipments.reverse())
    assert first.parties.equals(second.parties)
    assert first.shipments["exporter_party"].to_list() == second.shipments["exporter_party"].reverse().to_list()
    assert (first.parties["resolved_by"] == "fuzzy").sum() > 0


def test_scoring_candidates_a_few_at_a_time_gives_the_same_parties(monkeypatch: pytest.MonkeyPatch) -> None:
    # candidate pairs are scored in slices so that memory does not grow with them
    shipments = generate_shipments(seed=4, chains=60, background=60, name_variants=0.6).shipments
    whole = resolve_parties(shipments)
    monkeypatch.setattr(fuzzy, "_PAIRS_AT_ONCE", 3)
    sliced = resolve_parties(shipments)
    assert (whole.parties["resolved_by"] == "fuzzy").sum() > 0
    assert sliced.parties.equals(whole.parties)
    assert sliced.shipments.equals(whole.shipments)


def _links(paths: list[list[str]]) -> set[tuple[str, str]]:
    return {(ids[i], ids[i + 1]) for ids in paths for i in range(len(ids) - 1)}


def test_chain_links_through_variants_are_found() -> None:
    scenario = generate_shipments(seed=2, chains=1500, background=400, name_variants=0.5)
    truth = _links(
        scenario.truth.sort("chain_id", "hop").group_by("chain_id").agg("shipment_id")["shipment_id"].to_list()
    )
    found = {
        resolved: _links(chains(scenario.shipments, target="RU", fuzzy=threshold).chains["shipment_ids"].to_list())
        for resolved, threshold in (("fuzzy", fuzzy.FUZZY_THRESHOLD), ("exact", None))
    }
    recall = {k: len(v & truth) / len(truth) for k, v in found.items()}
    precision = {k: len(v & truth) / len(v) for k, v in found.items()}
    assert recall["fuzzy"] >= 0.95 and precision["fuzzy"] >= 0.93
    assert recall["fuzzy"] - recall["exact"] >= 0.1


def test_synthetic_variants_only_on_sides_without_identifier() -> None:
    plain = generate_shipments(seed=1, chains=200, background=100).shipments
    varied = generate_shipments(seed=1, chains=200, background=100, name_variants=1.0).shipments
    spelled = pl.col("importer_name").str.contains("LIMITED LIABILITY|Ogranichenn|[А-Яа-я]|Free Zone|Limited")
    without = pl.col("importer_id").is_null()
    assert plain.filter(without).select(spelled.mean()).item() == 0.0
    assert varied.filter(without).select(spelled.mean()).item() >= 0.75
    # the same seed draws the same records: sides with an identifier keep their names
    assert plain.filter(~without)["importer_name"].equals(varied.filter(~without)["importer_name"])
    with pytest.raises(InputError, match="name_variants"):
        generate_shipments(seed=1, chains=1, background=1, name_variants=1.5)
