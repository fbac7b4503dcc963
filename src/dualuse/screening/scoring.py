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
- ``mismatch``: a penalty when each name has words the other lacks (a substitution, "Bank of
  China" / "Bank of Chad"), in proportion to the smaller side's unmatched weight; a word that
  only one side has (a dropped middle name, "Deutsche Bank (Schweiz)") costs nothing here.
- ``number``: a penalty when the names carry different numbers ("Fund VIII" / "Fund IX").
- ``country``: a small bonus when both countries are known and equal, a penalty when they differ.
- ``legal_form``: forms of one family on both names are weak evidence for; forms of different
  families (a limited company and a joint-stock company; an LLC and a Kazakh LLP) are evidence
  against, forms registered only in different jurisdictions (a Russian ООО and a Kazakh ТОО)
  stronger evidence against. A form on one side only says nothing.
- ``lexicon``: no weight; lists the words matched through the bilingual lexicon ("severny" =
  "northern" as *north*), which the ``name`` feature counted.
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
from typing import Any

import polars as pl
from rapidfuzz import fuzz, process

from dualuse.screening.identifiers import compare
from dualuse.screening.lexicon import generic_keys, match_tokens
from dualuse.screening.normalize import normalize_name
from dualuse.screening.parallel import map_in_chunks
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

FEATURES = ("name", "generic_only", "mismatch", "number", "country", "legal_form", "lexicon", "kind", "identifier")
"""The features of a score, in the order the explanation lists them."""


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    """The weights of the score (see :doc:`/scoring` for what each does and how they were chosen)."""

    generic_weight: float = 0.35
    """Weight of a generic word in the soft token match (a distinctive word weighs 1)."""
    short_weight: float = 0.5
    """Weight of a token of one or two letters (initials, particles such as "al")."""
    token_floor: float = 0.72
    """Two tokens whose similarity is below this count as not matching at all."""
    concat_evidence: float = 0.88
    """A space-free similarity at least this high is evidence even without a matching token."""
    generic_only_cap: float = 0.5
    mismatch_company: float = 0.3
    """Penalty per unit of *substituted* weight in company names: words that each side has and
    the other lacks ("Bank of China" / "Bank of Chad"); a word only one side has costs nothing."""
    mismatch_person: float = 0.3
    """The same for person names ("AL-MOSULI" / "AL-TIKRITI")."""
    omission_company: float = 0.0
    """Share of the weight of words that only one company name has (and the other lacks nothing)
    that the soft token match forgives: 0 counts an omitted word in full."""
    omission_person: float = 0.5
    """The same for persons, whose lists often drop middle names ("AKHTAR MANSOUR" / "AKHTAR
    MOHAMMAD MANSOUR SHAH MOHAMMED")."""
    initial: float = 0.9
    """The similarity of an initial and a word it starts ("V." / "Vladimir")."""
    number_conflict: float = 0.1
    """Penalty when the names carry different numbers ("Fund VIII" / "Fund IX", "Company 23")."""
    acronym: float = 0.9
    """The name score of an acronym and the name it abbreviates ("PLA" / "People's Liberation Army")."""
    country_same: float = 0.02
    country_different: float = -0.08
    legal_form_agree: float = 0.02
    """Forms of one family on both sides: weak evidence for."""
    legal_form_conflict: float = -0.25
    """Forms of different families (a limited company and a joint-stock company, an LLC and a
    Kazakh LLP): evidence against."""
    jurisdiction_conflict: float = -0.25
    """Forms registered only in different jurisdictions (a Russian ООО and a Kazakh ТОО, a
    German GmbH and a Russian ООО): two legal persons, strong evidence against."""
    kind_conflict: float = -0.1
    identifier_conflict: float = -0.3


_PARTICLES = frozenset({"al", "el", "bin", "ben", "ibn", "abu", "abd", "bint", "ul", "ur", "ud", "van", "von", "de"})
_ROMAN = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "xiii", "xiv", "xv", "xx"})


@cache
def generic_words() -> frozenset[str]:
    """Lookup stems of the generic words (the generic classes of ``data/lexicon.txt``).

    Examples:
        >>> from dualuse.screening.lexicon import lexicon_stem
        >>> lexicon_stem(phonetic_key("treyd")) in generic_words(), "elem" in generic_words()
        (True, False)
    """
    return generic_keys()


