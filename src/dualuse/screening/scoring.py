"""How two names are scored: vectorised features over pairs, combined into a score in [0, 1].

The engine works on *prepared* names (:func:`prepare_names`: normalised tokens, their phonetic
keys and weights) and a frame of pairs; :func:`dualuse.screening.score` and
:func:`dualuse.screening.screen` both call :func:`score_pairs`, so a pair scores the same in
both. The features, each an additive contribution (its ``weight``) to the score:

- ``name``: the larger of a weighted soft token match (every token's best fuzzy match on the
  other side, generic words weighted low, in any order) and the square of the similarity of
  the names with the spaces removed ("Kazakh Telecom" / "Kazakhtelecom"; squared so that
  long names that share most letters but differ in a word stay below the soft match).
- ``generic_only``: caps the score at ``generic_only_cap`` when the names share only generic
  words ("Trade", "Group", "Техно") or legal forms, and their letters do not otherwise agree.
- ``country``: a small bonus when both countries are known and equal, a penalty when they differ.
- ``legal_form``: a small penalty when both names carry legal forms of incompatible families
  (a limited company versus a joint-stock company). Agreement earns nothing, so adding a legal
  form never raises a score.
- ``kind``: a penalty when a person is compared with a company.
- ``identifier``: an equal identifier of the same scheme sets the score to 1; conflicting
  identifiers of one scheme subtract ``identifier_conflict``.

Examples:
    >>> from dualuse.screening import score
    >>> score("ТОО «Элем Групп»", "LIMITED LIABILITY PARTNERSHIP ELEM GROUP").score
    1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl
from rapidfuzz import fuzz, process

from dualuse.screening.identifiers import compare
from dualuse.screening.normalize import normalize_name
from dualuse.screening.parallel import map_in_chunks
from dualuse.screening.tokens import tokenize
from dualuse.screening.translit import phonetic_key

__all__ = [
    "FEATURES",
    "ScoringConfig",
    "canonical_key",
    "generic_words",
    "prepare_names",
    "score_pairs",
    "token_weight",
]

FEATURES = ("name", "generic_only", "country", "legal_form", "kind", "identifier")
"""The features of a score, in the order the explanation lists them."""


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    """The weights of the score (see :doc:`/scoring` for how to tune them)."""

    generic_weight: float = 0.35
    """Weight of a generic word in the soft token match (a distinctive word weighs 1)."""
    short_weight: float = 0.5
    """Weight of a token of one or two letters (initials, particles such as "al")."""
    token_floor: float = 0.72
    """Two tokens whose similarity is below this count as not matching at all."""
    concat_evidence: float = 0.88
    """A space-free similarity at least this high is evidence even without a matching token."""
    generic_only_cap: float = 0.5
    country_same: float = 0.02
    country_different: float = -0.08
    legal_form_conflict: float = -0.05
    kind_conflict: float = -0.1
    identifier_conflict: float = -0.3


# Legal-form families: forms of one family are compatible (a Kazakh TOO is an LLP, often
# rendered "LLC" in English); forms of different families conflict mildly.
_FORM_FAMILY = {
    "llp": "limited",
    "llc": "limited",
    "ltd": "limited",
    "gmbh": "limited",
    "srl": "limited",
    "bv": "limited",
    "oy": "limited",
    "fze": "limited",
    "fzco": "limited",
    "dmcc": "limited",
    "alc": "limited",
    "co": "any",
    "inc": "any",
    "corp": "any",
    "jsc": "stock",
    "cjsc": "stock",
    "ojsc": "stock",
    "pjsc": "stock",
    "plc": "stock",
    "ag": "stock",
    "sa": "stock",
    "sole_trader": "sole_trader",
    "private_enterprise": "enterprise",
    "unitary_enterprise": "enterprise",
}

_PARTICLES = frozenset({"al", "el", "bin", "ben", "ibn", "abu", "abd", "bint", "ul", "ur", "ud", "van", "von", "de"})


@cache
def _generic_classes() -> dict[str, str]:
    """Phonetic key of every generic word -> the key of the first word of its class."""
    text = resources.files("dualuse.screening").joinpath("data/generic_words.txt").read_text(encoding="utf-8")
    classes: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        keys = [phonetic_key(t) for word in line.split(",") for t in tokenize(word)]
        for key in keys:
            classes.setdefault(key, keys[0])
    return classes


@cache
def generic_words() -> frozenset[str]:
    """Phonetic keys of the generic words (``data/generic_words.txt``).

    Examples:
        >>> phonetic_key("treyd") in generic_words(), phonetic_key("elem") in generic_words()
        (True, False)
    """
    return frozenset(_generic_classes())


def canonical_key(key: str, kind: str) -> str:
    """The key of a token for matching: a generic word becomes the first word of its class.

    Examples:
        >>> canonical_key(phonetic_key("treyd"), "company"), canonical_key("elem", "company")
        ('trade', 'elem')
    """
    if kind == "person":
        return key
    return _generic_classes().get(key, key)


def token_weight(key: str, kind: str, config: ScoringConfig) -> float:
    """The weight of one token (by its phonetic key) in the soft token match.

    Examples:
        >>> config = ScoringConfig()
        >>> token_weight("elem", "company", config), token_weight("grup", "company", config)
        (1.0, 0.35)
    """
    if kind != "person" and key in generic_words():
        return config.generic_weight
    if len(key) <= 2 or key in _PARTICLES:
        return config.short_weight
    return 1.0


def _token_features(token: str, person: bool, config: ScoringConfig) -> tuple[str, str, float, bool]:
    """(canonical key, phonetic key, weight, is generic) of one distinct token."""
    kind = "person" if person else "company"
    raw = phonetic_key(token)
    return canonical_key(raw, kind), raw, token_weight(raw, kind, config), (not person and raw in generic_words())


def _normalise_chunk(names: Sequence[tuple[str, str]], _unused: object) -> list[tuple[str, str, str]]:
    """(text, legal-form tags joined by ",", script) of each (name, kind)."""
    result = []
    for name, kind in names:
        normal = normalize_name(name, kind="person" if kind == "person" else "company")
        result.append((normal.text, ",".join(normal.legal_forms), normal.script))
    return result


def _token_chunk(tokens: Sequence[tuple[str, bool]], config: ScoringConfig) -> list[tuple[str, str, float, bool]]:
    return [_token_features(token, person, config) for token, person in tokens]


def prepare_names(names: pl.DataFrame, config: ScoringConfig | None = None) -> pl.DataFrame:
    """Normalise the ``name`` column (with its ``kind``) of a frame and add the matching columns.

    Input columns: ``name`` (text), ``kind`` (``person``, ``company``, ...); others are kept.
    Adds ``nid`` (row position), ``text``, ``tokens``, ``keys`` (phonetic, generic words
    replaced by their class), ``raw_keys`` (phonetic), ``weights``, ``generic``,
    ``legal_forms``, ``script`` and ``concat`` (the keys without spaces). Python work is done
    once per distinct (name, kind) and once per distinct token; the rest is vectorised.

    Examples:
        >>> frame = prepare_names(pl.DataFrame({"name": ["TOO Elem Grupp"], "kind": ["company"]}))
        >>> frame.select("text", "keys", "weights", "legal_forms").row(0)
        ('elem grupp', ['elem', 'grup'], [1.0, 0.35], ['llp'])
    """
    config = config or ScoringConfig()
    frame = names.with_columns(
        pl.col("name").fill_null("").cast(pl.Utf8), pl.col("kind").fill_null("unknown").cast(pl.Utf8)
    ).with_row_index("nid")
    distinct = frame.select("name", "kind").unique()
    normals = map_in_chunks(_normalise_chunk, distinct.rows(), None)
    texts, forms, scripts = (list(column) for column in zip(*normals, strict=True)) if normals else ([], [], [])
    normalised = distinct.with_columns(
        text=pl.Series(texts, dtype=pl.Utf8),
        legal_forms=pl.Series(forms, dtype=pl.Utf8).str.split(",").list.eval(pl.element().filter(pl.element() != "")),
        script=pl.Series(scripts, dtype=pl.Utf8),
    )
    frame = frame.join(normalised, on=["name", "kind"], how="left", nulls_equal=True).sort("nid")
    tokens = (
        frame.select("nid", person=pl.col("kind") == "person", token=pl.col("text").str.split(" "))
        .explode("token")
        .filter(pl.col("token") != "")
    )
    distinct_tokens = tokens.select("token", "person").unique()
    features = map_in_chunks(_token_chunk, distinct_tokens.rows(), config)
    distinct_tokens = distinct_tokens.with_columns(
        key=pl.Series([f[0] for f in features], dtype=pl.Utf8),
        raw_key=pl.Series([f[1] for f in features], dtype=pl.Utf8),
        weight=pl.Series([f[2] for f in features], dtype=pl.Float64),
        is_generic=pl.Series([f[3] for f in features], dtype=pl.Boolean),
    )
    lists = (
        tokens.join(distinct_tokens, on=["token", "person"], how="left", maintain_order="left")
        .group_by("nid", maintain_order=True)
        .agg(
            tokens=pl.col("token"),
            keys=pl.col("key"),
            raw_keys=pl.col("raw_key"),
            weights=pl.col("weight"),
            generic=pl.col("is_generic"),
        )
    )
    frame = frame.join(lists, on="nid", how="left", maintain_order="left")
    empty_text = pl.lit([], dtype=pl.List(pl.Utf8))
    return frame.with_columns(
        pl.col("tokens").fill_null(empty_text),
        pl.col("keys").fill_null(empty_text),
        pl.col("raw_keys").fill_null(empty_text),
        pl.col("weights").fill_null(pl.lit([], dtype=pl.List(pl.Float64))),
        pl.col("generic").fill_null(pl.lit([], dtype=pl.List(pl.Boolean))),
    ).with_columns(concat=pl.col("keys").list.join(""))


def _ratio(left: list[str], right: list[str]) -> pl.Series:
    if not left:
        return pl.Series([], dtype=pl.Float64)
    values = process.cpdist(left, right, scorer=fuzz.ratio, workers=1)
    return pl.Series(values, dtype=pl.Float64) / 100.0


def _token_table(prepared: pl.DataFrame, side: str) -> pl.DataFrame:
    return (
        prepared.select(
            pl.col("nid").alias(side),
            pl.col("tokens").alias(f"tok_{side}"),
            pl.col("keys").alias(f"key_{side}"),
            pl.col("raw_keys").alias(f"raw_{side}"),
            pl.col("weights").alias(f"w_{side}"),
            pl.col("generic").alias(f"g_{side}"),
            pl.int_ranges(pl.col("keys").list.len()).alias(f"pos_{side}"),
        )
        .explode(f"tok_{side}", f"key_{side}", f"raw_{side}", f"w_{side}", f"g_{side}", f"pos_{side}")
        .drop_nulls(f"key_{side}")
    )


def _token_matches(pairs: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame, floor: float) -> pl.DataFrame:
    """Every token pair of every name pair with its similarity (0 below ``floor``)."""
    grid = pairs.select("pair", "a", "b").join(_token_table(left, "a"), on="a").join(_token_table(right, "b"), on="b")
    # A generic word is compared both as its class ("trade") and as written ("treid"), so that
    # a typo in it ("servis"/"seris") still meets.
    distinct = grid.select("key_a", "key_b", "raw_a", "raw_b").unique()
    sims = distinct.with_columns(
        sim=pl.max_horizontal(
            _ratio(distinct["key_a"].to_list(), distinct["key_b"].to_list()),
            _ratio(distinct["raw_a"].to_list(), distinct["raw_b"].to_list()),
        )
    )
    return grid.join(sims, on=["key_a", "key_b", "raw_a", "raw_b"]).with_columns(
        sim=pl.when(pl.col("sim") >= floor).then(pl.col("sim")).otherwise(0.0)
    )


def _best(matches: pl.DataFrame, side: str) -> pl.DataFrame:
    """Each token of one side with the similarity of its best partner on the other side."""
    return matches.group_by("pair", f"pos_{side}").agg(
        pl.col("sim").max(), pl.col(f"w_{side}").first().alias("w"), pl.col(f"g_{side}").first().alias("generic")
    )


def _side_sums(best: pl.DataFrame) -> pl.DataFrame:
    return best.group_by("pair").agg(
        (pl.col("w") * pl.col("sim")).sum().alias("matched"),
        pl.col("w").sum().alias("total"),
        ((~pl.col("generic")) & (pl.col("sim") > 0)).any().alias("distinct_hit"),
        (~pl.col("generic")).any().alias("has_distinct"),
    )


def _families(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .fill_null([])
        .list.eval(pl.element().replace(_FORM_FAMILY))
        .list.set_difference(pl.lit(["any"], dtype=pl.List(pl.Utf8)))
    )


def _form_conflict(left: str, right: str) -> pl.Expr:
    """Both names carry legal forms and no family is shared."""
    families_left, families_right = _families(left), _families(right)
    return (
        (families_left.list.len() > 0)
        & (families_right.list.len() > 0)
        & (families_left.list.set_intersection(families_right).list.len() == 0)
    )


def score_pairs(
    left: pl.DataFrame,
    right: pl.DataFrame,
    pairs: pl.DataFrame,
    config: ScoringConfig | None = None,
    *,
    details: bool = False,
) -> pl.DataFrame:
    """Score pairs of prepared names: ``pairs`` has columns ``a`` (a ``nid`` of ``left``) and ``b``.

    ``left``/``right`` come from :func:`prepare_names`, optionally with ``country`` (ISO code)
    and ``ids`` (canonical ``"SCHEME:VALUE"`` strings) columns. Returns the pairs, in their
    order, with one column per feature contribution (``f_<feature>``), the raw values
    ``name_tokens``, ``name_concat``, and ``score``. With ``details=True`` also ``matched``:
    per pair, the token alignments as text ("elem=elem 1.00").

    Examples:
        >>> names = prepare_names(pl.DataFrame({"name": ["Elem Group LLP", "ТОО Элем Групп", "Kotel Group"],
        ...                                     "kind": ["company"] * 3}))
        >>> pairs = pl.DataFrame({"a": [0, 0], "b": [1, 2]}, schema={"a": pl.UInt32, "b": pl.UInt32})
        >>> score_pairs(names, names, pairs)["score"].to_list()
        [1.0, 0.49827]
    """
    config = config or ScoringConfig()
    pairs = pairs.select(pl.col("a").cast(pl.UInt32), pl.col("b").cast(pl.UInt32)).with_row_index("pair")
    matches = _token_matches(pairs, left, right, config.token_floor)
    sums_a = _side_sums(_best(matches, "a"))
    sums_b = _side_sums(_best(matches, "b"))
    optional = [c for c in ("country", "ids") if c in left.columns and c in right.columns]
    side_a = left.select(pl.col("nid").alias("a"), "concat", "kind", "legal_forms", *optional)
    side_b = right.select(pl.col("nid").alias("b"), "concat", "kind", "legal_forms", *optional)
    frame = (
        pairs.join(side_a, on="a", how="left")
        .join(side_b, on="b", how="left", suffix="_b")
        .join(sums_a, on="pair", how="left")
        .join(sums_b, on="pair", how="left", suffix="_b")
        .sort("pair")
    )
    concat = _ratio(frame["concat"].fill_null("").to_list(), frame["concat_b"].fill_null("").to_list())
    frame = frame.with_columns(
        name_concat=concat,
        name_tokens=(
            (pl.col("matched").fill_null(0) + pl.col("matched_b").fill_null(0))
            / (pl.col("total").fill_null(0) + pl.col("total_b").fill_null(0))
        ).fill_nan(0.0),
    ).with_columns(
        pl.when((pl.col("concat") == "") | (pl.col("concat_b") == ""))
        .then(0.0)
        .otherwise(pl.max_horizontal("name_tokens", pl.col("name_concat") ** 2))
        .fill_null(0.0)
        .alias("f_name")
    )
    no_evidence = (
        (pl.col("has_distinct").fill_null(False) | pl.col("has_distinct_b").fill_null(False))
        & ~(pl.col("distinct_hit").fill_null(False) | pl.col("distinct_hit_b").fill_null(False))
        & (pl.col("name_concat") < config.concat_evidence)
    )
    frame = frame.with_columns(
        f_generic_only=pl.when(no_evidence & (pl.col("f_name") > config.generic_only_cap))
        .then(config.generic_only_cap - pl.col("f_name"))
        .otherwise(0.0)
    )
    if "country" in optional:
        both = pl.col("country").is_not_null() & pl.col("country_b").is_not_null()
        frame = frame.with_columns(
            f_country=pl.when(both & (pl.col("country") == pl.col("country_b")))
            .then(config.country_same)
            .when(both)
            .then(config.country_different)
            .otherwise(0.0)
        )
    else:
        frame = frame.with_columns(f_country=pl.lit(0.0))
    kinds = {"person"}, {"company", "organization"}
    frame = frame.with_columns(
        f_legal_form=pl.when(_form_conflict("legal_forms", "legal_forms_b"))
        .then(config.legal_form_conflict)
        .otherwise(0.0),
        f_kind=pl.when(
            ((pl.col("kind").is_in(kinds[0])) & (pl.col("kind_b").is_in(kinds[1])))
            | ((pl.col("kind").is_in(kinds[1])) & (pl.col("kind_b").is_in(kinds[0])))
        )
        .then(config.kind_conflict)
        .otherwise(0.0),
    )
    partial = pl.sum_horizontal("f_name", "f_generic_only", "f_country", "f_legal_form", "f_kind")
    frame = frame.with_columns(partial=partial)
    frame = _identifier_feature(frame, "ids" in optional, config)
    frame = frame.with_columns(
        score=pl.sum_horizontal("partial", "f_identifier").clip(0.0, 1.0).round(6),
    )
    columns = ["a", "b", "name_tokens", "name_concat", *(f"f_{f}" for f in FEATURES), "score"]
    result = frame.select(columns)
    if details:
        result = result.with_columns(matched=_alignment_text(matches, frame.height))
    return result


def _identifier_feature(frame: pl.DataFrame, has_ids: bool, config: ScoringConfig) -> pl.DataFrame:
    if not has_ids:
        return frame.with_columns(f_identifier=pl.lit(0.0))
    values = [0.0] * frame.height
    both = frame.select(pl.int_range(pl.len()).alias("i"), "partial", "ids", "ids_b").filter(
        (pl.col("ids").list.len() > 0) & (pl.col("ids_b").list.len() > 0)
    )
    for i, partial, ids_a, ids_b in both.iter_rows():
        comparison = compare(ids_a, ids_b)
        if comparison.equal:
            values[i] = max(0.0, 1.0 - partial)  # settles the match: the score becomes 1 (never a negative weight)
        elif comparison.conflicting:
            values[i] = config.identifier_conflict
    return frame.with_columns(f_identifier=pl.Series(values, dtype=pl.Float64))


def _alignment_text(matches: pl.DataFrame, height: int) -> pl.Series:
    """Per pair, the tokens of the left name with their best partner: ``"elem=elem, grupp~group 0.80"``."""
    described = (
        matches.sort("pair", "pos_a", "sim", "pos_b", descending=[False, False, True, False])
        .group_by("pair", "pos_a", maintain_order=True)
        .agg(pl.col("tok_a").first().alias("token"), pl.col("tok_b").first().alias("partner"), pl.col("sim").first())
        .with_columns(
            pl.when(pl.col("sim") >= 1.0)
            .then(pl.format("{}={}", "token", "partner"))
            .when(pl.col("sim") > 0)
            .then(pl.format("{}~{} {}", "token", "partner", pl.col("sim").round(2)))
            .otherwise(pl.format("{} unmatched", "token"))
            .alias("text")
        )
        .group_by("pair", maintain_order=True)
        .agg(pl.col("text").str.join(", "))
    )
    full = pl.DataFrame({"pair": pl.arange(0, height, eager=True).cast(pl.UInt32)})
    return full.join(described, on="pair", how="left").sort("pair")["text"].fill_null("")
