"""Fuzzy party resolution: parties known only by a name join the party they are a variant of.

After identifiers and exact normalised names (:mod:`dualuse.trace.parties`), a party that has no
identifier may still be a spelling of another party of its country that the normaliser cannot
make equal: "ТОО «Альфа Трейд»" in a Russian declaration, "ALFA TRADE LLP" in a Kazakh export
record. Candidate pairs are found within a country by the words of the names (each word by its
lexicon class or phonetic key, :func:`dualuse.screening.lexicon.match_tokens`; rare words and
the set of a name's distinctive words), scored by the screening matcher
(:func:`dualuse.screening.scoring.score_pairs`), and merged when the score reaches a strict
threshold and nothing contradicts (the legal forms of the two names must not conflict).

No transitive drift: a party joins a *core* only on its own match with that core. Parties with
an identifier are cores; a name-only party joins the best-matching one (and none when two match
about equally well); the name-only parties left over gather around the most frequent of them,
again each on its own match. Two parties with identifiers are never merged by name.

Examples:
    >>> keys = pl.DataFrame({"key": ["id:KZ:1", "name:KZ:altyntreyd", "name:KZ:vegagroup"],
    ...     "country": ["KZ"] * 3, "name": ["Altyn Trade LLP", "ТОО «Алтын Трейд»", "Vega Group LLP"],
    ...     "name_text": ["altyn trade", "altyn treyd", "vega group"], "n": [5, 2, 1]})
    >>> fuzzy_merges(keys).rows()
    [('name:KZ:altyntreyd', 'id:KZ:1', 1.0)]
"""

from __future__ import annotations

import polars as pl

from dualuse.screening.lexicon import match_tokens
from dualuse.screening.scoring import ScoringConfig, prepare_names, score_pairs

__all__ = ["FUZZY_THRESHOLD", "fuzzy_merges"]

FUZZY_THRESHOLD = 0.9
"""The score at which two spellings are merged into one party (stricter than screening's 0.8)."""

_RARE = 20  # a word shared by more parties of a country than this does not pair them
_SIGNATURE = 200  # nor a set of distinctive words shared by more than this
_AMBIGUOUS = 0.02  # a second identified party this close to the best: no merge
_SPELLINGS = 2  # the most frequent spellings of a party that are compared


def _word_keys(texts: pl.Series) -> pl.DataFrame:
    """``token`` -> ``word`` (its lexicon class or phonetic key) and ``sound`` (its phonetic key as
    written) of every distinct distinctive word (generic words never pair parties)."""
    tokens = texts.str.split(" ").explode().drop_nulls().unique()
    tokens = tokens.filter(tokens != "")
    words: list[str | None] = []
    sounds: list[str | None] = []
    for token in tokens.to_list():
        match = match_tokens([token])
        distinctive = bool(match) and not match[0].generic
        words.append(match[0].key if distinctive else None)
        sounds.append(match[0].raw if distinctive else None)
    frame = pl.DataFrame(
        {"token": tokens, "word": words, "sound": sounds}, schema_overrides={"word": pl.String, "sound": pl.String}
    )
    return frame.drop_nulls("word")


def _candidates(spellings: pl.DataFrame) -> pl.DataFrame:
    """Pairs (``query``, ``target``) of party keys of one country that share a rare word or word set."""
    tokens = (
        spellings.select("key", "country", "name_text", token=pl.col("name_text").str.split(" "))
        .explode("token")
        .join(_word_keys(spellings["name_text"]), on="token")
    )
    words = tokens.select("key", "country", "word").unique()
    # each spelling's set of distinctive words (a typo in one spelling of a party spoils no other):
    # as lexicon classes, as written, and as written without first letters (Kazakh Latin writes
    # Ж as J: "Juldyz" / "Zhuldyz")
    variants = (("=", pl.col("word")), ("~", pl.col("sound")), ("-", pl.col("sound").str.slice(1)))
    signatures = pl.concat(
        tokens.group_by("key", "country", "name_text")
        .agg((pl.lit(mark) + word.unique().sort().str.join("|")).alias("word"))
        .select("key", "country", "word")
        for mark, word in variants
    )
    blocks = []
    for frame, limit in ((words, _RARE), (signatures, _SIGNATURE)):
        counted = frame.unique().with_columns(pl.len().over("country", "word").alias("df"))
        blocks.append(counted.filter(pl.col("df") <= limit).select("key", "country", "word"))
    block = pl.concat(blocks).unique()
    queries = block.filter(pl.col("key").str.starts_with("name:")).rename({"key": "query"})
    return (
        queries.join(block.rename({"key": "target"}), on=["country", "word"])
        .filter(pl.col("query") != pl.col("target"))
        .select("query", "target")
        .unique()
    )


_PAIRS_AT_ONCE = 100_000
"""Name pairs scored at a time: scoring holds a few kilobytes per pair, and at 10 M generated lines
the candidates are 1.7 M name pairs (7 GB at once)."""


