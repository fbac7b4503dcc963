"""``dualuse reconcile``, ``dualuse hubs``, ``dualuse surge``: trade-flow analytics on a flows file."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dualuse.cli._output import say, write_frame

if TYPE_CHECKING:
    import polars as pl

    from dualuse.lists.model import DualUseList

__all__ = ["register"]

FlowsArg = Annotated[Path, typer.Argument(help="A canonical flows file (Parquet or CSV).")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output file: .parquet, .csv or .json.")]
FindingsOpt = Annotated[
    Path | None, typer.Option("--findings", help="Also write the findings (.parquet, .csv or .json).")
]
ListOpt = Annotated[str | None, typer.Option("--list", "-l", help="Dual-use list name (e.g. chpl) or file.")]


class Level(StrEnum):
    product = "product"
    tier = "tier"


def _flows(path: Path) -> pl.DataFrame:
    """Read and validate a canonical flows file; a bad row is an error naming file, row and column."""
    from dualuse.store import read_table

    return read_table(path, table="flows")


def _write(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Write a result; nested columns (evidence lists) go to CSV as JSON text."""
    import polars as pl

    if path.suffix.lower() == ".csv":
        nested = [n for n, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct))]
        frame = frame.with_columns(pl.col(n).map_elements(_json, return_dtype=pl.String) for n in nested)
    write_frame(frame, path)
    return frame


def _json(value: object) -> str:
    import json

    return json.dumps(value.to_list() if hasattr(value, "to_list") else value, default=str)


def _list(name: str | None) -> DualUseList | None:
    if name is None:
        return None
    from dualuse import lists

    return lists.load(name) if name.endswith((".csv", ".toml")) or Path(name).exists() else lists.get(name)


def reconcile(flows: FlowsArg, out: OutOpt, findings: FindingsOpt = None) -> None:
    """Pair exporter and importer reports, remove CIF/FOB, reconcile, flag ghost exports."""
    from dualuse.flows import mirror, mirror_findings

    result = mirror(_flows(flows))
    _write(result, out)
    counts = dict(result.group_by("status").len().iter_rows())
    say(
        f"[bold]{result.height:,}[/] flows reconciled -> {out}: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))
    )
    if findings is not None:
        found = mirror_findings(result)
        _write(found, findings)
        say(f"{found.height:,} findings -> {findings}")


def hubs(
    flows: FlowsArg,
    out: OutOpt,
    origin: Annotated[str, typer.Option("--origin", help="Origin country, e.g. CN.")],
    hub: Annotated[str, typer.Option("--hub", help="Hub countries, comma-separated, e.g. KZ,KG.")],
    target: Annotated[str, typer.Option("--target", help="Target country.")] = "RU",
    list_name: ListOpt = None,
    window: Annotated[int, typer.Option("--window", help="Months of imports matched to exports.")] = 2,
    min_share: Annotated[float, typer.Option("--min-share", help="Exports / matched imports to count.")] = 1 / 3,
    findings: FindingsOpt = None,
) -> None:
    """Triangulate origin -> hub -> target: legs, production prior, pass-through, re-exports."""
    from dualuse.flows import hub_findings
    from dualuse.flows import hubs as triangulate

    result = triangulate(
        _flows(flows),
        origin=origin,
        hubs=[h.strip() for h in hub.split(",") if h.strip()],
        target=target,
        dual_use=_list(list_name),
        window_months=window,
        min_share=min_share,
    )
    _write(result, out)
    total = result.get_column("re_export_usd").sum()
    say(f"[bold]{result.height:,}[/] route-good-periods -> {out}; estimated re-exports ${total:,.0f}")
    if findings is not None:
        found = hub_findings(result)
        _write(found, findings)
        say(f"{found.height:,} findings -> {findings}")


def surge(
    flows: FlowsArg,
    out: OutOpt,
    event: Annotated[str, typer.Option("--event", help="Event date, YYYY-MM-DD.")] = "2022-02-24",
    list_name: ListOpt = "chpl",
    level: Annotated[Level, typer.Option("--level", help="One row per good or per list tier.")] = Level.product,
    route: Annotated[
        list[str] | None, typer.Option("--route", help="Keep this exporter>importer route (repeatable).")
    ] = None,
    did_out: Annotated[
        Path | None, typer.Option("--did", help="Also write a listed-vs-not-listed difference-in-differences.")
    ] = None,
    findings: FindingsOpt = None,
) -> None:
    """Growth against the pre-event baseline per route, good and tier; optional difference-in-differences."""
    import polars as pl

    from dualuse.errors import InputError
    from dualuse.flows import NOT_LISTED, did, surge_findings
    from dualuse.flows import surge as grow

    try:
        when = dt.date.fromisoformat(event)
    except ValueError:
        raise InputError(f"--event: expected a date YYYY-MM-DD, got {event!r}") from None
    data = _flows(flows)
    result = grow(data, event=when, dual_use=_list(list_name), level=level.value, routes=route)
    _write(result, out)
    say(f"[bold]{result.height:,}[/] rows -> {out}")
    if did_out is not None:
        panel = result if level is Level.product else grow(data, event=when, dual_use=_list(list_name), routes=route)
        estimate = did(panel, treated=pl.col("tier") != NOT_LISTED)
        _write(estimate, did_out)
        row = estimate.row(0, named=True)
        if row["estimate"] is not None:
            se = "n/a" if row["std_error"] is None else f"{row['std_error']:.3f}"
            say(f"difference-in-differences (log): {row['estimate']:.3f} (s.e. {se}) -> {did_out}")
    if findings is not None:
        found = surge_findings(result)
        _write(found, findings)
        say(f"{found.height:,} findings -> {findings}")


def register(app: typer.Typer) -> None:
    """Add ``reconcile``, ``hubs`` and ``surge`` to ``app``."""
    app.command("reconcile")(reconcile)
    app.command("hubs")(hubs)
    app.command("surge")(surge)
