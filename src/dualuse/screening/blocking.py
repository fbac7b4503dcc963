"""Blocking: which pairs are worth scoring, found through an inverted index of rare keys.

Every name gets keys: its tokens' phonetic keys (``t:``, generic words excepted), their
one-deletion variants (``d:``, so that two spellings one edit apart meet), the whole name
without spaces (``c:``) and its identifiers (``i:``). Keys that more than ``max_df`` watch-list
names share are dropped (``c:`` and ``i:`` keys never are): they would pair everything with
everything and carry no evidence. A query name meets the watch-list names that share at least
one kept key, and keeps the ``top_k`` with the largest sum of the shared keys' IDF (ties kept).
So a million names are never compared all against all.

Examples:
    >>> import polars as pl
    >>> from dualuse.screening.scoring import prepare_names
    >>> watch = prepare_names(pl.DataFrame({"name": ["Elem Group LLP", "Kotel Trade"], "kind": ["company"] * 2}))
    >>> query = prepare_names(pl.DataFrame({"name": ["ТОО Элем Групп"], "kind": ["company"]}))
    >>> candidate_pairs(query, watch).select("a", "b").rows()
    [(0, 0)]
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["BlockingIndex", "blocking_keys", "build_index", "candidate_pairs"]

_MIN_DELETE = 4  # tokens this long or longer (and at most _MAX_DELETE) get one-deletion keys
_MAX_DELETE = 16


def blocking_keys(prepared: pl.DataFrame) -> pl.DataFrame:
    """The blocking keys of prepared names: columns ``nid`` and ``key`` (distinct pairs).

        Examples:
            >>> from dualuse.screening.scoring import prepare_names
            >>> names = prepare_names(pl.DataFrame({"name": ["Kazakhtelecom"], "kind": ["company"]}))
    >>> keys = sorted(blocking_keys(names)["key"].to_list())
            >>> keys[:3], len(keys)
            (['c:kazahtelekom', 'd:azahtelekom', 'd:azakhtelecom'], 29)
    """
    return _all_keys(prepared).unique()


def _all_keys(prepared: pl.DataFrame) -> pl.DataFrame:
    """The blocking keys of prepared names, with repeats (a word and its phonetic key often agree)."""
    # Generic words ("Trade", "Group") never block: they would pair everything with everything.
    tokens = (
        prepared.select("nid", key=pl.col("keys"), generic=pl.col("generic"))
        .explode("key", "generic")
        .filter(pl.col("key").is_not_null() & ~pl.col("generic"))
    )
    # One-deletion variants ("d:") of the written words (phonetic keys fold double letters,
    # which can turn one edit into two): two spellings one edit apart share a variant, and a word
    # one letter longer than another has the shorter one among its variants.
    written = (
        prepared.select("nid", word=pl.col("tokens"), generic=pl.col("generic"))
        .explode("word", "generic")
        .filter(pl.col("word").is_not_null() & ~pl.col("generic"))
        .select("nid", "word")
    )
    # ... and of the phonetic keys, where one Cyrillic letter ("ш" -> "sh") is one letter again
    words = pl.concat([written, tokens.select("nid", word=pl.col("key"))]).unique()
    deletions = (
        words.filter(pl.col("word").str.len_chars().is_between(_MIN_DELETE, _MAX_DELETE))
        .with_columns(position=pl.int_ranges(pl.col("word").str.len_chars()))
        .explode("position")
        .select(
            "nid",
            pl.concat_str(
                pl.lit("d:"),
                pl.col("word").str.slice(0, pl.col("position")),
                pl.col("word").str.slice(pl.col("position") + 1),
            ).alias("key"),
        )
    )
    parts = [
        tokens.select("nid", pl.concat_str(pl.lit("t:"), "key").alias("key")),
        words.select("nid", pl.concat_str(pl.lit("d:"), "word").alias("key")),
        deletions,
        prepared.filter(pl.col("concat") != "").select("nid", pl.concat_str(pl.lit("c:"), "concat").alias("key")),
    ]
    if "ids" in prepared.columns:
        ids = prepared.select("nid", key=pl.col("ids")).explode("key").drop_nulls("key")
        parts.append(ids.select("nid", pl.concat_str(pl.lit("i:"), "key").alias("key")))
    return pl.concat(parts)


@dataclass(frozen=True)
class BlockingIndex:
    """The inverted index of a watch list: ``keys`` (key, name_hash, idf), ``rows`` (name_hash, b)."""

    keys: pl.DataFrame
    rows: pl.DataFrame


def build_index(watchlist: pl.DataFrame, *, max_df: int = 20) -> BlockingIndex:
    """Index prepared watch-list names by their kept blocking keys (see :func:`candidate_pairs`).

    Examples:
        >>> from dualuse.screening.scoring import prepare_names
        >>> watch = prepare_names(pl.DataFrame({"name": ["Kazakhtelecom", "Kazakhtelecom"], "kind": ["company"] * 2}))
        >>> index = build_index(watch)
        >>> index.rows.height, index.keys["name_hash"].n_unique()
        (2, 1)
    """
    # Work on distinct watch-list names: rows with the same name share their keys and score.
    # A name's hash breaks ties, so the cut at top_k does not depend on row order.
    parts = [pl.col("kind"), pl.col("name")]
    if "ids" in watchlist.columns:
        parts.append(pl.col("ids").list.join(","))
    rows = watchlist.select(b="nid", name_hash=pl.concat_str(parts, separator="\x1f").hash(seed=6))
    representatives = rows.group_by("name_hash").agg(pl.col("b").min().alias("nid"))
    index = blocking_keys(watchlist.join(representatives.select("nid"), on="nid", how="semi"))
    index = index.join(representatives.rename({"nid": "rep"}), left_on="nid", right_on="rep").drop("nid")
    total = max(representatives.height, 1)
    frequency = index.group_by("key").agg(pl.len().alias("df"))
    kept = frequency.filter(
        (pl.col("df") <= max_df) | pl.col("key").str.starts_with("c:") | pl.col("key").str.starts_with("i:")
    ).with_columns(idf=(1.0 + total / pl.col("df").cast(pl.Float64)).log())
    return BlockingIndex(index.join(kept.select("key", "idf"), on="key"), rows)


def candidate_pairs(
    queries: pl.DataFrame,
    watchlist: pl.DataFrame | BlockingIndex,
    *,
    max_df: int = 20,
    top_k: int = 5,
) -> pl.DataFrame:
    """Candidate pairs (``a`` = query ``nid``, ``b`` = watch-list ``nid``, ``block_score``).

    ``watchlist``: prepared watch-list names, or their :func:`build_index` (to reuse it over
    several batches of queries). ``max_df``: keys shared by more watch-list names than this
    are not used. ``top_k``: per query name, the ``top_k`` distinct watch-list names with the
    largest ``block_score`` (the sum of the IDF of the shared keys; ties broken by the name) are
    kept, with every watch-list row that carries one of them, so the result does not depend on
    row order.

    Examples:
        >>> from dualuse.screening.scoring import prepare_names
        >>> watch = prepare_names(pl.DataFrame({"name": ["Kazakhtelecom"], "kind": ["company"]}))
        >>> query = prepare_names(pl.DataFrame({"name": ["Kazahtelekom JSC"], "kind": ["company"]}))
        >>> candidate_pairs(query, watch)["b"].to_list()
        [0]
    """
    index = watchlist if isinstance(watchlist, BlockingIndex) else build_index(watchlist, max_df=max_df)
    # Most keys of a query meet nothing: join first, then drop the repeated keys among the hits.
    hits = _all_keys(queries).rename({"nid": "a"}).join(index.keys, on="key").unique(["a", "key", "name_hash"])
    best = (
        hits.group_by("a", "name_hash")
        .agg(pl.col("idf").sum().alias("block_score"))
        .sort("a", "block_score", "name_hash", descending=[False, True, False])
        .group_by("a", maintain_order=True)
        .head(top_k)
    )
    return best.join(index.rows, on="name_hash").select("a", "b", "block_score").sort("a", "b")
