"""The screening API: :func:`score` for one pair, :func:`screen` for two parties tables.

Examples:
    >>> result = score("ТОО «Элем Групп»", "LIMITED LIABILITY PARTNERSHIP ELEM GROUP")
    >>> result.score, [f.name for f in result.explanation]
    (1.0, ['name', 'legal_form', 'lexicon'])
    >>> score("ООО «Техно Трейд»", "ТОО «Альфа Трейд»").score  # only "Trade"; a Russian LLC, a Kazakh LLP
    0.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from pydantic import BaseModel
from rapidfuzz import fuzz, process

from dualuse import inputs
from dualuse.display import html_card, short_repr
from dualuse.errors import InputError
from dualuse.execution import Engine
from dualuse.execution.plan import wants_partitions
from dualuse.frames import delivers
from dualuse.screening.blocking import BlockingIndex, build_index, candidate_pairs
from dualuse.screening.identifiers import canonical_ids, compare
from dualuse.screening.normalize import KINDS
from dualuse.screening.scoring import ScoringConfig, prepare_names, score_pairs
from dualuse.values import parse_country

__all__ = [
    "SCREEN_COLUMNS",
    "Feature",
    "PreparedWatchlist",
    "Score",
    "ScreenSettings",
    "empty_result",
    "in_result_order",
    "party_table",
    "prepare_watchlist",
    "score",
    "screen",
    "screen_prepared",
]

SCREEN_COLUMNS = (
    "query_id",
    "query_name",
    "match_id",
    "match_name",
    "score",
    "explanation",
    "features",
    "query_matched_name",
    "match_matched_name",
    "match_kind",
    "match_country",
    "match_source",
    "match_source_row",
    "match_programs",
)
"""The columns of :func:`screen`'s result, in order."""

_BATCH = 100_000  # query names per blocking and scoring batch
_FEATURE_STRUCT = pl.List(pl.Struct({"name": pl.Utf8, "weight": pl.Float64, "value": pl.Float64}))


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature of a score: its contribution ``weight`` to the score, its raw ``value``, why."""

    name: str
    weight: float
    value: float
    detail: str


@dataclass(frozen=True, slots=True, repr=False)
class Score:
    """A score in [0, 1] with the features that made it and the two names that were compared."""

    score: float
    explanation: list[Feature] = field(default_factory=list)
    left_name: str = ""
    right_name: str = ""

    @property
    def text(self) -> str:
        """The explanation as one line of text."""
        return _explanation_text(self.score, self.explanation)

    def __repr__(self) -> str:
        # The whole explanation is `.text` and the notebook card; a repr stays one short line.
        text = self.text if len(self.text) <= 120 else self.text[:119] + "…"
        return short_repr("Score", self.score, self.left_name, self.right_name, explanation=text)

    def _repr_html_(self) -> str:
        features = pl.DataFrame(
            [{"feature": f.name, "weight": f.weight, "detail": f.detail} for f in self.explanation],
            schema={"feature": pl.String, "weight": pl.Float64, "detail": pl.String},
        )
        facts = [("score", f"{self.score:.2f}"), ("names", f"{self.left_name} ~ {self.right_name}")]
        return html_card("Screening score", facts, {"features": features})


def _explanation_text(value: float, features: Iterable[Feature]) -> str:
    """``0.80 = name +0.90 (...); country -0.10 (KZ ≠ RU)``; an equal identifier comes first, as what settles it.

    Examples:
        >>> equal = Feature("identifier", 0.0, 1.0, "equal INN")
        >>> _explanation_text(1.0, [Feature("name", 1.0, 1.0, "vega=vega"), equal])
        '1.00 = equal INN settles the match; name +1.00 (vega=vega)'
    """
    settled = [f"{f.detail} settles the match" for f in features if f.name == "identifier" and f.value == 1.0]
    parts = [
        f"{f.name} {f.weight:+.2f} ({f.detail})" if f.detail else f"{f.name} {f.weight:+.2f}"
        for f in features
        if not (f.name == "identifier" and f.value == 1.0)
    ]
    return f"{value:.2f} = " + "; ".join([*settled, *parts])


def _listed(value: Any) -> str:
    return ",".join(value or []) or "-"


def _legal_form_detail(row: Mapping[str, Any]) -> str:
    """What the two names' legal forms say: their tags, families and jurisdictions, and the verdict."""
    left, right = row.get("legal_forms") or [], row.get("legal_forms_b") or []
    if not left and not right:
        return "no legal form on either name"
    sides = [
        f"{'/'.join(forms) or 'none'} [{_listed(row.get(f'form_families{s}'))}; {_listed(row.get(f'jurisdictions{s}'))}]"
        for forms, s in ((left, ""), (right, "_b"))
    ]
    weight = row["f_legal_form"]
    if weight > 0:
        verdict = "same family or descriptor: weak evidence for"
    elif weight < 0:
        families = set(row.get("form_families") or []), set(row.get("form_families_b") or [])
        places = set(row.get("jurisdictions") or []), set(row.get("jurisdictions_b") or [])
        reasons = []
        if all(families) and not families[0] & families[1]:
            reasons.append("different families")
        if all(places) and not places[0] & places[1]:
            reasons.append("different jurisdictions")
        verdict = " and ".join(reasons) + ": evidence against"
    else:
        verdict = "no evidence either way"
    return f"{sides[0]} vs {sides[1]}: {verdict}"


