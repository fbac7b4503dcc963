"""screen(): two parties tables, blocking, order independence; the CLI command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner

from dualuse.cli.app import app
from dualuse.errors import InputError
from dualuse.schema import Identifier, Party, from_records
from dualuse.screening import SCREEN_COLUMNS, screen
from dualuse.screening.blocking import candidate_pairs
from dualuse.screening.scoring import prepare_names

WATCH = pl.DataFrame(
    {
        "party_id": ["ofac-47950", "w2", "w3", "w4"],
        "name": ["LIMITED LIABILITY PARTNERSHIP ELEM GROUP", "Kazakhtelecom JSC", "Nurtas Trade LLP", "Petrov Ivan"],
        "aliases": [["ТОО «Элем Групп»"], [], [], ["Петров Иван Сергеевич"]],
        "kind": ["company", "company", "company", "person"],
        "country": ["KZ", "KZ", "KZ", "RU"],
        "programs": [["RUSSIA-EO14024"], [], ["X"], ["Y"]],
        "source": ["ofac_sdn"] * 4,
        "source_row": [47950, 2, 3, 4],
    }
)
MINE = pl.DataFrame(
    {
        "party_id": ["c1", "c2", "c3", "c4", "c5"],
        "name": ["ТОО Элем Групп", "АО «Казахтелеком»", "ТОО «Алтын Трейд»", "Иван Петров", "Acme Widgets"],
        "country": ["KZ", "KZ", "KZ", None, "US"],
    }
)


def test_screen_finds_the_matches_best_first_with_explanations() -> None:
    result = screen(MINE, WATCH)
    assert result.columns == list(SCREEN_COLUMNS)
    assert result.select("query_id", "match_id").rows() == [("c1", "ofac-47950"), ("c2", "w2"), ("c4", "w4")]
    first = result.row(0, named=True)
    assert first["score"] == 1.0
    assert first["match_programs"] == ["RUSSIA-EO14024"]
    assert (first["match_source"], first["match_source_row"]) == ("ofac_sdn", 47950)
    assert first["explanation"].startswith("1.00 = name +1.00")
    assert {f["name"] for f in first["features"]} == {"name", "country", "legal_form", "lexicon"}
    assert result["score"].to_list() == sorted(result["score"].to_list(), reverse=True)


def test_generic_word_overlap_is_not_flagged_even_at_low_threshold() -> None:
    result = screen(MINE.filter(pl.col("party_id") == "c3"), WATCH, threshold=0.6)
    assert result.is_empty()


def test_screen_on_canonical_parties_with_identifiers() -> None:
    mine: list[BaseModel] = [
        Party(
            party_id="p1",
            name="Sever Trans",
            kind="company",
            source="mine",
            source_row=1,
            identifiers=[Identifier(scheme="INN", value="7707083893")],
        )
    ]
    listed: list[BaseModel] = [
        Party(
            party_id="s1",
            name="Yuzhnyy Most",
            kind="company",
            source="list",
            source_row=9,
            listed_on=dt.date(2024, 2, 23),
            identifiers=[Identifier(scheme="ИНН", value="7707083893")],
        )
    ]
    result = screen(from_records(mine, "parties"), from_records(listed, "parties"))
    assert result.select("query_id", "match_id", "score").rows() == [("p1", "s1", 1.0)]
    assert "equal INN" in result["explanation"][0]


def test_blocking_never_pairs_on_generic_words_only() -> None:
    names = ["Techno Trade", "Alfa Trade", "Elem Group", "Nurtas Group"]
    watch = prepare_names(pl.DataFrame({"name": names, "kind": ["company"] * 4}))
    query = prepare_names(pl.DataFrame({"name": ["Kotel Trade Group"], "kind": ["company"]}))
    assert candidate_pairs(query, watch).is_empty()


def test_bad_input_is_a_typed_error() -> None:
    with pytest.raises(InputError, match="no column 'company'"):
        screen(MINE.rename({"name": "n"}), WATCH, name_column="company")
    with pytest.raises(InputError, match="threshold"):
        screen(MINE, WATCH, threshold=1.5)


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_screen_does_not_depend_on_row_order(rng: object) -> None:
    import random

    assert isinstance(rng, random.Random)
    mine = MINE.sample(fraction=1.0, shuffle=True, seed=rng.randrange(1000))
    watch = WATCH.sample(fraction=1.0, shuffle=True, seed=rng.randrange(1000))
    assert screen(mine, watch, threshold=0.5).equals(screen(MINE, WATCH, threshold=0.5))


def test_cli_screen_writes_matches(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    MINE.write_csv(names)
    watch = tmp_path / "watch.parquet"
    WATCH.write_parquet(watch)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["screen", str(names), "--against", str(watch), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pl.read_csv(out)
    assert written["match_id"].to_list() == ["ofac-47950", "w2", "w4"]
    assert written["features"][0].startswith("name=1.0")


def test_cli_screen_eval_prints_the_sweep_of_a_pairs_file() -> None:
    from dualuse.screening.evaluate import regional_pairs

    result = CliRunner().invoke(app, ["screen", "eval", str(regional_pairs())])
    assert result.exit_code == 0, result.output
    assert "best F1" in result.output and "threshold sweep" in result.output


def test_cli_screen_eval_without_pairs_prints_the_held_out_sets() -> None:
    result = CliRunner().invoke(app, ["screen", "eval"], env={"COLUMNS": "250", "DUALUSE_REFERENCE_DATA": ""})
    assert result.exit_code == 0, result.output
    assert "regional held-out" in result.output and "public benchmark: not found" in result.output


def test_cli_screen_without_watchlist_fails(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    MINE.write_csv(names)
    result = CliRunner().invoke(app, ["screen", str(names)])
    assert result.exit_code == 1


def test_cli_screen_reads_excel_with_another_name_column(tmp_path: Path) -> None:
    names = tmp_path / "names.xlsx"
    MINE.rename({"name": "company"}).write_excel(names)
    watch = tmp_path / "watch.parquet"
    WATCH.write_parquet(watch)
    out = tmp_path / "out.parquet"
    args = ["screen", str(names), "--against", str(watch), "--name-column", "company", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out)["query_id"].to_list() == ["c1", "c2", "c4"]
