"""Evaluation that cannot flatter: figures on names the weights were not tuned on.

Three sets, none of them made by the code that is tuned:

- the public name-matching benchmark of OpenSanctions (``nomenklatura`` ``contrib/name_bench``,
  826 labelled pairs, many scripts; :func:`load_name_bench`), used as the development set with
  k-fold cross-validation (:func:`cross_validate`): the weights and the threshold are chosen on
  the training folds only and every figure is computed on the held-out folds, beside the scores
  that OpenSanctions' logic-v2 matcher gave the same rows;
- the regional held-out set (``data/eval_region_heldout.csv``, :func:`regional_heldout`):
  real Russian, Kazakh and Kyrgyz firms in the forms sanctions lists and registries use,
  written by hand and frozen before any tuning;
- OFAC's own aliases of Russian, Kazakh, Kyrgyz and Armenian firms (:func:`ofac_alias_pairs`):
  every alias against its primary name, and the primary names of different firms as negatives.

The project's generated set (``data/eval_region_pairs.csv``) was used to tune the weights and
stays a regression test only.

Examples:
    >>> pairs = pl.DataFrame({"name1": ["Elem Group LLP", "Elem Group LLP", "Alfa Trade", "Alfa Trade"],
    ...                       "name2": ["ТОО Элем Групп", "Kotel Group", "Альфа Трейд", "Vega Trade"],
    ...                       "is_match": [True, False, True, False], "kind": ["company"] * 4})
    >>> result = cross_validate(pairs, [ScoringConfig()], folds=2)
    >>> result.summary.select("kind", "pairs", "best_f1", "default_f1").row(0)
    ('company', 4, 1.0, 1.0)
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from itertools import product
from pathlib import Path

import polars as pl

from dualuse.errors import InputError
from dualuse.screening.evaluate import load_pairs, score_labelled
from dualuse.screening.scoring import ScoringConfig

__all__ = [
    "DEFAULT_THRESHOLD",
    "CrossValidation",
    "HeldOutReport",
    "ScoringConfig",
    "best_f1",
    "cross_validate",
    "f1_at",
    "heldout_report",
    "load_name_bench",
    "ofac_alias_pairs",
    "regional_heldout",
    "tuning_grid",
    "wratio_scores",
]

DEFAULT_THRESHOLD = 0.8
"""The default threshold of :func:`dualuse.screening.screen` and the ``dualuse screen`` command."""

_BENCH_KINDS = {"Person": "person", "Company": "company", "Organization": "company", "LegalEntity": "company"}


def f1_at(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> float:
    """F1 of ``score >= threshold`` against ``labels``.

    Examples:
        >>> f1_at([0.9, 0.7, 0.85], [True, True, False], 0.8)
        0.5
    """
    tp = sum(1 for s, m in zip(scores, labels, strict=True) if s >= threshold and m)
    fp = sum(1 for s, m in zip(scores, labels, strict=True) if s >= threshold and not m)
    fn = sum(1 for s, m in zip(scores, labels, strict=True) if s < threshold and m)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_f1(scores: Sequence[float], labels: Sequence[bool]) -> tuple[float, float]:
    """The best F1 over every threshold the scores offer, and the lowest threshold that gives it.

    Examples:
        >>> best_f1([0.9, 0.7, 0.6], [True, True, False])
        (1.0, 0.7)
    """
    ranked = sorted(zip(scores, labels, strict=True), key=lambda item: -item[0])
    positives = sum(1 for _, m in ranked if m)
    best, threshold, tp, fp = 0.0, 1.0, 0, 0
    for i, (value, match) in enumerate(ranked):
        tp += match
        fp += not match
        if i + 1 < len(ranked) and ranked[i + 1][0] == value:
            continue  # a threshold takes every pair with this score
        f1 = 2 * tp / (tp + fp + positives) if tp else 0.0
        if f1 > best or (f1 == best and value < threshold and f1 > 0):
            best, threshold = f1, value
    return best, threshold


def tuning_grid() -> list[ScoringConfig]:
    """The configurations cross-validation chooses from: the default first, then variations of
    the weights that the public benchmark can inform (mismatch, number, generic and floor).

    Examples:
        >>> grid = tuning_grid()
        >>> grid[0] == ScoringConfig(), len(grid)
        (True, 109)
    """
    default = ScoringConfig()
    grid = [default]
    for mismatch, omission, number, generic, floor in product(
        (0.2, 0.3, 0.4), (0.0, 0.5), (0.05, 0.1, 0.2), (0.25, 0.35, 0.5), (0.72, 0.8)
    ):
        config = replace(
            default,
            mismatch_company=mismatch,
            mismatch_person=mismatch,
            omission_company=omission,
            omission_person=omission,
            number_conflict=number,
            generic_weight=generic,
            token_floor=floor,
        )
        if config != default:
            grid.append(config)
    return grid


@dataclass(frozen=True)
class CrossValidation:
    """The result of :func:`cross_validate`.

    ``scores``: every pair with its held-out ``score`` (from the configuration chosen without
    its fold), its ``fold`` and the ``threshold`` chosen on the other folds; ``summary``: per
    kind, ``pairs``, ``best_f1`` (the best F1 of the held-out scores over all thresholds),
    ``tuned_f1`` (F1 at the thresholds chosen on the training folds), ``default_f1`` (F1 at
    :data:`DEFAULT_THRESHOLD`) and, when the pairs carry a ``logicv2`` score, ``logicv2_f1``
    (logic-v2's best F1 on the rows it scored) and ``best_f1_logicv2_rows`` (ours on those rows); ``chosen``: per kind and fold, the index in the grid
    of the configuration chosen.
    """

    scores: pl.DataFrame
    summary: pl.DataFrame
    chosen: pl.DataFrame


def _folds(pairs: pl.DataFrame, folds: int, seed: int) -> list[int]:
    """A fold per row, stratified by kind and label, reproducible from ``seed``."""
    rng = random.Random(seed)
    assignment = [0] * pairs.height
    strata: dict[tuple[str, bool], list[int]] = {}
    for i, (kind, match) in enumerate(zip(pairs["kind"], pairs["is_match"], strict=True)):
        strata.setdefault((kind, match), []).append(i)
    for rows in strata.values():
        rng.shuffle(rows)
        for position, row in enumerate(rows):
            assignment[row] = position % folds
    return assignment


def cross_validate(
    pairs: pl.DataFrame,
    grid: Sequence[ScoringConfig] | None = None,
    *,
    folds: int = 5,
    seed: int = 13,
    threshold: float = DEFAULT_THRESHOLD,
) -> CrossValidation:
    """k-fold cross-validation per kind: tune on the training folds, score the held-out fold.

    For each kind and fold, the configuration of ``grid`` (default :func:`tuning_grid`) with the
    best F1 on the other folds is chosen (the first on ties, so the default wins a tie), with the
    threshold that gives it; the held-out fold is scored with that configuration. Every figure of
    the summary comes from held-out scores only. Folds are stratified by kind and label and
    drawn from ``seed``, unless ``pairs`` has a ``fold`` column (0 to ``folds`` - 1).

    Examples:
        >>> pairs = pl.DataFrame({"name1": ["Иванов Иван", "Иванов Иван"], "name2": ["Ivan Ivanov", "Petr Sidorov"],
        ...                       "is_match": [True, False], "kind": ["person", "person"]})
        >>> cross_validate(pairs, [ScoringConfig()], folds=2).scores["score"].to_list()
        [1.0, 0.081633]
    """
    grid = list(grid) if grid is not None else tuning_grid()
    if not grid:
        raise InputError("cross-validation needs at least one configuration")
    if folds < 2:
        raise InputError(f"folds {folds!r}: expected 2 or more")
    if "fold" not in pairs.columns:
        pairs = pairs.with_columns(fold=pl.Series(_folds(pairs, folds, seed), dtype=pl.Int64))
    pairs = pairs.with_row_index("row").with_columns(pl.col("fold").cast(pl.Int64))
    base = pairs.select("name1", "name2", "is_match", "kind")
    by_config = [score_labelled(base, config)["score"].to_list() for config in grid]
    labels = pairs["is_match"].to_list()
    held_out = [0.0] * pairs.height
    chosen_threshold = [threshold] * pairs.height
    chosen_rows: list[dict[str, object]] = []
    for kind in sorted(pairs["kind"].unique().to_list()):
        rows = [i for i, k in enumerate(pairs["kind"]) if k == kind]
        for fold in range(folds):
            train = [i for i in rows if pairs["fold"][i] != fold]
            test = [i for i in rows if pairs["fold"][i] == fold]
            if not test:
                continue
            best_index, best_value, best_cut = 0, -1.0, threshold
            for index, config_scores in enumerate(by_config):
                value, cut = best_f1([config_scores[i] for i in train], [labels[i] for i in train])
                if value > best_value:
                    best_index, best_value, best_cut = index, value, cut
            for i in test:
                held_out[i] = by_config[best_index][i]
                chosen_threshold[i] = best_cut
            chosen_rows.append({"kind": kind, "fold": fold, "config": best_index, "train_f1": best_value})
    scores = pairs.with_columns(
        score=pl.Series(held_out, dtype=pl.Float64), threshold=pl.Series(chosen_threshold, dtype=pl.Float64)
    )
    summary_rows = []
    for kind in sorted(scores["kind"].unique().to_list()):
        part = scores.filter(pl.col("kind") == kind)
        values, truth = part["score"].to_list(), part["is_match"].to_list()
        tuned = [s >= t for s, t in zip(values, part["threshold"].to_list(), strict=True)]
        tp = sum(p and m for p, m in zip(tuned, truth, strict=True))
        wrong = sum(p != m for p, m in zip(tuned, truth, strict=True))
        row: dict[str, object] = {
            "kind": kind,
            "pairs": part.height,
            "best_f1": best_f1(values, truth)[0],
            "tuned_f1": 2 * tp / (2 * tp + wrong) if tp else 0.0,
            "default_f1": f1_at(values, truth, threshold),
        }
        if "logicv2" in part.columns:
            known = part.filter(pl.col("logicv2").is_not_null())
            row["best_f1_logicv2_rows"] = best_f1(known["score"].to_list(), known["is_match"].to_list())[0]
            row["logicv2_f1"] = best_f1(known["logicv2"].to_list(), known["is_match"].to_list())[0]
        summary_rows.append(row)
    return CrossValidation(scores.drop("row"), pl.DataFrame(summary_rows), pl.DataFrame(chosen_rows))


def load_name_bench(folder: str | Path) -> pl.DataFrame:
    """OpenSanctions' public name benchmark, with logic-v2's frozen scores on the same rows.

    ``folder`` holds ``nomenklatura_name_bench_cases.csv`` and, optionally,
    ``nomenklatura_name_bench_logicv2_frozen.csv``. Persons become ``kind="person"``;
    companies, organisations and legal entities ``"company"``; vessels are left out. Columns:
    ``name1, name2, is_match, kind, script`` (the case's category) and ``logicv2`` (null where
    the frozen run has no row for the pair).
    """
    folder = Path(folder)
    cases_path = folder / "nomenklatura_name_bench_cases.csv"
    if not cases_path.is_file():
        raise InputError("the nomenklatura name benchmark is not there", file=str(cases_path))
    with cases_path.open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    frozen: dict[tuple[str, str, str], float] = {}
    frozen_path = folder / "nomenklatura_name_bench_logicv2_frozen.csv"
    if frozen_path.is_file():
        with frozen_path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                frozen[(row["schema"], row["name1"], row["name2"])] = float(row["score"])
    rows = [
        {
            "name1": case["name1"],
            "name2": case["name2"],
            "is_match": case["is_match"].strip().lower() == "true",
            "kind": _BENCH_KINDS[case["schema"]],
            "script": case["category"] or case["case_group"],
            "logicv2": frozen.get((case["schema"], case["name1"], case["name2"])),
        }
        for case in cases
        if case["schema"] in _BENCH_KINDS
    ]
    schema = {"name1": pl.Utf8, "name2": pl.Utf8, "is_match": pl.Boolean, "kind": pl.Utf8, "script": pl.Utf8}
    return pl.DataFrame(rows, schema={**schema, "logicv2": pl.Float64})


def regional_heldout() -> Path:
    """The path of the regional held-out set (``data/eval_region_heldout.csv``), never used for tuning.

    Examples:
        >>> load_pairs(regional_heldout()).filter(pl.col("is_match")).height > 100
        True
    """
    return Path(str(resources.files("dualuse.screening").joinpath("data/eval_region_heldout.csv")))


def _ofac_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\x1a", "")
    return [row for row in csv.reader(text.splitlines()) if row]


def _null(value: str) -> str | None:
    value = value.strip()
    return None if value in ("-0-", "") else value


def ofac_alias_pairs(folder: str | Path) -> pl.DataFrame:
    """Labelled company pairs from OFAC's legacy SDN files: real aliases of real firms.

    ``folder`` holds ``sdn.csv`` and ``alt.csv``. Positives: each entity's primary name against
    each of its aliases, and the aliases against each other; negatives: the primary names of
    two different entities. Only entities of no type (companies) with a ``RUSSIA-EO14024`` or
    ``UKRAINE-`` program are used. Columns as :func:`dualuse.screening.evaluate.load_pairs`.
    """
    folder = Path(folder)
    sdn_path, alt_path = folder / "sdn.csv", folder / "alt.csv"
    for path in (sdn_path, alt_path):
        if not path.is_file():
            raise InputError("an OFAC legacy file is not there", file=str(path))
    primary: dict[str, str] = {}
    for row in _ofac_rows(sdn_path):
        kind, programs = _null(row[2]), _null(row[3]) or ""
        if kind is None and ("RUSSIA" in programs or "UKRAINE" in programs):
            primary[row[0]] = row[1].strip()
    aliases: dict[str, list[str]] = {}
    for row in _ofac_rows(alt_path):
        name = _null(row[3])
        if row[0] in primary and name:
            aliases.setdefault(row[0], []).append(name)
    pairs: list[tuple[str, str, bool]] = []
    for entity, names in aliases.items():
        every = [primary[entity], *names]
        pairs += [(every[i], every[j], True) for i in range(len(every)) for j in range(i + 1, len(every))]
    entities = sorted(primary)
    pairs += [(primary[a], primary[b], False) for i, a in enumerate(entities) for b in entities[i + 1 :]]
    return pl.DataFrame(
        {
            "name1": [p[0] for p in pairs],
            "name2": [p[1] for p in pairs],
            "is_match": [p[2] for p in pairs],
            "kind": ["company"] * len(pairs),
            "script": ["latin"] * len(pairs),
        },
        schema={"name1": pl.Utf8, "name2": pl.Utf8, "is_match": pl.Boolean, "kind": pl.Utf8, "script": pl.Utf8},
    )


def wratio_scores(pairs: pl.DataFrame) -> list[float]:
    """The one-line baseline: rapidfuzz ``WRatio`` (with its default processing) of the names
    folded to ASCII (``anyascii`` when installed, else ICU through ``rigour``), in [0, 1].

    Examples:
        >>> wratio_scores(pl.DataFrame({"name1": ["Elem Group"], "name2": ["ELEM GROUP"]}))
        [1.0]
    """
    from rapidfuzz import fuzz, utils

    fold: Callable[[str], str]
    try:
        from anyascii import anyascii

        fold = anyascii
    except ImportError:  # pragma: no cover - anyascii is a development dependency
        from rigour.text.translit import ascii_text

        fold = ascii_text
    return [
        fuzz.WRatio(fold(a), fold(b), processor=utils.default_process) / 100.0
        for a, b in zip(pairs["name1"], pairs["name2"], strict=True)
    ]


@dataclass(frozen=True)
class HeldOutReport:
    """Every held-out figure :func:`heldout_report` computes, as frames to print or test.

    ``sets``: one row per labelled set at the default threshold and at its best threshold
    (``set, pairs, precision, recall, f1, best_f1, best_threshold, role``; ``role`` says whether
    the set is held out or the tuned-on regression set); ``benchmark``: the cross-validated
    public benchmark per kind beside logic-v2 and the WRatio baseline on the same rows (empty
    without the reference data); ``cases``: the regional held-out set per case (``pairs``,
    labelled ``matches``, pairs ``wrong`` at the default threshold).
    """

    sets: pl.DataFrame
    benchmark: pl.DataFrame
    cases: pl.DataFrame


def _set_row(name: str, role: str, scored: pl.DataFrame, threshold: float) -> dict[str, object]:
    values, truth = scored["score"].to_list(), scored["is_match"].to_list()
    predicted = [v >= threshold for v in values]
    tp = sum(p and m for p, m in zip(predicted, truth, strict=True))
    fp = sum(p and not m for p, m in zip(predicted, truth, strict=True))
    fn = sum(m and not p for p, m in zip(predicted, truth, strict=True))
    best, cut = best_f1(values, truth)
    return {
        "set": name,
        "role": role,
        "pairs": scored.height,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "f1": f1_at(values, truth, threshold),
        "best_f1": best,
        "best_threshold": cut,
    }


def heldout_report(
    reference: str | Path | None = None,
    *,
    folds: int = 5,
    grid: Sequence[ScoringConfig] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> HeldOutReport:
    """The held-out figures: the regional held-out set, the generated regression set and, when
    ``reference`` (the folder with ``screening/`` and ``sanctions/ofac_raw/``) is given and holds
    them, the cross-validated public benchmark and OFAC's aliases.

    Examples:
        >>> report = heldout_report()
        >>> report.sets.select("set", "role").rows()
        [('regional held-out', 'held out (frozen before tuning)'), ('generated regional', 'regression (tuned on)')]
    """
    from dualuse.screening.evaluate import regional_pairs

    heldout = load_pairs(regional_heldout())
    cases = pl.read_csv(regional_heldout(), infer_schema=False)["case"]
    scored_heldout = score_labelled(heldout).with_columns(case=cases)
    rows = [_set_row("regional held-out", "held out (frozen before tuning)", scored_heldout, threshold)]
    benchmark = pl.DataFrame()
    if reference is not None:
        folder = Path(reference)
        ofac = folder / "sanctions" / "ofac_raw"
        if (ofac / "sdn.csv").is_file():
            rows.append(_set_row("OFAC aliases", "held out", score_labelled(ofac_alias_pairs(ofac)), threshold))
        bench = folder / "screening"
        if (bench / "nomenklatura_name_bench_cases.csv").is_file():
            benchmark = _benchmark_table(load_name_bench(bench), folds, grid, threshold)
    rows.append(
        _set_row("generated regional", "regression (tuned on)", score_labelled(load_pairs(regional_pairs())), threshold)
    )
    cases_table = (
        scored_heldout.with_columns(wrong=(pl.col("score") >= threshold) != pl.col("is_match"))
        .group_by("case")
        .agg(pl.len().alias("pairs"), pl.col("is_match").sum().alias("matches"), pl.col("wrong").sum().alias("wrong"))
        .sort("case")
    )
    return HeldOutReport(pl.DataFrame(rows), benchmark, cases_table)


def _benchmark_table(
    bench: pl.DataFrame, folds: int, grid: Sequence[ScoringConfig] | None, threshold: float
) -> pl.DataFrame:
    result = cross_validate(bench, grid, folds=folds, threshold=threshold)
    baseline = bench.with_columns(wratio=pl.Series(wratio_scores(bench), dtype=pl.Float64))
    wratio = {
        kind: best_f1(part["wratio"].to_list(), part["is_match"].to_list())[0]
        for kind, part in ((k, baseline.filter(pl.col("kind") == k)) for k in baseline["kind"].unique().to_list())
    }
    return result.summary.with_columns(
        wratio_f1=pl.col("kind").replace_strict(wratio, return_dtype=pl.Float64),
        logicv2_pairs=pl.col("kind").replace_strict(
            {k: bench.filter((pl.col("kind") == k) & pl.col("logicv2").is_not_null()).height for k in wratio},
            return_dtype=pl.Int64,
        ),
    )
