"""``dualuse trace``: shipment chains through intermediaries, with party red flags."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dualuse.cli._command import JsonOpt, add, flag
from dualuse.cli._engine import EngineOpt, PartitionsOpt, dataset_of, executor_for
from dualuse.cli._output import as_json, plain, print_frame, say, write_frame
from dualuse.cli._progress import status
from dualuse.errors import InputError
from dualuse.formatting import money

if TYPE_CHECKING:
    import polars as pl

    from dualuse.schema import Validated

__all__ = ["register"]


class Format(StrEnum):
    parquet = "parquet"
    csv = "csv"
    json = "json"


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV cannot hold lists or structs: lists of text become ``a; b``, the rest JSON text."""
    import polars as pl

    out = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and dtype.inner == pl.String:
            out.append(pl.col(name).list.join("; "))
        elif isinstance(dtype, (pl.List, pl.Struct)):
            out.append(
                pl.col(name).map_elements(
                    lambda v: json.dumps(v.to_list() if hasattr(v, "to_list") else v, default=str, ensure_ascii=False),
                    return_dtype=pl.String,
                )
            )
        else:
            out.append(pl.col(name))
    return frame.select(out)


def _empty_read() -> Validated[pl.DataFrame]:
    """No rows read here: a dataset is read by chains itself, chunk by chunk (its rejected rows in the result)."""
    import polars as pl

    from dualuse.schema import Validated

    return Validated(accepted=pl.DataFrame(), rejected=pl.DataFrame())


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def trace(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FOLDER", help="Folder for the results.")],
    shipments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="SHIPMENTS...",
            help="Shipment records: CSV, Parquet or Excel files with the shipments columns, or workspace tables; "
            "several are read as one (a hub's export extract with Russia's import extract). A partitioned "
            "Parquet dataset (a folder, glob or URL) is read out-of-core. "
            "Default: every shipments table of the workspace.",
        ),
    ] = None,
    target: Annotated[str, typer.Option("--target", metavar="COUNTRY", help="Destination country.")] = "RU",
    hubs: Annotated[
        str | None,
        typer.Option(
            "--hubs", metavar="COUNTRIES", help="Intermediary countries, comma-separated (default: known hubs)."
        ),
    ] = None,
    list_name: Annotated[
        str | None,
        typer.Option(
            "--list", "-l", metavar="LIST", help="Keep chains of goods on this list (e.g. chpl); flags use it too."
        ),
    ] = None,
    window_days: Annotated[
        int, typer.Option("--window-days", metavar="DAYS", help="Most days between arrival and departure.")
    ] = 90,
    max_hops: Annotated[
        int, typer.Option("--max-hops", metavar="N", help="Most legs of a chain (CN>KZ>KG>RU is 3).")
    ] = 3,
    registry: Annotated[
        Path | None,
        typer.Option("--registry", metavar="FILE", help="Parties with founded/employees/revenue_usd/owners."),
    ] = None,
    sanctioned: Annotated[
        Path | None,
        typer.Option("--watchlist", metavar="FILE", help="A watch list (parties table) or screening results."),
    ] = None,
    glob: Annotated[
        bool, flag("--glob", help="Read SHIPMENTS that are patterns (kz-*.csv) as the files they match.")
    ] = False,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", metavar="FOLDER", help="The workspace of table names (default: the user's)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Format of the result files.")] = Format.parquet,
    ftm: Annotated[bool, flag("--ftm/--no-ftm", help="Also write FollowTheMoney JSON lines.")] = True,
    engine: EngineOpt = "local",
    partitions: PartitionsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Reconstruct shipment chains into TARGET through intermediaries; write chains, links and flags."""
    import polars as pl

    from dualuse import trace as tr
    from dualuse.cli._input import read_many, read_parties
    from dualuse.store import Workspace

    ws = Workspace(workspace) if workspace is not None else Workspace()
    specs: list[str] = list(shipments or [])
    if not specs:
        specs = [t.name for t in ws.tables() if t.manifest.table == "shipments" and t.manifest.connector != "analysis"]
        if not specs:
            raise InputError(f"no shipments given, and the workspace {ws.path} holds no shipments table")

    with status("reading shipments", enabled=not json_output) as step:
        dataset = dataset_of(specs[0]) if len(specs) == 1 else None
        read = _empty_read() if dataset is not None else read_many(specs, "shipments", workspace=ws, glob=glob)
        frame: object = dataset if dataset is not None else read.accepted
        lines = dataset.rows() if dataset is not None else read.accepted.height
        if read.rejected.height:
            first = read.rejected.row(0, named=True)
            say(
                f"[yellow]warning[/] {read.rejected.height:,} shipment rows cannot be read (kept in rejected); "
                f"first: {plain(first.get('source'))}, row {plain(first.get('source_row'))}, column "
                f"{plain(first['column'])}: {plain(first['reason'])}"
            )
        step(f"tracing chains through {lines:,} shipment lines")
        result = tr.chains(
            frame,
            target=target,
            hubs=_split(hubs) or tr.DEFAULT_HUBS,
            window_days=window_days,
            max_hops=max_hops,
            dual_use=list_name,
            engine=executor_for(engine, step),
            partitions=partitions,
        )
        step(f"red flags on {result.parties.height:,} parties")
        flags = tr.red_flags(
            result.shipments,
            parties=result.parties,
            target=target,
            dual_use=list_name or "chpl",
            registry=read_parties(registry, workspace=ws) if registry else None,
            sanctioned=read_parties(sanctioned, workspace=ws) if sanctioned else None,
        )
        tables = {
            "chains": result.chains,
            "links": result.links,
            "flags": flags,
            "unexplained": result.unexplained,
            "parties": result.parties,
            "rejected": pl.concat([read.rejected, result.rejected], how="diagonal_relaxed"),
        }
        step(f"writing {out}")
        for name, table in tables.items():
            write_frame(_flat(table) if fmt is Format.csv else table, out / f"{name}.{fmt.value}")
        if ftm:
            from dualuse.safe_files import write_text
            from dualuse.safe_text import neutralise_value

            entities = tr.to_followthemoney(result, flags=flags)
            text = "".join(json.dumps(neutralise_value(e), ensure_ascii=False, sort_keys=True) + "\n" for e in entities)
            write_text(out / "entities.ftm.json", text)
    strongest = result.chains.sort(["score", "value_usd"], descending=True, nulls_last=True).head(10)
    shown = strongest.select("route", "hs6", "first_date", "last_date", "quantity", "value_usd", "score")
    if json_output:
        summary = {
            "inputs": specs,
            "lines": lines + read.rejected.height,
            "rejected": read.rejected.height + result.rejected.height,
            "chains": result.chains.height,
            "links": result.links.height,
            "flags": flags.height,
            "out": str(out),
            "files": sorted(str(out / f"{name}.{fmt.value}") for name in tables),
            "top_chains": shown.to_dicts(),
        }
        typer.echo(as_json(summary))
        return
    say(
        f"{result.chains.height:,} chains, {result.links.height:,} links, {flags.height:,} flags "
        f"from {lines + read.rejected.height:,} lines "
        f"({read.rejected.height + result.rejected.height:,} rejected) -> {out}"
    )
    if result.chains.height:
        print_frame(
            shown.with_columns(pl.col("value_usd").map_elements(money, return_dtype=pl.String)),
            title="Top chains, strongest first (score, then value)",
        )


def register(app: typer.Typer) -> None:
    """Add ``dualuse trace`` to ``app``."""
    add(
        app,
        "trace",
        trace,
        "dualuse trace shipments.parquet --hubs KZ,KG --list chpl --watchlist watchlist.parquet --out traced",
        "dualuse trace kz-exports.csv kg-exports.xlsx ru-imports.csv --hubs KZ,KG --out traced",
        "dualuse trace 'extracts/*.csv' --glob --out traced",
    )
