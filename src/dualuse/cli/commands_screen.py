"""``dualuse screen``: screen names against a watch list; ``dualuse screen eval``: the evaluation sweep."""

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


def _evaluate(pairs: Path | None) -> None:
    import polars as pl

    from dualuse.screening.evaluate import best_threshold, load_pairs, regional_pairs, score_labelled, sweep

    path = pairs or regional_pairs()
    table = sweep(score_labelled(load_pairs(path)))
    best = best_threshold(table)
    say(f"{path.name}: best F1 {best['f1']:.4f} at threshold {best['threshold']:.2f}")
    shown = table.filter(pl.col("threshold").is_in([0.7, 0.75, 0.8, 0.85, 0.9, best["threshold"]]))
    print_frame(
        shown.with_columns(pl.col("precision", "recall", "f1").round(4)).sort("threshold", "slice"),
        title="threshold sweep",
    )


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
    ) -> None:
        """Screen NAMES against a watch list (Latin and Cyrillic, legal forms, identifiers).

        `dualuse screen eval [PAIRS]` prints the threshold sweep of a labelled pairs file.
        """
        if names == "eval":
            _evaluate(pairs)
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
