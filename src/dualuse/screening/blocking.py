"""Blocking: which pairs are worth scoring, found through an inverted index of rare keys.

Every name gets keys: its tokens' phonetic keys (``t:``, generic words excepted), the first and last four letters of
long tokens (``p:``, ``s:``, so a typo in one half of a word still meets), the whole name
without spaces (``c:``) and its identifiers (``i:``). Keys that more than ``max_df`` watch-list
names share are dropped (``c:`` and ``i:`` keys never are): they would pair everything with
everything and carry no evidence. A query name meets the watch-list names that share at least
one kept key, and keeps the ``top_k`` with the largest sum of the shared keys' IDF (ties kept).
So a million names are never compared all against all.

Example:
    >>> import polars as pl
    >>> from dualuse.screening.scoring import prepare_names
    >>> watch = prepare_names(pl.DataFrame({"name": ["Elem Group LLP", "Kotel Trade"], "kind": ["company"] * 2}))
    >>> query = prepare_names(pl.DataFrame({"name": ["ТОО Элем Групп"], "kind": ["company"]}))
    >>> candidate_pairs(query, watch).select("a", "b").rows()
    [(0, 0)]
"""

from __future__ import annotations

import polars as pl

__all__ = ["blocking_keys", "candidate_pairs"]

_PREFIX = 4
_MIN_SPLIT = 6  # tokens at least this long also get prefix and suffix keys


def blocking_keys(prepared: pl.DataFrame) -> pl.DataFrame:
    """The blocking keys of prepared names: columns ``nid`` and ``key`` (distinct pairs).

    Example:
        >>> from dualuse.screening.scoring import prepare_names
        >>> names = prepare_names(pl.DataFrame({"name": ["Kazakhtelecom"], "kind": ["company"]}))
        >>> sorted(blocking_keys(names)["key"].to_list())
        ['c:kazahtelekom', 'p:kaza', 's:ekom', 't:kazahtelekom']
    """
    # Generic words ("Trade", "Group") never block: they would pair everything with everything.
    tokens = (
        prepared.select("nid", key=pl.col("keys"), generic=pl.col("generic"))
        .explode("key", "generic")
        .filter(pl.col("key").is_not_null() & ~pl.col("generic"))
    )
    long = tokens.filter(pl.col("key").str.len_chars() >= _MIN_SPLIT)
    parts = [
        tokens.select("nid", pl.concat_str(pl.lit("t:"), "key").alias("key")),
        long.select("nid", pl.concat_str(pl.lit("p:"), pl.col("key").str.slice(0, _PREFIX)).alias("key")),
        long.select("nid", pl.concat_str(pl.lit("s:"), pl.col("key").str.slice(-_PREFIX)).alias("key")),
        prepared.filter(pl.col("concat") != "").select("nid", pl.concat_str(pl.lit("c:"), "concat").alias("key")),
    ]
    if "ids" in prepared.columns:
        ids = prepared.select("nid", key=pl.col("ids")).explode("key").drop_nulls("key")
        parts.append(ids.select("nid", pl.concat_str(pl.lit("i:"), "key").alias("key")))
    return pl.concat(parts).unique()


def candidate_pairs(
    queries: pl.DataFrame,
    watchlist: pl.DataFrame,
    *,
    max_df: int = 20,
    top_k: int = 5,
) -> pl.DataFrame:
    """Candidate pairs (``a`` = query ``nid``, ``b`` = watch-list ``nid``, ``block_score``).

    ``max_df``: keys shared by more watch-list names than this are not used for blocking.
    ``top_k``: per query name, the ``top_k`` distinct watch-list names with the largest
    ``block_score`` (the sum of the IDF of the shared keys; ties broken by the name) are kept,
    with every watch-list row that carries one of them, so the result does not depend on row
    order.

    Example:
        >>> from dualuse.screening.scoring import prepare_names
        >>> watch = prepare_names(pl.DataFrame({"name": ["Kazakhtelecom"], "kind": ["company"]}))
        >>> query = prepare_names(pl.DataFrame({"name": ["Kazahtelekom JSC"], "kind": ["company"]}))
        >>> candidate_pairs(query, watch)["b"].to_list()
        [0]
    """
    # Work on distinct watch-list names: rows with the same name share their keys and score.
    # A name's hash breaks ties, so the cut at top_k does not depend on row order.
    name_hash = pl.concat_str("kind", "name", pl.col("ids").list.join(","), separator="\x1f").hash(seed=6)
    if "ids" not in watchlist.columns:
        name_hash = pl.concat_str("kind", "name", separator="\x1f").hash(seed=6)
    rows = watchlist.select(b="nid", name_hash=name_hash)
    representatives = rows.group_by("name_hash").agg(pl.col("b").min().alias("nid"))
    index = blocking_keys(watchlist.join(representatives.select("nid"), on="nid", how="semi"))
    index = index.join(representatives.rename({"nid": "rep"}), left_on="nid", right_on="rep").drop("nid")
    total = max(representatives.height, 1)
    frequency = index.group_by("key").agg(pl.len().alias("df"))
    kept = frequency.filter(
        (pl.col("df") <= max_df) | pl.col("key").str.starts_with("c:") | pl.col("key").str.starts_with("i:")
    ).with_columns(idf=(1.0 + total / pl.col("df").cast(pl.Float64)).log())
    index = index.join(kept.select("key", "idf"), on="key")
    hits = blocking_keys(queries).rename({"nid": "a"}).join(index, on="key")
    best = (
        hits.group_by("a", "name_hash")
        .agg(pl.col("idf").sum().alias("block_score"))
        .sort("a", "block_score", "name_hash", descending=[False, True, False])
        .group_by("a", maintain_order=True)
        .head(top_k)
    )
    return best.join(rows, on="name_hash").select("a", "b", "block_score").sort("a", "b")