def _features(row: Mapping[str, Any]) -> list[Feature]:
    """The features of one scored pair: ``name``, ``legal_form`` and ``lexicon`` always, the others when they fired."""
    features = [
        Feature(
            "name",
            row["f_name"],
            row["f_name"],
            f"{row.get('matched') or 'no tokens'}; tokens {row['name_tokens']:.2f}, no spaces {row['name_concat']:.2f}",
        )
    ]
    if row["f_generic_only"]:
        features.append(
            Feature("generic_only", row["f_generic_only"], 1.0, "only generic words or legal forms in common")
        )
    if row["f_mismatch"]:
        features.append(Feature("mismatch", row["f_mismatch"], 1.0, "each name has words the other lacks"))
    if row["f_number"]:
        left, right = _listed(row.get("numbers")), _listed(row.get("numbers_b"))
        features.append(Feature("number", row["f_number"], 1.0, f"numbers {left} vs {right}"))
    if row["f_country"]:
        same = row["f_country"] > 0
        features.append(
            Feature(
                "country", row["f_country"], float(same), f"{row['country']} {'=' if same else '≠'} {row['country_b']}"
            )
        )
    features.append(Feature("legal_form", row["f_legal_form"], float(row["f_legal_form"] > 0), _legal_form_detail(row)))
    lexicon = row.get("lexicon") or ""
    features.append(Feature("lexicon", 0.0, float(bool(lexicon)), lexicon or "no word matched through the lexicon"))
    if row["f_kind"]:
        features.append(Feature("kind", row["f_kind"], 1.0, f"{row['kind']} vs {row['kind_b']}"))
    comparison = compare(row.get("ids") or [], row.get("ids_b") or [])
    if comparison.equal or comparison.conflicting:
        if comparison.equal:
            detail = "equal " + ", ".join(comparison.equal)
            features.append(Feature("identifier", row["f_identifier"], 1.0, detail))
        else:
            detail = "conflicting " + ", ".join(comparison.conflicting)
            features.append(Feature("identifier", row["f_identifier"], 0.0, detail))
    return features


# ---------------------------------------------------------------- parties as name rows