def canonical_key(key: str, kind: str) -> str:
    """The key of a token for matching: a word of the lexicon becomes its class.

    Examples:
        >>> canonical_key(phonetic_key("treyd"), "company"), canonical_key("elem", "company")
        ('trade', 'elem')
    """
    if kind == "person":
        return key
    return match_tokens([key])[0].key


def token_weight(key: str, kind: str, config: ScoringConfig) -> float:
    """The weight of one token (by its phonetic key) in the soft token match.

    Examples:
        >>> config = ScoringConfig()
        >>> token_weight("elem", "company", config), token_weight("grup", "company", config)
        (1.0, 0.35)
    """
    if kind != "person" and match_tokens([key])[0].generic:
        return config.generic_weight
    if len(key) <= 2 or key in _PARTICLES:
        return config.short_weight
    return 1.0


_Prepared = tuple[
    str, str, str, str, str, list[str], list[str], list[str], list[str], list[bool], list[bool], list[float]
]


def _weight(key: str, generic: bool, person: bool, config: ScoringConfig) -> float:
    if generic:
        return config.generic_weight
    if len(key) <= 2 or (person and key in _PARTICLES):
        return config.short_weight
    return 1.0


def _prepare_one(name: str, kind: str, config: ScoringConfig) -> _Prepared:
    """Everything Python computes for one (name, kind): see :func:`prepare_names`."""
    person = kind == "person"
    normal = normalize_name(name, kind="person" if person else "company")
    forms = list(normal.forms)
    families = sorted({form.family for form in forms if not form.descriptor and form.family != "any"})
    jurisdictions = sorted({code for form in forms if not form.descriptor for code in form.jurisdictions})
    descriptors = sorted({form.family for form in forms if form.descriptor})
    if person:
        raws = [phonetic_key(token) for token in normal.tokens]
        return (
            normal.text, ",".join(normal.legal_forms), normal.script, "|", "", list(normal.tokens), raws, raws, raws,
            [False] * len(raws), [False] * len(raws), [_weight(key, False, True, config) for key in raws],
        )  # fmt: skip
    tokens = match_tokens(normal.tokens)
    return (
        normal.text,
        ",".join(normal.legal_forms),
        normal.script,
        ",".join(families) + "|" + ",".join(descriptors),
        ",".join(jurisdictions),
        [t.written for t in tokens],
        [t.key for t in tokens],
        [t.raw for t in tokens],
        [t.english for t in tokens],
        [t.generic for t in tokens],
        [t.concept is not None and t.concept != t.raw for t in tokens],
        [_weight(t.key, t.generic, False, config) for t in tokens],
    )


def _normalise_chunk(names: Sequence[tuple[str, str]], config: ScoringConfig | None) -> list[_Prepared]:
    config = config or ScoringConfig()
    return [_prepare_one(name, kind, config) for name, kind in names]


def _split_list(column: str) -> pl.Expr:
    return pl.col(column).str.split(",").list.eval(pl.element().filter(pl.element() != ""))


