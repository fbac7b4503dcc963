"""``dualuse screen NAMES``: screen names against a watch list; ``dualuse screen eval``: held-out figures and sweeps.

``screen`` is a group whose default subcommand is ``names``: ``dualuse screen partners.csv --watchlist
w.csv`` is ``dualuse screen names partners.csv --watchlist w.csv``; ``eval`` is a subcommand of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dualuse.cli._command import DefaultGroup, JsonOpt, add, example_text, flag
from dualuse.cli._engine import EngineOpt, PartitionsOpt, dataset_of, executor_for, rows_of
from dualuse.cli._input import read_parties
from dualuse.cli._output import as_json, print_frame, say, write_frame
from dualuse.cli._progress import status
from dualuse.errors import InputError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["register"]

_SHOWN = ("query_name", "match_name", "score", "match_programs", "explanation")


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


def evaluate(
    pairs: Annotated[
        Path | None,
        typer.Argument(
            metavar="PAIRS",
            help="A labelled pairs CSV (name1,name2,is_match,kind[,script]): its threshold sweep. "
            "Without it: the held-out figures.",
        ),
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            "--reference",
            metavar="FOLDER",
            help="The folder holding screening/ (the nomenklatura benchmark) and sanctions/ofac_raw/ "
            "(default: $DUALUSE_REFERENCE_DATA).",
        ),
    ] = None,
    folds: Annotated[
        int, typer.Option("--folds", min=2, max=20, metavar="N", help="Cross-validation folds of the benchmark.")
    ] = 5,
    tune: Annotated[
        bool, flag("--tune/--no-tune", help="Tune the weights on the training folds (else as shipped).")
    ] = True,
    json_output: JsonOpt = False,
) -> None:
    """Measure the scorer: held-out figures beside logic-v2's, or the threshold sweep of a pairs file.

    Without PAIRS: the regional held-out set and OFAC's own aliases at the default threshold and,
    with --reference, the public nomenklatura benchmark cross-validated (weights and threshold
    tuned on the training folds only) beside logic-v2's scores on the same rows.
    """
    if pairs is None:
        _heldout(reference, folds, tune, json_output)
        return
    import polars as pl

    from dualuse.screening.evaluate import best_threshold, load_pairs, score_labelled, sweep

    with status(f"scoring the pairs of {pairs.name}", enabled=not json_output):
        table = sweep(score_labelled(load_pairs(pairs)))
    best = best_threshold(table)
    if json_output:
        typer.echo(as_json({"pairs": str(pairs), "best": best, "sweep": table.to_dicts()}))
        return
    say(f"{pairs.name}: best F1 {best['f1']:.4f} at threshold {best['threshold']:.2f}")
    shown = table.filter(pl.col("threshold").is_in([0.7, 0.75, 0.8, 0.85, 0.9, best["threshold"]]))
    print_frame(
        shown.with_columns(pl.col("precision", "recall", "f1").round(4)).sort("threshold", "slice"),
        title="threshold sweep",
    )


def _heldout(reference: Path | None, folds: int, tune: bool, json_output: bool) -> None:
    """The held-out figures (regional held-out set, OFAC aliases, the public benchmark beside logic-v2)."""
    import os

    import polars as pl

    from dualuse.screening.heldout import DEFAULT_THRESHOLD, heldout_report
    from dualuse.screening.scoring import ScoringConfig

    if reference is None and os.environ.get("DUALUSE_REFERENCE_DATA"):
        reference = Path(os.environ["DUALUSE_REFERENCE_DATA"])
    if reference is not None and not reference.is_dir():
        raise InputError(f"--reference {reference}: not a folder")
    with status("scoring the held-out sets", enabled=not json_output):
        report = heldout_report(reference, folds=folds, grid=None if tune else [ScoringConfig()])
    if json_output:
        typer.echo(
            as_json(
                {
                    "default_threshold": DEFAULT_THRESHOLD,
                    "folds": folds,
                    "tuned": tune,
                    "sets": report.sets.to_dicts(),
                    "cases": report.cases.to_dicts(),
                    "benchmark": report.benchmark.to_dicts(),
                }
            )
        )
        return
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


def screen_names(
    names: Annotated[
        str,
        typer.Argument(
            metavar="NAMES",
            help="Names to screen: CSV, Parquet or Excel, a workspace table, or a partitioned "
            "Parquet dataset (a folder, glob or URL: read slice by slice).",
        ),
    ],
    against: Annotated[
        Path | None,
        typer.Option(
            "--watchlist",
            metavar="FILE",
            help="The watch list: a list as published (OFAC sdn.csv or SDN_ENHANCED.XML, the CSL, EU, UK or "
            "OpenSanctions files: read by the connector that recognises it), a parties table or a workspace table.",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.0, max=1.0, metavar="SCORE", help="Minimum score, 0 to 1.")
    ] = 0.8,
    name_column: Annotated[
        str, typer.Option("--name-column", metavar="COLUMN", help="The name column of NAMES.")
    ] = "name",
    kind: Annotated[
        str,
        typer.Option("--kind", metavar="KIND", help="Kind of names without a kind column: company, person, unknown."),
    ] = "unknown",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write matches here (.parquet/.csv/.json).")
    ] = None,
    engine: EngineOpt = "local",
    partitions: PartitionsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Screen NAMES against a watch list (Latin and Cyrillic, legal forms, identifiers)."""
    if against is None:
        raise InputError("--watchlist FILE is required")
    from dualuse.screening import screen

    with status("reading names and the watch list", enabled=not json_output) as step:
        queries = dataset_of(names) or read_parties(names, name_column=name_column)
        watch = read_parties(str(against), name_column=name_column)
        if "name" not in watch.columns and name_column in watch.columns:
            watch = watch.rename({name_column: "name"})
        step(f"screening {rows_of(queries):,} names against {watch.height:,}")
        result = screen(
            queries,
            watch,
            threshold=threshold,
            name_column=name_column,
            kind=kind,
            engine=executor_for(engine, step),
            partitions=partitions,
        )
        if out is not None:
            write_frame(_flat(result) if out.suffix.lower() == ".csv" else result, out)
    matched = result["query_id"].n_unique()
    if json_output:
        summary = {
            "names": rows_of(queries),
            "watchlist": watch.height,
            "with_candidates": matched,
            "rows": result.height,
        }
        rows = result.select(_SHOWN) if out is None else None
        typer.echo(
            as_json(
                {
                    **summary,
                    "out": None if out is None else str(out),
                    "matches": None if rows is None else rows.to_dicts(),
                }
            )
        )
        return
    say(f"{rows_of(queries)} names screened against {watch.height}: {matched} with candidates, {result.height} rows")
    if out is not None:
        say(f"wrote {out}")
    else:
        print_frame(result.select(_SHOWN).head(50), title="candidate matches (best first)")


screen_app = typer.Typer(
    cls=DefaultGroup,
    no_args_is_help=True,
    subcommand_metavar="[NAMES | eval] [ARGS]...",
    help="Screen names against a watch list; `dualuse screen eval` measures the scorer on labelled pairs.",
    epilog=example_text(
        "dualuse screen partners.csv --watchlist watchlist.csv --threshold 0.8 --out matches.csv",
        "dualuse screen eval",
    ),
)


def register(app: typer.Typer) -> None:
    """Add ``screen`` (``dualuse screen NAMES …``, ``dualuse screen eval``) to ``app``."""
    add(
        screen_app,
        "names",
        screen_names,
        "dualuse screen partners.csv --watchlist watchlist.csv --out matches.csv",
        "dualuse screen names partners.parquet --watchlist sdn.parquet --kind company --json",
        "dualuse screen partners.csv --watchlist ~/lists/sdn.csv",
    )
    add(
        screen_app,
        "eval",
        evaluate,
        "dualuse screen eval --reference ../shared/data",
        "dualuse screen eval my_pairs.csv --json",
    )
    app.add_typer(screen_app, name="screen")
