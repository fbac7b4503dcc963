from __future__ import annotations

import polars as pl
import pytest

from dualuse.errors import InputError
from dualuse.screening import screen

WATCH = pl.DataFrame(
    {"party_id": ["ofac-47950"], "name": ["LIMITED LIABILITY PARTNERSHIP ELEM GROUP"], "country": ["KZ"]}
)


def test_null_aliases_do_not_hide_the_name() -> None:
    """A registry read from Parquet often has ``aliases`` null rather than an empty list."""
    mine = pl.DataFrame(
        {"party_id": ["c1"], "name": ["ТОО «Элем Групп»"], "aliases": [None], "country": ["KZ"]},
        schema_overrides={"aliases": pl.List(pl.String)},
    )
    assert screen(mine, WATCH).select("query_id", "match_id").rows() == [("c1", "ofac-47950")]


def test_empty_query_table_gives_an_empty_result() -> None:
    empty = pl.DataFrame(schema={"party_id": pl.String, "name": pl.String})
    result = screen(empty, WATCH)
    assert result.height == 0
    assert "match_id" in result.columns


@pytest.mark.parametrize("written", ["KZ", "Kazakhstan", "kz", "KAZ", "Казахстан"])
def test_a_country_counts_the_same_however_it_is_written(written: str) -> None:
    # compared as written, "Kazakhstan" against "KZ" weighed against the match (0.94 instead of 1.0)
    watch = pl.DataFrame({"party_id": ["w1"], "name": ["ELEM GROUP LLP"], "country": ["KZ"]})
    mine = pl.DataFrame({"party_id": ["c1"], "name": ["ТОО «Элем Групп»"], "country": [written]})
    assert screen(mine, watch)["score"].to_list() == [1.0]


def test_an_unknown_country_is_refused_with_its_row() -> None:
    watch = pl.DataFrame({"party_id": ["w1"], "name": ["ELEM GROUP LLP"], "country": ["KZ"]})
    mine = pl.DataFrame({"party_id": ["c1", "c2"], "name": ["Elem Group", "Orion"], "country": ["KZ", "Narnia"]})
    with pytest.raises(InputError, match="row 2, column country: unknown country 'Narnia'"):
        screen(mine, watch)