def prepare_names(names: pl.DataFrame, config: ScoringConfig | None = None) -> pl.DataFrame:
    """Normalise the ``name`` column (with its ``kind``) of a frame and add the matching columns.

    Input columns: ``name`` (text), ``kind`` (``person``, ``company``, ...); others are kept.
    Adds ``nid`` (row position), ``text``, ``tokens``, ``keys`` (lexicon class or phonetic key),
    ``raw_keys`` (phonetic), ``english`` (keys read as English), ``weights``, ``generic``,
    ``lexical`` (matched through the lexicon), ``legal_forms`` (tags), ``form_families``,
    ``descriptors``, ``jurisdictions``, ``numbers``, ``script`` and ``concat`` (the keys
    without spaces). Python work is done once per distinct (name, kind); the rest is vectorised.

    Examples:
        >>> frame = prepare_names(pl.DataFrame({"name": ["TOO Elem Grupp"], "kind": ["company"]}))
        >>> frame.select("text", "keys", "weights", "legal_forms", "jurisdictions").row(0)
        ('elem grupp', ['elem', 'group'], [1.0, 0.35], ['llp'], ['KZ'])
    """
    config = config or ScoringConfig()
    frame = names.with_columns(
        pl.col("name").fill_null("").cast(pl.Utf8), pl.col("kind").fill_null("unknown").cast(pl.Utf8)
    ).with_row_index("nid")
    distinct = frame.select("name", "kind").unique()
    prepared = map_in_chunks(_normalise_chunk, distinct.rows(), config)
    names_part: list[Sequence[Any]] = list(zip(*(p[:5] for p in prepared), strict=True)) if prepared else [[]] * 5
    # the token lists are built flat (one row per token) and gathered by polars: far faster than
    # building list columns from Python lists
    owner = [i for i, p in enumerate(prepared) for _ in p[5]]
    flat = {
        column: [value for p in prepared for value in p[index]]
        for index, column in enumerate(("tokens", "keys", "raw_keys", "english", "generic", "lexical", "weights"), 5)
    }
    dtypes = {"generic": pl.Boolean, "lexical": pl.Boolean, "weights": pl.Float64}
    tokens = (
        pl.DataFrame(
            {"row": pl.Series(owner, dtype=pl.UInt32)}
            | {column: pl.Series(values, dtype=dtypes.get(column, pl.Utf8)) for column, values in flat.items()}
        )
        .group_by("row", maintain_order=True)
        .agg(pl.all())
    )
    normalised = (
        distinct.with_row_index("row")
        .with_columns(
            text=pl.Series(names_part[0], dtype=pl.Utf8),
            legal_forms=pl.Series(names_part[1], dtype=pl.Utf8),
            script=pl.Series(names_part[2], dtype=pl.Utf8),
            families=pl.Series(names_part[3], dtype=pl.Utf8),
            jurisdictions=pl.Series(names_part[4], dtype=pl.Utf8),
        )
        .join(tokens, on="row", how="left")
        .drop("row")
        .with_columns(
            _split_list("legal_forms"),
            _split_list("jurisdictions"),
            pl.col("families").str.split("|").list.get(0).str.split(",").list.eval(
                pl.element().filter(pl.element() != "")).alias("form_families"),
            pl.col("families").str.split("|").list.get(1).str.split(",").list.eval(
                pl.element().filter(pl.element() != "")).alias("descriptors"),
            *(pl.col(c).fill_null(pl.lit([], dtype=pl.List(dtypes.get(c, pl.Utf8)))) for c in flat),
        )
        .drop("families")
    )  # fmt: skip
    frame = frame.join(normalised, on=["name", "kind"], how="left", nulls_equal=True).sort("nid")
    numbers = pl.col("keys").list.eval(
        pl.element().filter(pl.element().str.contains(r"^\d+(?:st|nd|rd|th)?$") | pl.element().is_in(list(_ROMAN)))
    )
    person = pl.col("kind") == "person"
    numbers = pl.when(person).then(pl.lit([], dtype=pl.List(pl.Utf8))).otherwise(numbers.list.unique().list.sort())
    return frame.with_columns(numbers=numbers).with_columns(concat=pl.col("keys").list.join(""))


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
            pl.col("english").alias(f"eng_{side}"),
            pl.col("weights").alias(f"w_{side}"),
            pl.col("generic").alias(f"g_{side}"),
            pl.col("lexical").alias(f"lex_{side}"),
            pl.int_ranges(pl.col("keys").list.len()).alias(f"pos_{side}"),
        )
        .explode(*(f"{part}_{side}" for part in ("tok", "key", "raw", "eng", "w", "g", "lex", "pos")))
        .drop_nulls(f"key_{side}")
    )