def _scores(pairs: pl.DataFrame, spellings: pl.DataFrame, config: ScoringConfig, floor: float) -> pl.DataFrame:
    """The best score of each party pair over their most frequent spellings, where it reaches ``floor``
    (legal-form conflicts excluded). Pairs are scored a slice at a time, so memory does not grow with them."""
    empty = pl.DataFrame(schema={"query": pl.String, "target": pl.String, "score": pl.Float64})
    involved = pl.concat([pairs["query"], pairs["target"]]).unique()
    top = (
        spellings.filter(pl.col("key").is_in(involved.implode()))
        .sort("key", "n", "name", descending=[False, True, False])
        .group_by("key", maintain_order=True)
        .head(_SPELLINGS)
        .select("key", "name")
    )
    names = top["name"].unique().sort()
    prepared = prepare_names(pl.DataFrame({"name": names, "kind": ["company"] * names.len()}), config)
    ids = prepared.select("nid", "name")
    name_pairs = (
        pairs.join(top.rename({"key": "query", "name": "q_name"}), on="query")
        .join(top.rename({"key": "target", "name": "t_name"}), on="target")
        .join(ids.rename({"nid": "a", "name": "q_name"}), on="q_name")
        .join(ids.rename({"nid": "b", "name": "t_name"}), on="t_name")
        .select("query", "target", "a", "b")
    )
    found = [empty]
    for batch in name_pairs.iter_slices(_PAIRS_AT_ONCE):
        scored = score_pairs(prepared, prepared, batch.select("a", "b"), config)
        found.append(
            batch.select("query", "target")
            .with_columns(scored["score"], scored["f_legal_form"])
            .filter((pl.col("f_legal_form") >= 0) & (pl.col("score") >= floor))
            .select("query", "target", "score")
        )
    return pl.concat(found).group_by("query", "target").agg(pl.col("score").max())


def fuzzy_merges(
    parties: pl.DataFrame, *, threshold: float = FUZZY_THRESHOLD, config: ScoringConfig | None = None
) -> pl.DataFrame:
    """Which name-only parties join which party: columns ``key`` (the name-only party), ``core``, ``score``.

    ``parties``: one row per spelling of a provisional party, with ``key`` (``id:...`` for
    parties with an identifier, ``name:...`` for the others), ``country``, ``name``,
    ``name_text`` (its normalised text) and ``n`` (its records). See the module documentation
    for how candidates are found and merged.
    """
    config = config or ScoringConfig()
    empty = pl.DataFrame(schema={"key": pl.String, "core": pl.String, "score": pl.Float64})
    spellings = parties.filter(pl.col("key").is_not_null() & (pl.col("name_text").fill_null("") != ""))
    if not spellings["key"].str.starts_with("name:").any():
        return empty
    edges = _scores(_candidates(spellings), spellings, config, threshold)
    if edges.is_empty():
        return empty
    records = spellings.group_by("key").agg(pl.col("n").sum().alias("records"))
    # name-only parties join the best identified party, unless a second one matches about as well
    to_identified = (
        edges.filter(pl.col("target").str.starts_with("id:"))
        .sort("query", "score", "target", descending=[False, True, False])
        .group_by("query", maintain_order=True)
        .agg(
            pl.col("target").first().alias("core"),
            pl.col("score").first(),
            pl.col("score").get(1, null_on_oob=True).alias("next"),
        )
        .filter(pl.col("next").is_null() | (pl.col("score") - pl.col("next") > _AMBIGUOUS))
        .select(pl.col("query").alias("key"), "core", "score")
    )
    merged = dict(zip(to_identified["key"], to_identified["core"], strict=True))
    scores = dict(zip(to_identified["key"], to_identified["score"], strict=True))
    # the rest gather around the most frequent name-only party they match directly
    among = edges.filter(
        pl.col("target").str.starts_with("name:")
        & ~pl.col("query").is_in(list(merged))
        & ~pl.col("target").is_in(list(merged))
    )
    neighbours: dict[str, list[tuple[str, float]]] = {}
    for query, target, score in among.iter_rows():
        neighbours.setdefault(query, []).append((target, score))
        neighbours.setdefault(target, []).append((query, score))
    order = records.filter(pl.col("key").is_in(list(neighbours))).sort("records", "key", descending=[True, False])
    assigned: set[str] = set()
    for core in order["key"].to_list():
        if core in assigned:
            continue
        assigned.add(core)
        for member, score in sorted(neighbours[core], key=lambda item: (-item[1], item[0])):
            if member not in assigned:
                assigned.add(member)
                merged[member], scores[member] = core, score
    if not merged:
        return empty
    return pl.DataFrame(
        {"key": list(merged), "core": list(merged.values()), "score": [scores[k] for k in merged]},
        schema={"key": pl.String, "core": pl.String, "score": pl.Float64},
    ).sort("key")
