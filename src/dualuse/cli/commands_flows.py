"""``dualuse reconcile``, ``dualuse hubs``, ``dualuse surge``: trade-flow analytics on a flows file."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dualuse.cli._command import HubsOpt, JsonOpt, ListOpt, OutFileOpt, add
from dualuse.cli._engine import EngineOpt, PartitionsOpt, dataset_of, executor_for, rows_of
from dualuse.cli._output import as_json, plain, say, write_frame
from dualuse.cli._progress import status

if TYPE_CHECKING:
    import polars as pl

    from dualuse.execution import Dataset
    from dualuse.lists.model import DualUseList

__all__ = ["register"]

FlowsArg = Annotated[
    Path,
    typer.Argument(
        metavar="FLOWS",
        help="Trade statistics: a CSV, Parquet or Excel file with the flows columns (in any case and spelling; "
        "source and source_row are filled when absent), a workspace table, or a partitioned Parquet dataset "
        "(a folder, glob or URL: read out-of-core).",
    ),
]
FindingsOpt = Annotated[
    Path | None,
    typer.Option("--findings", metavar="FILE", help="Also write the findings (.parquet, .csv or .json)."),
]


class Level(StrEnum):
    product = "product"
    tier = "tier"


def _flows(path: Path, what: str) -> pl.DataFrame | Dataset:
    """The flows through the front door; a row that cannot be read is an error naming file, row and column.

    A partitioned dataset is handed on as it is: the algorithm reads it chunk by chunk.
    """
    from dualuse.cli._input import read_canonical

    return dataset_of(path) or read_canonical(path, "flows", what=what)


def _findings(
    findings: Path | None, make: Callable[[], pl.DataFrame], step: Callable[[str], None]
) -> pl.DataFrame | None:
    """Build and write the findings when ``--findings`` was given."""
    if findings is None:
        return None
    step("findings")
    found = make()
    _write(found, findings)
    return found


def _report(
    summary: dict[str, object],
    lines: list[str],
    json_output: bool,
    found: pl.DataFrame | None = None,
    findings: Path | None = None,
) -> None:
    """The summary (with the findings written, if any) as JSON on stdout (``--json``) or as lines for people."""
    summary = {
        **summary,
        "findings": None if found is None else found.height,
        "findings_file": None if findings is None else str(findings),
    }
    if found is not None:
        lines = [*lines, f"{found.height:,} findings -> {findings}"]
    if json_output:
        typer.echo(as_json(summary))
    else:
        for line in lines:
            say(line)


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
    """A list option as every function reads it (a name, ``chpl@2023``, ``chpl,uav`` or a file)."""
    from dualuse import lists

    return lists.resolve(name)


def reconcile(
    flows: FlowsArg,
    out: OutFileOpt,
    findings: FindingsOpt = None,
    engine: EngineOpt = "local",
    partitions: PartitionsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Pair exporter and importer reports, remove CIF/FOB, reconcile, flag ghost exports."""
    from dualuse.flows import mirror, mirror_findings

    with status("reading flows", enabled=not json_output) as step:
        data = _flows(flows, "reconcile")
        step(f"reconciling {rows_of(data):,} flow records")
        result = mirror(data, engine=executor_for(engine, step), partitions=partitions)
        step(f"writing {out}")
        _write(result, out)
        found = _findings(findings, lambda: mirror_findings(result), step)
    counts = dict(sorted(result.group_by("status").len().iter_rows()))
    line = f"[bold]{result.height:,}[/] flows reconciled -> {out}: " + ", ".join(
        f"{k} {v:,}" for k, v in counts.items()
    )
    _report({"rows": result.height, "out": str(out), "status": counts}, [line], json_output, found, findings)


