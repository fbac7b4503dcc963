from __future__ import annotations

import polars as pl

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