def _token_matches(
    pairs: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame, floor: float, initial_sim: float
) -> pl.DataFrame:
    """Every token pair of every name pair with its similarity (0 below ``floor``)."""
    grid = pairs.select("pair", "a", "b").join(_token_table(left, "a"), on="a").join(_token_table(right, "b"), on="b")
    # A word is compared as its key (lexicon class or folded phonetic key), as written (so that a
    # typo in a generic word, "servis"/"seris", still meets) and read as English ("line"/"layn").
    on = ["key_a", "key_b", "raw_a", "raw_b", "eng_a", "eng_b"]
    distinct = grid.select(on).unique()
    sim = _ratio(distinct["raw_a"].to_list(), distinct["raw_b"].to_list())
    # most words are compared as written only: the other readings where they differ from it
    for reading in ("key", "eng"):
        differs = (
            (distinct[f"{reading}_a"] != distinct["raw_a"]) | (distinct[f"{reading}_b"] != distinct["raw_b"])
        ).arg_true()
        if differs.len():
            other = _ratio(
                distinct[f"{reading}_a"].gather(differs).to_list(), distinct[f"{reading}_b"].gather(differs).to_list()
            )
            best = pl.select(pl.max_horizontal(sim.gather(differs), other)).to_series()
            sim = sim.scatter(differs, best)
    sims = distinct.with_columns(sim=sim)
    initial = ((pl.col("tok_a").str.len_chars() == 1) & (pl.col("tok_b").str.len_chars() > 1)) | (
        (pl.col("tok_b").str.len_chars() == 1) & (pl.col("tok_a").str.len_chars() > 1)
    )
    same_start = pl.col("tok_a").str.slice(0, 1) == pl.col("tok_b").str.slice(0, 1)
    return (
        grid.join(sims, on=on)
        .with_columns(
            sim=pl.when(initial & same_start).then(pl.max_horizontal("sim", pl.lit(initial_sim))).otherwise("sim")
        )
        .with_columns(sim=pl.when(pl.col("sim") >= floor).then(pl.col("sim")).otherwise(0.0))
    )


def _best(matches: pl.DataFrame, side: str) -> pl.DataFrame:
    """Each token of one side with the similarity of its best partner on the other side."""
    return matches.group_by("pair", f"pos_{side}").agg(
        pl.col("sim").max(), pl.col(f"w_{side}").first().alias("w"), pl.col(f"g_{side}").first().alias("generic")
    )


def _side_sums(best: pl.DataFrame) -> pl.DataFrame:
    # A group's sum in polars depends on how long the frame is (in the last bit): a pair scored in
    # a partition must score as in the whole table, so each pair's values are summed as a sorted list.
    sums = {
        "matched": pl.col("w") * pl.col("sim"),
        "total": pl.col("w"),
        "unmatched": pl.col("w") * (pl.col("sim") == 0),
    }
    return (
        best.group_by("pair")
        .agg(
            *(value.alias(name) for name, value in sums.items()),
            ((~pl.col("generic")) & (pl.col("sim") > 0)).any().alias("distinct_hit"),
            (~pl.col("generic")).any().alias("has_distinct"),
        )
        .with_columns(pl.col(name).list.sort().list.sum() for name in sums)
    )


def _nonempty(column: str) -> pl.Expr:
    return pl.col(column).fill_null([]).list.len() > 0


def _shared(left: str, right: str) -> pl.Expr:
    return pl.col(left).fill_null([]).list.set_intersection(pl.col(right).fill_null([])).list.len() > 0


def _legal_form_feature(config: ScoringConfig) -> pl.Expr:
    """Agreement (one family on both) for, different families or jurisdictions against."""
    families = _nonempty("form_families") & _nonempty("form_families_b")
    jurisdictions = _nonempty("jurisdictions") & _nonempty("jurisdictions_b")
    family_conflict = families & ~_shared("form_families", "form_families_b")
    jurisdiction_conflict = jurisdictions & ~_shared("jurisdictions", "jurisdictions_b")
    descriptors = _nonempty("descriptors") & _nonempty("descriptors_b") & _shared("descriptors", "descriptors_b")
    return (
        pl.when(family_conflict | jurisdiction_conflict)
        .then(
            pl.when(jurisdiction_conflict).then(config.jurisdiction_conflict).otherwise(0.0)
            + pl.when(family_conflict).then(config.legal_form_conflict).otherwise(0.0)
        )
        .when(families | descriptors)
        .then(config.legal_form_agree)
        .otherwise(0.0)
    )