def hubs(
    flows: FlowsArg,
    out: OutFileOpt,
    origin: Annotated[str, typer.Option("--origin", metavar="COUNTRY", help="Origin country, e.g. CN.")],
    hubs: HubsOpt,
    target: Annotated[str, typer.Option("--target", metavar="COUNTRY", help="Target country.")] = "RU",
    list_name: ListOpt = None,
    window: Annotated[
        int, typer.Option("--window", metavar="MONTHS", help="Months of imports matched to exports.")
    ] = 2,
    min_share: Annotated[
        float,
        typer.Option(
            "--min-share",
            metavar="SHARE",
            show_default=False,
            help="Exports ÷ matched imports from which exports count as re-exports [default: 1/3, the Armenian rule].",
        ),
    ] = 1 / 3,
    findings: FindingsOpt = None,
    engine: EngineOpt = "local",
    partitions: PartitionsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Triangulate origin -> hub -> target: legs, production prior, pass-through, re-exports."""
    from dualuse.flows import hub_findings
    from dualuse.flows import hubs as triangulate
    from dualuse.formatting import money

    with status("reading flows", enabled=not json_output) as step:
        data = _flows(flows, "hubs")
        step(f"triangulating {rows_of(data):,} flow records")
        result = triangulate(
            data,
            engine=executor_for(engine, step),
            partitions=partitions,
            origin=origin,
            hubs=hubs,
            target=target,
            dual_use=_list(list_name),
            window_months=window,
            min_share=min_share,
        )
        step(f"writing {out}")
        _write(result, out)
        found = _findings(findings, lambda: hub_findings(result), step)
    total = float(result.get_column("re_export_usd").sum())
    line = f"[bold]{result.height:,}[/] route-good-periods -> {out}; estimated re-exports {money(total)}"
    _report({"rows": result.height, "out": str(out), "re_export_usd": total}, [line], json_output, found, findings)


def surge(
    flows: FlowsArg,
    out: OutFileOpt,
    event: Annotated[str, typer.Option("--event", metavar="DATE", help="Event date, YYYY-MM-DD.")] = "2022-02-24",
    list_name: Annotated[
        str | None, typer.Option("--list", "-l", metavar="LIST", help="Dual-use list name (e.g. chpl) or a list file.")
    ] = "chpl",
    level: Annotated[Level, typer.Option("--level", help="One row per good or per list tier.")] = Level.product,
    route: Annotated[
        list[str] | None,
        typer.Option("--route", metavar="ROUTE", help="Keep this exporter>importer route, e.g. CN>KZ (repeatable)."),
    ] = None,
    did_out: Annotated[
        Path | None,
        typer.Option(
            "--did", metavar="FILE", help="Also write a difference-in-differences: listed goods vs --control."
        ),
    ] = None,
    control: Annotated[
        str,
        typer.Option(
            "--control",
            metavar="GOODS",
            help="The DiD control group: 'unlisted' (goods on no tier of --list), a list name, or HS codes "
            "separated by commas.",
        ),
    ] = "unlisted",
    findings: FindingsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Growth against the pre-event baseline per route, good and tier; optional difference-in-differences."""
    from dualuse.flows import listed_did, surge_findings
    from dualuse.flows import surge as grow
    from dualuse.inputs import as_date

    when = as_date(event, "--event")
    lines: list[str] = []
    summary: dict[str, object] = {"out": str(out)}
    with status("reading flows", enabled=not json_output) as step:
        data = _flows(flows, "surge")
        step(f"growth of {rows_of(data):,} flow records against the baseline")
        result = grow(data, event=when, dual_use=_list(list_name), level=level.value, routes=route)
        _write(result, out)
        lines.append(f"[bold]{result.height:,}[/] rows -> {out}")
        summary["rows"] = result.height
        if did_out is not None:
            step("difference-in-differences")
            estimate = listed_did(data, dual_use=list_name or "chpl", control=control, event=when, routes=route)
            _write(estimate, did_out)
            row = estimate.row(0, named=True)
            keys = ("estimate", "std_error", "p_value", "treated", "control", "routes")
            summary["did"] = {k: row.get(k) for k in keys} | {"file": str(did_out)}
            if row["estimate"] is not None:
                se = "n/a" if row["std_error"] is None else f"{row['std_error']:.3f}"
                lines.append(
                    f"difference-in-differences (log): {row['estimate']:.3f} (s.e. {se}), "
                    f"{plain(row['treated'])} against {plain(row['control'])}, {plain(row['routes'])} -> {did_out}"
                )
        found = _findings(findings, lambda: surge_findings(result), step)
    _report(summary, lines, json_output, found, findings)


def register(app: typer.Typer) -> None:
    """Add ``reconcile``, ``hubs`` and ``surge`` to ``app``."""
    add(app, "reconcile", reconcile, "dualuse reconcile flows.parquet --out mirror.parquet --findings findings.json")
    add(
        app,
        "hubs",
        hubs,
        "dualuse hubs flows.parquet --origin CN --hubs KZ,KG --list chpl --out hubs.parquet",
        "dualuse hubs flows.parquet --origin CN --hubs KZ --out hubs.csv --findings findings.json --json",
    )
    add(
        app,
        "surge",
        surge,
        "dualuse surge flows.parquet --level tier --route CN>KZ --route KZ>RU --out surge.parquet --did did.csv",
        "dualuse surge flows.csv --list chpl --did did.csv --control 940360,640399 --out surge.parquet",
    )
