"""The evaluation harness and the targets: regional F1, UN recall and false alarms."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dualuse.errors import InputError
from dualuse.screening.evaluate import best_threshold, flag_rate, load_pairs, regional_pairs, score_labelled, sweep

THRESHOLD = 0.8


def test_sweep_counts_by_hand() -> None:
    frame = pl.DataFrame(
        {
            "score": [0.95, 0.85, 0.75, 0.9, 0.3],
            "is_match": [True, True, True, False, False],
            "kind": ["company", "person", "person", "company", "person"],
            "script": ["cross"] * 5,
        }
    )
    table = sweep(frame, [0.8])
    overall = table.filter(pl.col("slice") == "all").row(0, named=True)
    assert (overall["tp"], overall["fp"], overall["fn"], overall["tn"]) == (2, 1, 1, 1)
    assert overall["precision"] == pytest.approx(2 / 3) and overall["recall"] == pytest.approx(2 / 3)
    person = table.filter(pl.col("slice") == "kind=person").row(0, named=True)
    assert (person["tp"], person["fn"], person["tn"]) == (1, 1, 1)


def test_load_pairs_names_the_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("name1,name2,is_match,kind\nA,B,1,company\nC,D,maybe,company\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column is_match: is_match 'maybe'"):
        load_pairs(path)


def test_regional_set_target_f1() -> None:
    pairs = load_pairs(regional_pairs())
    assert pairs.height >= 400
    assert set(pairs["script"].unique()) == {"cross", "cyrillic", "latin"}
    table = sweep(score_labelled(pairs), [THRESHOLD])
    overall = table.filter(pl.col("slice") == "all").row(0, named=True)
    assert overall["f1"] >= 0.95
    for row in table.iter_rows(named=True):
        assert row["f1"] >= 0.9, row
    assert best_threshold(sweep(score_labelled(pairs)))["f1"] >= 0.95


def test_un_positives_recall_and_negatives_false_alarms(shared_data: Path) -> None:
    folder = shared_data / "screening"
    treated = pl.read_csv(folder / "yente_positives_un_treated.csv")["full_name"]
    clean = pl.read_csv(folder / "yente_positives_un_untreated.csv")["full_name"]
    pairs = pl.DataFrame({"name1": treated, "name2": clean, "is_match": True, "kind": "person"})
    recall = float((score_labelled(pairs)["score"] >= THRESHOLD).sum()) / pairs.height
    assert recall >= 0.95
    negatives = pl.concat(
        pl.read_csv(folder / f"yente_validation_negatives_{region}_1k.csv").select(name="full_name")
        for region in ("global", "us")
    )
    assert negatives.height == 2000
    rate = flag_rate(negatives, pl.DataFrame({"name": clean}), threshold=THRESHOLD, kind="person")
    assert rate <= 0.01


def test_un_positives_are_found_by_screen_blocking(shared_data: Path) -> None:
    from dualuse.screening import screen

    folder = shared_data / "screening"
    treated = pl.read_csv(folder / "yente_positives_un_treated.csv").select(name="full_name")
    clean = pl.read_csv(folder / "yente_positives_un_untreated.csv").select(name="full_name")
    queries = treated.with_row_index("party_id").with_columns(pl.col("party_id").cast(pl.Utf8))
    watch = clean.with_row_index("party_id").with_columns(pl.col("party_id").cast(pl.Utf8))
    found = screen(queries, watch, threshold=THRESHOLD, kind="person")
    same_row = found.filter(pl.col("query_id") == pl.col("match_id"))["query_id"].n_unique()
    assert same_row / queries.height >= 0.95
