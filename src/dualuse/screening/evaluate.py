"""The evaluation harness: labelled name pairs, a threshold sweep, precision/recall/F1 per slice.

A pairs file is CSV with columns ``name1,name2,is_match,kind`` and optionally ``script`` (any
label: ``cross``, ``latin``, ``cyrillic``...). The built-in regional set
(:func:`regional_pairs`) holds fictitious Russian, Kazakh and Kyrgyz companies and persons in
both scripts, with hard negatives that share a legal form, a generic word or a city.

Examples:
    >>> pairs = pl.DataFrame({"name1": ["ТОО Элем Групп", "ТОО Элем Групп"],
    ...                       "name2": ["Elem Group LLP", "Nurtas Group LLP"],
    ...                       "is_match": [True, False], "kind": ["company", "company"]})
    >>> scored = score_labelled(pairs)
    >>> scored["score"].to_list()
    [1.0, 0.057037]
    >>> row = sweep(scored, thresholds=[0.8]).filter(pl.col("slice") == "all").row(0, named=True)
    >>> row["precision"], row["recall"], row["f1"]
    (1.0, 1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import polars as pl

from dualuse.errors import InputError
from dualuse.screening.api import screen
from dualuse.screening.normalize import KINDS
from dualuse.screening.scoring import ScoringConfig, prepare_names, score_pairs

__all__ = [
    "DEFAULT_THRESHOLDS",
    "best_threshold",
    "flag_rate",
    "load_pairs",
    "regional_pairs",
    "score_labelled",
    "sweep",
]

DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.5 + 0.01 * i, 2) for i in range(50))
"""0.50, 0.51, ..., 0.99."""

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


def load_pairs(path: str | Path) -> pl.DataFrame:
    """Read and check a labelled pairs CSV; ``script`` defaults to ``"all"`` when absent.

    Raises :class:`dualuse.errors.InputError` naming the file, row and column of a bad value.

    Examples:
        >>> load_pairs(regional_pairs()).columns
        ['name1', 'name2', 'is_match', 'kind', 'script']
    """
    frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in ("name1", "name2", "is_match", "kind") if c not in frame.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=str(path))
    if "script" not in frame.columns:
        frame = frame.with_columns(script=pl.lit("all"))
    labels = frame["is_match"].str.strip_chars().str.to_lowercase()
    for i, (label, kind, left, right) in enumerate(
        zip(labels, frame["kind"], frame["name1"], frame["name2"], strict=True)
    ):
        if label not in _TRUE | _FALSE:
            raise InputError(
                f"is_match {label!r}: expected 1/0 or true/false", file=str(path), row=i + 1, column="is_match"
            )
        if kind not in KINDS:
            raise InputError(
                f"kind {kind!r}: expected one of {', '.join(sorted(KINDS))}", file=str(path), row=i + 1, column="kind"
            )
        if not left or not right:
            raise InputError("empty name", file=str(path), row=i + 1, column="name1" if not left else "name2")
    return frame.select(
        "name1", "name2", is_match=labels.is_in(list(_TRUE)), kind=pl.col("kind"), script=pl.col("script").fill_null("")
    )


def regional_pairs() -> Path:
    """The path of the built-in regional labelled set (``data/eval_region_pairs.csv``).

    Examples:
        >>> regional_pairs().name
        'eval_region_pairs.csv'
    """
    return Path(str(resources.files("dualuse.screening").joinpath("data/eval_region_pairs.csv")))


def score_labelled(pairs: pl.DataFrame, config: ScoringConfig | None = None) -> pl.DataFrame:
    """Add the ``score`` of every pair (vectorised: the same engine as :func:`dualuse.screening.screen`).

    Examples:
        >>> frame = pl.DataFrame({"name1": ["Иванов Иван"], "name2": ["Ivan Ivanov"], "is_match": [True],
        ...                       "kind": ["person"]})
        >>> score_labelled(frame)["score"].to_list()
        [1.0]
    """
    config = config or ScoringConfig()
    left = prepare_names(pairs.select(name="name1", kind="kind"), config)
    right = prepare_names(pairs.select(name="name2", kind="kind"), config)
    ids = pl.int_range(pairs.height, dtype=pl.UInt32, eager=True)
    scored = score_pairs(left, right, pl.DataFrame({"a": ids, "b": ids}), config)
    return pairs.with_columns(score=scored["score"])


def _metrics(frame: pl.DataFrame, threshold: float) -> dict[str, float | int]:
    predicted = frame["score"] >= threshold
    actual = frame["is_match"]
    tp = int((predicted & actual).sum())
    fp = int((predicted & ~actual).sum())
    fn = int((~predicted & actual).sum())
    tn = int((~predicted & ~actual).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1}


def sweep(scored: pl.DataFrame, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """Precision, recall and F1 at every threshold, overall and per slice (``script``, ``kind``).

    Columns: ``threshold, slice, pairs, tp, fp, fn, tn, precision, recall, f1``; ``slice`` is
    ``all``, ``script=<value>`` or ``kind=<value>``.

    Examples:
        >>> frame = pl.DataFrame({"score": [0.9, 0.7, 0.85], "is_match": [True, True, False],
        ...                       "kind": ["company"] * 3, "script": ["cross"] * 3})
        >>> sweep(frame, [0.8]).filter(pl.col("slice") == "all").select("tp", "fp", "fn", "f1").row(0)
        (1, 1, 1, 0.5)
    """
    slices: list[tuple[str, pl.DataFrame]] = [("all", scored)]
    for column in ("script", "kind"):
        if column in scored.columns:
            for value in sorted(scored[column].drop_nulls().unique().to_list()):
                slices.append((f"{column}={value}", scored.filter(pl.col(column) == value)))
    rows = [
        {"threshold": float(t), "slice": name, "pairs": part.height, **_metrics(part, t)}
        for t in thresholds
        for name, part in slices
    ]
    return pl.DataFrame(rows)


def best_threshold(table: pl.DataFrame, *, slice_name: str = "all") -> dict[str, float | int]:
    """The row of a :func:`sweep` with the highest F1 for ``slice_name`` (lowest threshold on ties).

    Examples:
        >>> frame = pl.DataFrame({"score": [0.9, 0.6], "is_match": [True, False]})
        >>> best_threshold(sweep(frame, [0.5, 0.7, 0.95]))["threshold"]
        0.7
    """
    part = table.filter(pl.col("slice") == slice_name).sort(["f1", "threshold"], descending=[True, False])
    if part.is_empty():
        raise InputError(f"slice {slice_name!r}: not in the sweep")
    return part.row(0, named=True)


def flag_rate(queries: pl.DataFrame, watchlist: pl.DataFrame, *, threshold: float, kind: str = "unknown") -> float:
    """The share of ``queries`` (a frame with a ``name`` column) flagged against ``watchlist``.

    Used with names that should match nothing (synthetic negatives) to measure false alarms.

    Examples:
        >>> watch = pl.DataFrame({"name": ["Elem Group LLP"]})
        >>> flag_rate(pl.DataFrame({"name": ["Elem Grupp", "Nurtas Trade"]}), watch, threshold=0.8)
        0.5
    """
    if queries.is_empty():
        return 0.0
    frame = queries.select("name").with_row_index("party_id").with_columns(pl.col("party_id").cast(pl.Utf8))
    hits = screen(frame, watchlist, threshold=threshold, kind=kind)
    return hits["query_id"].n_unique() / queries.height
