"""``dualuse screen``: screen names against a watch list; ``dualuse screen eval``: held-out figures and sweeps."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dualuse.cli._output import print_frame, say, write_frame
from dualuse.errors import InputError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["register"]

_SHOWN = ("query_name", "match_name", "score", "match_programs", "explanation")


def _read(spec: str) -> pl.DataFrame:
    """A table from CSV, Parquet or Excel, or a workspace table by name."""
    import polars as pl

    from dualuse.store import read_table

    frame = read_table(spec)
    if "identifiers" in frame.columns and not isinstance(frame.schema["identifiers"], pl.List):
        frame = frame.drop("identifiers")  # only structured (Parquet) identifiers can be compared
    return frame


def _flat(result: pl.DataFrame) -> pl.DataFrame:
    """CSV holds no lists: features as ``name=weight; ...``, programs joined by ``; ``."""
    import polars as pl

    feature = pl.element().struct
    return result.with_columns(
        pl.col("features")
        .list.eval(pl.format("{}={}", feature.field("name"), feature.field("weight").round(3)))
        .list.join("; "),
        pl.col("match_programs").list.join("; "),
    )


def _evaluate(pairs: Path | None, reference: Path | None, folds: int, tune: bool) -> None:
    import polars as pl

    from dualuse.screening.evaluate import best_threshold, load_pairs, score_labelled, sweep

    if pairs is not None:
        table = sweep(score_labelled(load_pairs(pairs)))
        best = best_threshold(table)
        say(f"{pairs.name}: best F1 {best['f1']:.4f} at threshold {best['threshold']:.2f}")
        shown = table.filter(pl.col("threshold").is_in([0.7, 0.75, 0.8, 0.85, 0.9, best["threshold"]]))
        print_frame(
            shown.with_columns(pl.col("precision", "recall", "f1").round(4)).sort("threshold", "slice"),
            title="threshold sweep",
        )
        return
    _heldout(reference, folds, tune)


def _heldout(reference: Path | None, folds: int, tune: bool) -> None:
    """The held-out figures (regional held-out set, OFAC aliases, the public benchmark beside logic-v2)."""
    import os

    import polars as pl

    from dualuse.screening.heldout import DEFAULT_THRESHOLD, heldout_report
    from dualuse.screening.scoring import ScoringConfig

    if reference is None and os.environ.get("DUALUSE_REFERENCE_DATA"):
        reference = Path(os.environ["DUALUSE_REFERENCE_DATA"])
    if reference is not None and not reference.is_dir():
        raise InputError(f"--reference {reference}: not a folder")
    report = heldout_report(reference, folds=folds, grid=None if tune else [ScoringConfig()])
    figures = pl.col("precision", "recall", "f1", "best_f1", "best_threshold").round(3)
    print_frame(report.sets.with_columns(figures), title=f"labelled sets at the default threshold {DEFAULT_THRESHOLD}")
    print_frame(report.cases, title="regional held-out set by case (pairs wrong at the default threshold)")
    if report.benchmark.is_empty():
        say(
            "public benchmark: not found; give --reference (or DUALUSE_REFERENCE_DATA) the folder that holds "
            "screening/nomenklatura_name_bench_cases.csv"
        )
        return
    shown = report.benchmark.select(
        "kind",
        "pairs",
        pl.col("best_f1").round(3).alias("dualuse best F1 (held out)"),
        pl.col("tuned_f1").round(3).alias("dualuse F1, threshold tuned on training folds"),
        pl.col("default_f1").round(3).alias(f"dualuse F1 at {DEFAULT_THRESHOLD}"),
        pl.col("best_f1_logicv2_rows").round(3).alias("dualuse best F1 on logic-v2's rows"),
        pl.col("logicv2_f1").round(3).alias("logic-v2 best F1 (same rows)"),
        pl.col("wratio_f1").round(3).alias("WRatio best F1"),
    )
    how = f"{folds}-fold cross-validation, weights {'tuned on the training folds' if tune else 'as shipped'}"
    print_frame(shown, title=f"public name benchmark (nomenklatura): {how}")


def register(app: typer.Typer) -> None:
    """Add ``screen`` to ``app``."""

    @app.command("screen")
    def screen_command(
        names: Annotated[str, typer.Argument(help="Names to screen (CSV/Parquet/Excel), or 'eval'.")],
        pairs: Annotated[
            Path | None, typer.Argument(help="With 'eval': a labelled pairs CSV (default: the regional set).")
        ] = None,
        against: Annotated[
            Path | None, typer.Option("--against", help="The watch list (CSV/Parquet/Excel or a parties table).")
        ] = None,
        threshold: Annotated[float, typer.Option("--threshold", min=0.0, max=1.0, help="Minimum score.")] = 0.8,
        name_column: Annotated[str, typer.Option("--name-column", help="The name column of NAMES.")] = "name",
        kind: Annotated[str, typer.Option("--kind", help="Kind of names without a kind column.")] = "unknown",
        out: Annotated[Path | None, typer.Option("--out", help="Write matches here (.parquet/.csv/.json).")] = None,
        reference: Annotated[
            Path | None,
            typer.Option(
                "--reference",
                help="With 'eval': the folder holding screening/ (nomenklatura benchmark) and sanctions/ofac_raw/.",
            ),
        ] = None,
        folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="With 'eval': cross-validation folds.")] = 5,
        tune: Annotated[
            bool, typer.Option("--tune/--no-tune", help="With 'eval': tune the weights on the training folds.")
        ] = True,
    ) -> None:
        """Screen NAMES against a watch list (Latin and Cyrillic, legal forms, identifiers).

        `dualuse screen eval` prints the held-out figures (the regional held-out set, OFAC's aliases
        and, with --reference, the public benchmark cross-validated beside logic-v2);
        `dualuse screen eval PAIRS` prints the threshold sweep of a labelled pairs file.
        """
        if names == "eval":
            _evaluate(pairs, reference, folds, tune)
            return
        if against is None:
            raise InputError("--against WATCHLIST is required")
        from dualuse.screening import screen

        queries = _read(names)
        watch = _read(str(against))
        if "name" not in watch.columns and name_column in watch.columns:
            watch = watch.rename({name_column: "name"})
        result = screen(queries, watch, threshold=threshold, name_column=name_column, kind=kind)
        matched = result["query_id"].n_unique()
        say(f"{queries.height} names screened against {watch.height}: {matched} with candidates, {result.height} rows")
        if out is not None:
            write_frame(_flat(result) if out.suffix.lower() == ".csv" else result, out)
            say(f"wrote {out}")
        else:
            print_frame(result.select(_SHOWN).head(50), title="candidate matches (best first)")