def _identifier_pairs(value: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in value or []:
        if isinstance(item, Mapping):
            pairs.append((str(item.get("scheme") or ""), str(item.get("value") or "")))
        elif isinstance(item, BaseModel):
            pairs.append((str(getattr(item, "scheme", "")), str(getattr(item, "value", ""))))
        else:
            scheme, id_value = item
            pairs.append((str(scheme), str(id_value)))
    return pairs


def _as_party(value: Any, kind: str) -> dict[str, Any]:
    if isinstance(value, str):
        return {"name": value, "aliases": [], "kind": kind, "country": None, "ids": []}
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        raise InputError(f"expected a name or a party with a 'name', got {value!r}")
    return {
        "name": value["name"],
        "aliases": [a for a in value.get("aliases") or [] if a],
        "kind": value.get("kind") or kind,
        "country": value.get("country"),
        "ids": canonical_ids(_identifier_pairs(value.get("identifiers"))),
    }


def _name_rows(party: dict[str, Any]) -> pl.DataFrame:
    names = list(dict.fromkeys([party["name"], *party["aliases"]]))
    return pl.DataFrame(
        {
            "row": [0] * len(names),
            "name": names,
            "kind": [party["kind"]] * len(names),
            "country": [party["country"]] * len(names),
            "ids": [party["ids"]] * len(names),
        },
        schema={"row": pl.UInt32, "name": pl.Utf8, "kind": pl.Utf8, "country": pl.Utf8, "ids": pl.List(pl.Utf8)},
    )


def _details_frame(left: pl.DataFrame, right: pl.DataFrame, scored: pl.DataFrame) -> pl.DataFrame:
    """Scored pairs joined with what the explanation needs from both sides."""
    info = ["nid", "name", "kind", "country", "ids", "legal_forms", "form_families", "jurisdictions", "numbers"]
    return scored.join(left.select(info).rename({"nid": "a"}), on="a", how="left").join(
        right.select(info).rename({"nid": "b"}), on="b", how="left", suffix="_b"
    )


def score(a: Any, b: Any, *, kind: str = "company", config: ScoringConfig | None = None) -> Score:
    """Score two names or parties: a :class:`Score` in [0, 1] with its explanation.

    ``a`` and ``b`` are names, or parties (dicts or :class:`dualuse.schema.Party` records with
    ``name`` and optionally ``aliases``, ``kind``, ``country``, ``identifiers``). With aliases,
    every name of one side is compared with every name of the other and the best pair counts.
    ``kind`` applies to plain names and parties without one.

    Examples:
        >>> score("Kazakhtelecom JSC", "АО «Казахтелеком»").score
        1.0
        >>> left = {"name": "Nurly Zhol", "identifiers": [{"scheme": "BIN", "value": "990740000683"}]}
        >>> right = {"name": "Sever Trans", "identifiers": [{"scheme": "БИН", "value": "990740000683"}]}
        >>> result = score(left, right)
        >>> result.score, result.explanation[-1].detail
        (1.0, 'equal BIN')
        >>> print(score("Elem Group LLP", "Elem Group JSC").text)  # doctest: +NORMALIZE_WHITESPACE
        0.75 = name +1.00 (elem=elem, group=group; tokens 1.00, no spaces 1.00); legal_form -0.25 (llp [llp; -]
        vs jsc [jsc; -]: different families: evidence against); lexicon +0.00 (no word matched through the lexicon)
    """
    if kind not in KINDS:
        raise InputError(f"kind {kind!r}: expected one of {', '.join(sorted(KINDS))}")
    config = config or ScoringConfig()
    left = prepare_names(_name_rows(_as_party(a, kind)), config)
    right = prepare_names(_name_rows(_as_party(b, kind)), config)
    pairs = left.select(a="nid").join(right.select(b="nid"), how="cross")
    scored = score_pairs(left, right, pairs, config, details=True)
    best = (
        _details_frame(left, right, scored).sort("score", "a", "b", descending=[True, False, False]).row(0, named=True)
    )
    return Score(best["score"], _features(best), best["name"], best["name_b"])


# ---------------------------------------------------------------- screening two tables


def party_table(frame: pl.DataFrame, role: str, name_column: str, kind: str) -> pl.DataFrame:
    """A parties-like table with every column screening reads (missing ones filled; ``party_id``: ``{role}-{row}``)."""
    if name_column not in frame.columns and "name" in frame.columns:
        name_column = "name"  # a canonical parties table on the other side
    if name_column not in frame.columns:
        raise InputError(f"no column {name_column!r} (columns: {', '.join(frame.columns)})", column=name_column)
    table = frame.rename({name_column: "name"}) if name_column != "name" else frame
    table = table.with_row_index("row").with_columns(pl.col("name").cast(pl.Utf8))
    defaults: dict[str, pl.Expr] = {
        "party_id": pl.format("{}-{}", pl.lit(role), pl.col("row")),
        "aliases": pl.lit([], dtype=pl.List(pl.Utf8)),
        "kind": pl.lit(kind),
        "country": pl.lit(None, dtype=pl.Utf8),
        "programs": pl.lit([], dtype=pl.List(pl.Utf8)),
        "source": pl.lit(None, dtype=pl.Utf8),
        "source_row": pl.lit(None, dtype=pl.Int64),
    }
    table = table.with_columns(expr.alias(column) for column, expr in defaults.items() if column not in table.columns)
    for column in ("aliases", "programs"):  # text (from CSV): several values separated by ";"
        if table.schema[column] in (pl.Utf8, pl.Null):
            table = table.with_columns(
                pl.col(column)
                .cast(pl.Utf8)
                .fill_null("")
                .str.split(";")
                .list.eval(pl.element().str.strip_chars())
                .list.eval(pl.element().filter(pl.element() != ""))
            )
    table = table.with_columns(pl.col("party_id").cast(pl.Utf8), pl.col("kind").fill_null(kind))
    table = _countries_read(table)
    ids: list[list[str]] = [[] for _ in range(table.height)]
    if "identifiers" in table.columns:
        for i, value in enumerate(table["identifiers"].to_list()):
            if value:
                ids[i] = canonical_ids(_identifier_pairs(value))
    return table.with_columns(ids=pl.Series(ids, dtype=pl.List(pl.Utf8)))


def _countries_read(table: pl.DataFrame) -> pl.DataFrame:
    """``country`` as ISO codes, however written ("Kazakhstan", "kz", "KAZ"): compared as written, a
    name and a code of one country would weigh against a match. An unreadable country is refused."""
    parsed = parse_country(pl.col("country"))
    read = table.with_columns(parsed.expr.alias("__country"))
    value, filled = parsed.value_of(pl.col("__country")), parsed.filled_of(pl.col("__country"))
    bad = read.filter((filled if filled is not None else pl.col("country").is_not_null()) & value.is_null())
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(
            f"unknown country {first['country']!r} for {first['name']!r} ({bad.height} row(s) like it)",
            row=int(first["row"]) + 1,
            column="country",
        )
    return read.with_columns(value.alias("country")).drop("__country")


def _names_of(table: pl.DataFrame) -> pl.DataFrame:
    aliases = pl.col("aliases").fill_null(pl.lit([], dtype=pl.List(pl.String)))  # a null list would null the name too
    names = table.select("row", "kind", "country", "ids", all_names=pl.concat_list(pl.col("name"), aliases))
    return (
        names.explode("all_names")
        .rename({"all_names": "name"})
        .filter(pl.col("name").is_not_null() & (pl.col("name").str.strip_chars() != ""))
        .unique(["row", "name"])
        .sort("row", "name")
    )


@delivers
def screen(
    parties: object,
    watchlist: object,
    *,
    threshold: float = 0.8,
    name_column: str = "name",
    kind: str = "unknown",
    max_df: int = 20,
    top_k: int = 5,
    prefilter: float = 0.5,
    config: ScoringConfig | None = None,
    engine: Engine = None,
    partitions: int | None = None,
) -> pl.DataFrame:
    """Candidate matches of ``parties`` in ``watchlist``, best first, with explanations.

    Both are canonical parties tables (``dualuse.schema`` "parties") or any table with a name
    column (``name_column``, else ``name``): polars, pandas or Arrow, a file or several
    (:func:`dualuse.inputs.frame`); ``party_id``, ``aliases``, ``kind``, ``country``,
    ``identifiers``, ``programs``, ``source`` and ``source_row`` are used when present
    (``aliases`` and ``programs`` as lists, or as text with values separated by ``;``).
    Every name and alias of a party is matched; each (party, watch-list party) pair appears
    once, with its best-scoring names. Pairs come from rare-key blocking
    (:func:`dualuse.screening.blocking.candidate_pairs` with ``max_df``, ``top_k``); pairs
    whose letters barely agree (similarity of the space-free and of the sorted names both below
    ``prefilter``, and no identifiers on both sides) are dropped before
    :func:`dualuse.screening.scoring.score_pairs`; rows with ``score >= threshold`` are kept.
    The result (columns :data:`SCREEN_COLUMNS`) does not depend on the order of the rows.

    ``engine`` (``"local"``, ``"ray"`` or an :class:`~dualuse.execution.Executor`) and
    ``partitions`` run it partitioned: the parties in slices, each screened against the watch list
    and its blocking index, prepared once and shared (:mod:`dualuse.screening.partitioned`);
    ``parties`` may then be a partitioned Parquet dataset, read slice by slice. The result is the
    same.

    Examples:
        >>> watch = pl.DataFrame({"party_id": ["ofac-47950"], "name": ["LIMITED LIABILITY PARTNERSHIP ELEM GROUP"],
        ...                       "country": ["KZ"], "programs": [["RUSSIA-EO14024"]]})
        >>> mine = pl.DataFrame({"party_id": ["c1", "c2"], "name": ["ТОО «Элем Групп»", "ТОО «Элем Трейд»"],
        ...                      "country": ["KZ", "KZ"]})
        >>> screen(mine, watch).select("query_id", "match_id", "score").rows()
        [('c1', 'ofac-47950', 1.0)]
    """
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"threshold {threshold!r}: expected a number between 0 and 1")
    config = config or ScoringConfig()
    settings = ScreenSettings(threshold, name_column, kind, max_df, top_k, prefilter, config)
    if wants_partitions(parties, engine, partitions):
        from dualuse.screening.partitioned import screen_partitioned

        return screen_partitioned(parties, watchlist, settings, engine=engine, partitions=partitions)
    queries = party_table(inputs.frame(parties, what="parties"), "query", name_column, kind)
    return screen_prepared(queries, prepare_watchlist(watchlist, settings), settings)


