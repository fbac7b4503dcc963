"""``dualuse demo`` (the main job on the bundled scenario) and ``dualuse report`` (the same report from your data).

Exit codes: 0 done, 1 error (one line on stderr), 2 usage error, 130 interrupted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dualuse.cli import _output
from dualuse.cli._command import HubsOpt, JsonOpt, QuietOpt, add
from dualuse.cli._progress import step_progress

if TYPE_CHECKING:
    from dualuse.demo import DemoResult

__all__ = ["register"]


def _print_summary(result: DemoResult) -> None:
    import textwrap

    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    figures = Table(title="Headline figures (each linked to its rows in the report)", title_justify="left")
    figures.add_column("figure")
    figures.add_column("value", justify="right", style="bold")
    figures.add_column("rows", justify="right", style="dim")
    for fig in result.figures:
        figures.add_row(_output.plain(fig.label), fig.display, f"{fig.evidence.count:,}")
    console.print(figures)
    top = result.top_findings()
    if top.height:
        console.print(
            "[bold]Top findings[/], the strongest of each kind first (all of them: findings.json and the report)"
        )
        width = max(40, console.width - 8)
        for row in top.iter_rows(named=True):
            console.print(
                f"  [bold]{row['score']:.2f}[/]  [cyan]{row['kind']}[/]  {_output.plain(row['subject'])}",
                highlight=False,
            )
            console.print(
                "        " + _output.plain(textwrap.shorten(row["summary"], width=width, placeholder=" …")),
                style="dim",
                highlight=False,
            )
    skipped = [s for s in result.steps if s.status != "ran"]
    for step in skipped:
        console.print(f"[yellow]skipped[/] {step.name}: {_output.plain(step.note)}")
    if result.explore_command:
        console.print(f"Explore in a browser: [bold]{_output.plain(result.explore_command)}[/]", highlight=False)
    console.print(
        f"Report: [bold]{result.files.html}[/]  ·  findings: {result.files.findings}  ·  tables: {result.files.html.parent / 'tables'}"
        f"  ·  {result.seconds:.1f} s"
    )


def register(app: typer.Typer) -> None:
    """Add ``demo`` and ``report`` to ``app``."""

    def demo(
        out: Annotated[
            Path,
            typer.Option(
                "--out", "-o", metavar="FOLDER", help="Folder for report.html, findings.json, tables/ and the inputs."
            ),
        ] = Path("demo-output"),
        quiet: QuietOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Run the whole pipeline on the bundled sample scenario and write a report.

        Lists, ingest through the connectors, mirror/hubs/surge, chains, screening, red flags:
        writes OUT/report.html (open it in any browser, offline), OUT/findings.json and OUT/tables/.
        Needs the sanctions plugin (plugins/dualuse-sanctions) to read the watch list.

        Exit codes: 0 done, 1 error (one line on stderr), 2 usage error, 130 interrupted.
        """
        from dualuse.demo import STEPS, run_demo

        quiet = quiet or _output.STATE.quiet
        with step_progress(not quiet and not as_json, len(STEPS)) as progress:
            result = run_demo(out, progress=progress)
        if as_json:
            typer.echo(_output.as_json(result.summary()))
        elif not quiet:
            _print_summary(result)

    def report(
        out: Annotated[
            Path,
            typer.Option("--out", "-o", metavar="FOLDER", help="Folder for report.html, findings.json and tables/."),
        ],
        workspace: Annotated[
            Path | None,
            typer.Option("--workspace", "-w", metavar="FOLDER", help="Build from every table in this workspace."),
        ] = None,
        flows: Annotated[
            str | None,
            typer.Option("--flows", metavar="FILE", help="Canonical flows: a .parquet/.csv file or a workspace table."),
        ] = None,
        shipments: Annotated[
            str | None,
            typer.Option("--shipments", metavar="FILE", help="Canonical shipments (file or workspace table)."),
        ] = None,
        watchlist: Annotated[
            str | None,
            typer.Option(
                "--watchlist", metavar="FILE", help="Canonical parties of a watch list (file or workspace table)."
            ),
        ] = None,
        registry: Annotated[
            str | None, typer.Option("--registry", metavar="FILE", help="Canonical parties from a company registry.")
        ] = None,
        origin: Annotated[str, typer.Option(metavar="COUNTRY", help="Origin country.")] = "CN",
        hubs: HubsOpt = "KZ,KG",
        target: Annotated[str, typer.Option(metavar="COUNTRY", help="Target country.")] = "RU",
        year: Annotated[int, typer.Option(metavar="YEAR", help="The year of the headline figures.")] = 2023,
        baseline_year: Annotated[
            int, typer.Option("--baseline-year", metavar="YEAR", help="The year to compare with.")
        ] = 2022,
        list_name: Annotated[
            str, typer.Option("--list", "-l", metavar="LIST", help="Dual-use list for the headline figures.")
        ] = "chpl",
        title: Annotated[str | None, typer.Option(metavar="TEXT", help="Report title.")] = None,
        quiet: QuietOpt = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Build the report from a workspace or from files: HTML, findings.json and tables/.

        Runs the same analysis as `dualuse demo` on what it is given: flows are required; shipments
        add chains and red flags, a watch list adds screening, a registry adds registry red flags.

        Exit codes: 0 done, 1 error (one line on stderr), 2 usage error, 130 interrupted.
        """
        import dataclasses

        import polars as pl

        from dualuse.demo import ANALYSIS_STEPS, report_from_frames
        from dualuse.errors import ConfigError
        from dualuse.geo import country
        from dualuse.report import ReportOptions
        from dualuse.store import Workspace, read_table

        frames: dict[str, pl.DataFrame] = {}
        if workspace is not None:
            from dualuse.demo import frames_from_workspace

            frames.update(frames_from_workspace(Workspace(workspace)))
        ws = Workspace(workspace) if workspace is not None else None
        inputs = (("flows", flows, "flows"), ("shipments", shipments, "shipments"), ("watchlist", watchlist, None))
        for key, spec, table in (*inputs, ("registry", registry, None)):
            if spec is not None:
                frames[key] = read_table(spec, workspace=ws, table=table)
        if "flows" not in frames:
            raise ConfigError("dualuse report: give --workspace with a flows table, or --flows FILE")
        options = ReportOptions(
            origin=country(origin),
            hubs=tuple(country(h) for h in hubs.split(",") if h.strip()),
            target=country(target),
            year=year,
            baseline_year=baseline_year,
            list_name=list_name,
            list_version=None if list_name != "chpl" else "2023",
        )
        if title:
            options = dataclasses.replace(options, title=title)
        with step_progress(not (quiet or as_json or _output.STATE.quiet), len(ANALYSIS_STEPS)) as progress:
            result = report_from_frames(frames, options, out, progress=progress, workspace=ws)
        if as_json:
            typer.echo(_output.as_json(result.summary()))
        elif not (quiet or _output.STATE.quiet):
            _print_summary(result)

    add(app, "demo", demo, "dualuse demo", "dualuse demo --out /tmp/demo --json")
    add(
        app,
        "report",
        report,
        "dualuse report --workspace ws --out report",
        "dualuse report --flows flows.parquet --shipments shipments.parquet --watchlist sdn.parquet --hubs KZ,KG --out report",
    )