def _acronym() -> pl.Expr:
    """One name is a single token of 2-6 letters that spells the initials of the other's words."""

    def initials(column: str) -> pl.Expr:
        return pl.col(column).list.eval(pl.element().str.slice(0, 1)).list.join("")

    def single(column: str) -> pl.Expr:
        return (pl.col(column).list.len() == 1) & pl.col(column).list.first().str.len_chars().is_between(2, 6)

    return (
        single("all_a") & (pl.col("all_b").list.len() >= 2) & (pl.col("all_a").list.first() == initials("all_b"))
    ) | (single("all_b") & (pl.col("all_a").list.len() >= 2) & (pl.col("all_b").list.first() == initials("all_a")))


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
    ``name_tokens``, ``name_concat``, and ``score``. With ``details=True`` also ``matched``
    (per pair, the token alignments as text: "elem=elem 1.00") and ``lexicon`` (the
    alignments made through the lexicon).

    Examples:
        >>> names = prepare_names(pl.DataFrame({"name": ["Elem Group LLP", "ТОО Элем Групп", "Kotel Group"],
        ...                                     "kind": ["company"] * 3}))
        >>> pairs = pl.DataFrame({"a": [0, 0], "b": [1, 2]}, schema={"a": pl.UInt32, "b": pl.UInt32})
        >>> score_pairs(names, names, pairs)["score"].to_list()
        [1.0, 0.5]
    """
    config = config or ScoringConfig()
    pairs = pairs.select(pl.col("a").cast(pl.UInt32), pl.col("b").cast(pl.UInt32)).with_row_index("pair")
    matches = _token_matches(pairs, left, right, config.token_floor, config.initial)
    sums_a = _side_sums(_best(matches, "a"))
    sums_b = _side_sums(_best(matches, "b"))
    optional = [c for c in ("country", "ids") if c in left.columns and c in right.columns]
    carried = ["concat", "kind", "legal_forms", "form_families", "jurisdictions", "descriptors", "numbers"]
    side_a = left.select(pl.col("nid").alias("a"), *carried, pl.col("tokens").alias("all_a"), *optional)
    side_b = right.select(pl.col("nid").alias("b"), *carried, pl.col("tokens").alias("all_b"), *optional)
    frame = (
        pairs.join(side_a, on="a", how="left")
        .join(side_b, on="b", how="left", suffix="_b")
        .join(sums_a, on="pair", how="left")
        .join(sums_b, on="pair", how="left", suffix="_b")
        .sort("pair")
    )
    concat = _ratio(frame["concat"].fill_null("").to_list(), frame["concat_b"].fill_null("").to_list())
    person = pl.col("kind") == "person"
    lost_a, lost_b = pl.col("unmatched").fill_null(0), pl.col("unmatched_b").fill_null(0)
    # words that only one side has (the other side found a partner for every word) are omissions
    omitted = pl.when(lost_a == 0).then(lost_b).when(lost_b == 0).then(lost_a).otherwise(0.0)
    forgiven = omitted * pl.when(person).then(config.omission_person).otherwise(config.omission_company)
    frame = frame.with_columns(
        name_concat=concat,
        name_tokens=(
            (pl.col("matched").fill_null(0) + pl.col("matched_b").fill_null(0))
            / (pl.col("total").fill_null(0) + pl.col("total_b").fill_null(0) - forgiven)
        ).fill_nan(0.0),
        acronym=_acronym().fill_null(False),
    ).with_columns(
        pl.when((pl.col("concat") == "") | (pl.col("concat_b") == ""))
        .then(0.0)
        .when(pl.col("acronym"))
        .then(pl.max_horizontal("name_tokens", pl.col("name_concat") ** 2, pl.lit(config.acronym)))
        .otherwise(pl.max_horizontal("name_tokens", pl.col("name_concat") ** 2))
        .fill_null(0.0)
        .alias("f_name")
    )
    no_evidence = (
        (pl.col("has_distinct").fill_null(False) | pl.col("has_distinct_b").fill_null(False))
        & ~(pl.col("distinct_hit").fill_null(False) | pl.col("distinct_hit_b").fill_null(False))
        & (pl.col("name_concat") < config.concat_evidence)
        & ~pl.col("acronym")
    )
    # the share of each side's weight that found no partner; both sides above zero = a substitution
    unmatched = pl.min_horizontal(
        (pl.col("unmatched").fill_null(0) / pl.col("total").fill_null(0)).fill_nan(0.0),
        (pl.col("unmatched_b").fill_null(0) / pl.col("total_b").fill_null(0)).fill_nan(0.0),
    )
    frame = frame.with_columns(
        f_generic_only=pl.when(no_evidence & (pl.col("f_name") > config.generic_only_cap))
        .then(config.generic_only_cap - pl.col("f_name"))
        .otherwise(0.0),
        # letters that agree once spaces go ("Goodwill" / "Good Will") are no substitution
        f_mismatch=pl.when(pl.col("acronym") | (pl.col("name_concat") ** 2 >= pl.col("name_tokens")))
        .then(0.0)
        .otherwise(-unmatched * pl.when(person).then(config.mismatch_person).otherwise(config.mismatch_company)),
        f_number=pl.when(
            (_nonempty("numbers") | _nonempty("numbers_b"))
            & (pl.col("numbers").fill_null([]) != pl.col("numbers_b").fill_null([]))
        )
        .then(-config.number_conflict)
        .otherwise(0.0),
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
        f_legal_form=_legal_form_feature(config),
        f_lexicon=pl.lit(0.0),
        f_kind=pl.when(
            ((pl.col("kind").is_in(kinds[0])) & (pl.col("kind_b").is_in(kinds[1])))
            | ((pl.col("kind").is_in(kinds[1])) & (pl.col("kind_b").is_in(kinds[0])))
        )
        .then(config.kind_conflict)
        .otherwise(0.0),
    )
    partial = pl.sum_horizontal(
        "f_name", "f_generic_only", "f_mismatch", "f_number", "f_country", "f_legal_form", "f_kind"
    )
    frame = frame.with_columns(partial=partial)
    frame = _identifier_feature(frame, "ids" in optional, config)
    frame = frame.with_columns(
        score=pl.sum_horizontal("partial", "f_identifier").clip(0.0, 1.0).round(6),
    )
    columns = ["a", "b", "name_tokens", "name_concat", *(f"f_{f}" for f in FEATURES), "score"]
    result = frame.select(columns)
    if details:
        matched, lexicon = _alignment_text(matches, frame.height)
        result = result.with_columns(matched=matched, lexicon=lexicon)
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


def _alignment_text(matches: pl.DataFrame, height: int) -> tuple[pl.Series, pl.Series]:
    """Per pair, the tokens of the left name with their best partner (``"elem=elem, grupp~group 0.80"``),
    and the alignments made through the lexicon (``"severny=northern (north)"``)."""
    best = (
        matches.sort("pair", "pos_a", "sim", "pos_b", descending=[False, False, True, False])
        .group_by("pair", "pos_a", maintain_order=True)
        .agg(
            pl.col("tok_a").first().alias("token"),
            pl.col("tok_b").first().alias("partner"),
            pl.col("sim").first(),
            pl.col("key_a").first().alias("concept"),
            (pl.col("lex_a") | pl.col("lex_b")).first().alias("lexical"),
        )
        .with_columns(
            pl.when(pl.col("sim") >= 1.0)
            .then(pl.format("{}={}", "token", "partner"))
            .when(pl.col("sim") > 0)
            .then(pl.format("{}~{} {}", "token", "partner", pl.col("sim").round(2)))
            .otherwise(pl.format("{} unmatched", "token"))
            .alias("text"),
            pl.when(pl.col("lexical") & (pl.col("sim") > 0) & (pl.col("token") != pl.col("partner")))
            .then(pl.format("{}={} ({})", "token", "partner", "concept"))
            .alias("lexicon"),
        )
        .group_by("pair", maintain_order=True)
        .agg(pl.col("text").str.join(", "), pl.col("lexicon").drop_nulls().str.join(", "))
    )
    full = pl.DataFrame({"pair": pl.arange(0, height, eager=True).cast(pl.UInt32)})
    joined = full.join(best, on="pair", how="left").sort("pair")
    return joined["text"].fill_null(""), joined["lexicon"].fill_null("")