@dataclass(frozen=True)
class ScreenSettings:
    """The settings of one :func:`screen` call, as its keyword arguments name them."""

    threshold: float = 0.8
    name_column: str = "name"
    kind: str = "unknown"
    max_df: int = 20
    top_k: int = 5
    prefilter: float = 0.5
    config: ScoringConfig = field(default_factory=ScoringConfig)


@dataclass(frozen=True)
class PreparedWatchlist:
    """A watch list ready to screen against: its table, its prepared names and their blocking index."""

    table: pl.DataFrame
    names: pl.DataFrame
    index: BlockingIndex


def prepare_watchlist(watchlist: object, settings: ScreenSettings) -> PreparedWatchlist:
    """Read, normalise and index a watch list once, for any number of :func:`screen_prepared` calls."""
    watch = party_table(inputs.frame(watchlist, what="watchlist"), "watch", settings.name_column, settings.kind)
    names = prepare_names(_names_of(watch), settings.config)
    return PreparedWatchlist(watch, names, build_index(names, max_df=settings.max_df))


def screen_prepared(queries: pl.DataFrame, watchlist: PreparedWatchlist, settings: ScreenSettings) -> pl.DataFrame:
    """:func:`screen` of a :func:`party_table` of queries against a :func:`prepare_watchlist` result."""
    config, threshold, watch, watch_names = settings.config, settings.threshold, watchlist.table, watchlist.names
    query_names = prepare_names(_names_of(queries), config)
    index = watchlist.index

    def kept_pairs(start: int) -> pl.DataFrame:
        batch = query_names.slice(start, _BATCH)
        pairs = _prefilter(batch, watch_names, candidate_pairs(batch, index, top_k=settings.top_k), settings.prefilter)
        scored = score_pairs(batch, watch_names, pairs.select("a", "b"), config)
        return scored.filter(pl.col("score") >= threshold).select("a", "b")

    # Batches bound the memory of a big run; two at a time keep both cores busy (polars and
    # rapidfuzz release the GIL while they work).
    starts = range(0, query_names.height, _BATCH)
    with ThreadPoolExecutor(max_workers=2) as pool:
        batches = list(pool.map(kept_pairs, starts))
    kept = pl.concat(batches) if batches else pl.DataFrame(schema={"a": pl.UInt32, "b": pl.UInt32})
    if kept.is_empty():
        return empty_result()
    detailed = _details_frame(
        query_names, watch_names, score_pairs(query_names, watch_names, kept, config, details=True)
    )
    detailed = detailed.join(query_names.select(a="nid", q_row="row"), on="a").join(
        watch_names.select(b="nid", w_row="row"), on="b"
    )
    best = detailed.sort(["score", "name", "name_b"], descending=[True, False, False]).unique(
        ["q_row", "w_row"], keep="first", maintain_order=True
    )
    texts: list[str] = []
    features: list[list[dict[str, float | str]]] = []
    for row in best.iter_rows(named=True):
        fired = _features(row)
        texts.append(_explanation_text(row["score"], fired))
        features.append([{"name": f.name, "weight": f.weight, "value": f.value} for f in fired])
    best = best.with_columns(
        explanation=pl.Series(texts, dtype=pl.Utf8), features=pl.Series(features, dtype=_FEATURE_STRUCT)
    )
    q_info = queries.select(q_row="row", query_id="party_id", query_name="name")
    w_info = watch.select(
        w_row="row",
        match_id="party_id",
        match_name="name",
        match_kind="kind",
        match_country="country",
        match_source=pl.col("source").cast(pl.Utf8),
        match_source_row=pl.col("source_row").cast(pl.Int64),
        match_programs=pl.col("programs").cast(pl.List(pl.Utf8)),
    )
    result = (
        best.rename({"name": "query_matched_name", "name_b": "match_matched_name"})
        .join(q_info, on="q_row")
        .join(w_info, on="w_row")
        .select(SCREEN_COLUMNS)
    )
    return in_result_order(result)


def in_result_order(result: pl.DataFrame) -> pl.DataFrame:
    """Rows in :func:`screen`'s order: best score first, then by query and match id and name."""
    return result.sort(
        ["score", "query_id", "match_id", "query_name", "match_name"], descending=[True, False, False, False, False]
    )


def _prefilter(left: pl.DataFrame, right: pl.DataFrame, pairs: pl.DataFrame, floor: float) -> pl.DataFrame:
    """Drop candidate pairs whose letters barely agree: two cheap vectorised similarities."""
    if floor <= 0 or pairs.is_empty():
        return pairs

    def strings(frame: pl.DataFrame, side: str) -> pl.DataFrame:
        return frame.select(
            pl.col("nid").alias(side),
            pl.col("concat").alias(f"concat_{side}"),
            pl.col("keys").list.sort().list.join(" ").alias(f"sorted_{side}"),
            (pl.col("ids").list.len() > 0).alias(f"ids_{side}"),
        )

    frame = pairs.join(strings(left, "a"), on="a", how="left").join(strings(right, "b"), on="b", how="left")
    concat = process.cpdist(frame["concat_a"].to_list(), frame["concat_b"].to_list(), scorer=fuzz.ratio, workers=-1)
    ordered = process.cpdist(frame["sorted_a"].to_list(), frame["sorted_b"].to_list(), scorer=fuzz.ratio, workers=-1)
    similar = pl.Series(concat >= floor * 100) | pl.Series(ordered >= floor * 100)
    keep = similar | (frame["ids_a"] & frame["ids_b"])
    return pairs.filter(keep)


def empty_result() -> pl.DataFrame:
    """An empty result of :func:`screen`, with its columns and types."""
    schema: dict[str, pl.DataType] = {
        "query_id": pl.Utf8(),
        "query_name": pl.Utf8(),
        "match_id": pl.Utf8(),
        "match_name": pl.Utf8(),
        "score": pl.Float64(),
        "explanation": pl.Utf8(),
        "features": _FEATURE_STRUCT,
        "query_matched_name": pl.Utf8(),
        "match_matched_name": pl.Utf8(),
        "match_kind": pl.Utf8(),
        "match_country": pl.Utf8(),
        "match_source": pl.Utf8(),
        "match_source_row": pl.Int64(),
        "match_programs": pl.List(pl.Utf8),
    }
    return pl.DataFrame(schema=schema)
