"""The main job in one call: the bundled scenario through the whole pipeline, into a report.

:func:`run_demo` writes the scenario's input files (trade statistics, shipment records, a company
registry, a watch list in the OFAC legacy CSV layout) under ``out_dir/input``, ingests them through
the connectors into a workspace under ``out_dir/workspace``, runs the analysis (mirror, hubs and
surge; chains; screening; red flags), and writes ``out_dir/report.html``, ``out_dir/findings.json``
and ``out_dir/tables/``. It prints nothing: the ``dualuse demo`` command prints the summary.

Examples:
    >>> import tempfile, pathlib
    >>> result = run_demo(pathlib.Path(tempfile.mkdtemp()))  # doctest: +SKIP
    >>> result.figure("listed_to_hubs_growth").display  # doctest: +SKIP
    '+64 %'
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from dualuse.connectors import connectors
from dualuse.errors import PluginError
from dualuse.lists import get as get_list
from dualuse.lists import resolve
from dualuse.report import Figure, Report, ReportFiles, ReportOptions, build_report, write_report
from dualuse.results import ANALYSIS_CONNECTOR, save_results
from dualuse.safe_files import ensure_folder, write_text
from dualuse.safe_text import neutralise_value
from dualuse.schema import polars_schema
from dualuse.store import Workspace
from dualuse.synth.scenario import CONTROLS, ScenarioFiles, build_scenario, unflatten_registry, write_scenario

__all__ = [
    "ANALYSIS_STEPS",
    "SANCTIONS_CONNECTOR",
    "STEPS",
    "DemoResult",
    "StepRecord",
    "annual_hubs",
    "annual_surge",
    "frames_from_workspace",
    "report_from_frames",
    "run_demo",
]

SANCTIONS_CONNECTOR = "ofac-sdn"
"""The watch-list connector of the dualuse-sanctions plugin (reached through the registry only)."""

ANALYSIS_STEPS = ("flows", "chains", "screening", "red flags", "report")
"""The steps of :func:`report_from_frames`, in order."""

STEPS = ("lists", "scenario", "ingest", *ANALYSIS_STEPS)
"""The steps of :func:`run_demo`, in order (the CLI advances its progress bar once per step)."""

FICTITIOUS = (
    "Sample scenario: the trade figures are calibrated to published totals (China's CHPL exports to "
    "Kazakhstan and Kyrgyzstan, Kazakhstan's drone trade), but every company, person, identifier and "
    "shipment is fictitious. The watch list is invented too; only its file format is OFAC's."
)

Progress = Callable[[str, int, int | None], None]
"""``progress(step, advance, total)``: a step began (advance 0) or moved on."""


@dataclass(frozen=True)
class StepRecord:
    """How one step went: ``ran`` or ``skipped`` (with the reason), and how long it took."""

    name: str
    status: str
    seconds: float
    note: str = ""


@dataclass
class DemoResult:
    """What :func:`run_demo` produced."""

    out_dir: Path
    report: Report
    files: ReportFiles
    ingested: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Workspace table name -> (rows accepted, rows rejected)."""
    steps: list[StepRecord] = field(default_factory=list)
    seconds: float = 0.0
    graph: Path | None = None
    """The FollowTheMoney export of the chains (``followthemoney.jsonl``), when chains were traced."""
    workspace: Workspace | None = None
    """The workspace the results were stored in (``dualuse explore`` serves it), if any."""

    @property
    def explore_command(self) -> str | None:
        """The ``dualuse explore`` command that opens this run's workspace in a browser, if it has one."""
        if self.workspace is None:
            return None
        import shlex

        return f"dualuse explore {shlex.quote(str(self.workspace.path))}"

    @property
    def figures(self) -> list[Figure]:
        """The headline figures of the report."""
        return self.report.figures

    def __repr__(self) -> str:
        return (
            f"DemoResult({str(self.out_dir)!r}, figures={len(self.figures)}, findings={self.report.findings.height:,})"
        )

    def _repr_html_(self) -> str:
        return self.report._repr_html_()

    def figure(self, key: str) -> Figure:
        """One headline figure by key (``listed_to_hubs``, ``watched-KZ-in``, ...)."""
        for fig in self.report.figures:
            if fig.key == key:
                return fig
        raise KeyError(key)

    def top_findings(self, n: int = 8) -> pl.DataFrame:
        """The strongest findings that are not headline figures, every kind represented.

        Findings are ranked within their kind; the first of each kind come first, then the
        second of each kind, and so on (so that a hundred monthly findings of one kind do not
        hide the one screening hit that matters).
        """
        findings = self.report.findings.filter(pl.col("kind") != "headline")
        ranked = findings.sort("score", "finding_id", descending=[True, False]).with_columns(
            pl.int_range(pl.len()).over("kind").alias("__rank")
        )
        return ranked.sort("__rank", "score", "finding_id", descending=[False, True, False]).head(n).drop("__rank")

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (what ``dualuse demo --json`` prints)."""
        return {
            "out_dir": str(self.out_dir),
            "report": str(self.files.html),
            "findings_file": str(self.files.findings),
            "followthemoney_file": None if self.graph is None else str(self.graph),
            "explore_command": self.explore_command,
            "seconds": round(self.seconds, 2),
            "figures": [
                {
                    "key": f.key,
                    "label": f.label,
                    "value": f.value,
                    "unit": f.unit,
                    "display": f.display,
                    "evidence_rows": f.evidence.count,
                }
                for f in self.figures
            ],
            "top_findings": self.top_findings().select("finding_id", "kind", "subject", "score", "summary").to_dicts(),
            "findings": self.report.findings.height,
            "ingested": {name: {"accepted": a, "rejected": r} for name, (a, r) in self.ingested.items()},
            "steps": [
                {"name": s.name, "status": s.status, "seconds": round(s.seconds, 2), "note": s.note} for s in self.steps
            ],
        }


class _Run:
    """Book-keeping for one run: step timings and progress calls."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.steps: list[StepRecord] = []
        self._started = 0.0
        self._name = ""

    def begin(self, name: str) -> None:
        self._name, self._started = name, time.perf_counter()
        if self.progress is not None:
            self.progress(name, 0, None)

    def end(self, status: str = "ran", note: str = "") -> None:
        self.steps.append(StepRecord(self._name, status, time.perf_counter() - self._started, note))
        if self.progress is not None:
            self.progress(self._name, 1, None)


def _require_sanctions_connector() -> None:
    if SANCTIONS_CONNECTOR not in connectors():
        raise PluginError(
            f"the watch-list connector {SANCTIONS_CONNECTOR!r} is not installed: "
            "run `pip install -e plugins/dualuse-sanctions` (or `make demo`, which installs it)"
        )


def _ingest(workspace: Workspace, inputs: ScenarioFiles) -> tuple[dict[str, pl.DataFrame], dict[str, tuple[int, int]]]:
    """Fetch every input through its connector into the workspace; return the stored frames."""

    def fetch(connector: str, settings: dict[str, Any], name: str) -> pl.DataFrame:
        stored = workspace.fetch(connector, settings, name=name, refresh=True)
        counts[name] = (stored.manifest.rows_accepted, stored.manifest.rows_rejected)
        return stored.read()

    counts: dict[str, tuple[int, int]] = {}
    flows = fetch("parquet", {"path": str(inputs.flows), "table": "flows"}, "trade-statistics")
    shipments = pl.concat(
        [
            fetch("parquet", {"path": str(path), "table": "shipments"}, f"shipments-{country.lower()}")
            for country, path in inputs.shipments.items()
        ],
        how="diagonal_relaxed",
    )
    registry = unflatten_registry(
        fetch("parquet", {"path": str(inputs.registry), "table": "parties"}, "company-registry")
    )
    watchlist = fetch(
        SANCTIONS_CONNECTOR,
        {"path": str(inputs.watchlist)},
        "watchlist-ofac-sdn",
    )
    return {"flows": flows, "shipments": shipments, "registry": registry, "watchlist": watchlist}, counts


def run_demo(out_dir: Path, *, progress: Progress | None = None, seed: int = 20230601) -> DemoResult:
    """Run the whole pipeline on the bundled scenario and write the report under ``out_dir``.

    Raises :class:`~dualuse.errors.PluginError` (one clear line) when the sanctions plugin that
    reads the watch list is not installed.
    """
    started = time.perf_counter()
    _require_sanctions_connector()
    run = _Run(progress)
    ensure_folder(out_dir)

    run.begin("lists")
    chpl = get_list("chpl", version="2023")
    uav = get_list("uav")
    run.end(note=f"{chpl.title} {chpl.version.version} ({len(chpl)} codes); {uav.title} ({len(uav)} codes)")

    run.begin("scenario")
    scenario = build_scenario(seed)
    inputs = write_scenario(scenario, ensure_folder(out_dir / "input", root=out_dir))
    run.end(note=f"input files in {out_dir / 'input'}")

    run.begin("ingest")
    workspace = Workspace(ensure_folder(out_dir / "workspace", root=out_dir))
    frames, counts = _ingest(workspace, inputs)
    run.end(
        note=f"{sum(a for a, _ in counts.values()):,} rows accepted, {sum(r for _, r in counts.values()):,} rejected"
    )

    options = ReportOptions(
        title="Dual-use goods to Russia through Central Asia — sample scenario",
        fictitious_note=FICTITIOUS,
        control=tuple(CONTROL_GOODS),
        sources={
            inputs.flows.name: "monthly trade statistics, both sides of each flow (synthetic, calibrated to published totals)",
            **{p.name: f"shipment records, imports into {c} (synthetic)" for c, p in inputs.shipments.items()},
            inputs.registry.name: "company registry extract: founding date, staff, turnover, owners (synthetic)",
            "sdn.csv": "watch list in the OFAC SDN legacy CSV layout, with add.csv and alt.csv (fictitious entries)",
        },
    )
    result = _analyse_and_report(frames, options, out_dir, run, workspace=workspace)
    result.ingested = counts
    result.seconds = time.perf_counter() - started
    return result


def report_from_frames(
    frames: dict[str, pl.DataFrame],
    options: ReportOptions,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    workspace: Workspace | None = None,
) -> DemoResult:
    """Run the analysis on your own frames and write the report (what ``dualuse report`` does).

    ``frames`` holds ``flows`` (required) and optionally ``shipments``, ``watchlist`` and
    ``registry`` (canonical tables). With ``workspace`` the results (chains, links, red flags,
    screening hits, findings, resolved parties) are also stored there (:mod:`dualuse.results`),
    where ``dualuse explore`` finds them.
    """
    started = time.perf_counter()
    result = _analyse_and_report(frames, options, out_dir, _Run(progress), workspace=workspace)
    result.seconds = time.perf_counter() - started
    return result


def frames_from_workspace(workspace: Workspace) -> dict[str, pl.DataFrame]:
    """Every table of a workspace, concatenated by kind: flows, shipments, registry and watch list.

    Parties fetched by a file connector count as a registry; parties from any other connector
    (a sanctions list) as the watch list.
    """
    kinds: dict[str, list[pl.DataFrame]] = {}
    for table in workspace.tables():
        kind = table.manifest.table
        if table.manifest.connector == ANALYSIS_CONNECTOR:
            continue  # a stored result of an earlier run, not an input
        if kind == "parties":
            kind = "registry" if table.manifest.connector in _FILE_CONNECTORS else "watchlist"
        kinds.setdefault(kind, []).append(table.read())
    frames = {kind: pl.concat(parts, how="diagonal_relaxed") for kind, parts in kinds.items()}
    if "registry" in frames and "registration_id" in frames["registry"].columns:
        frames["registry"] = unflatten_registry(frames["registry"])
    return frames


_FILE_CONNECTORS = frozenset({"csv", "parquet", "excel"})


def _analyse_and_report(
    frames: dict[str, pl.DataFrame],
    options: ReportOptions,
    out_dir: Path,
    run: _Run,
    *,
    workspace: Workspace | None = None,
) -> DemoResult:
    results: dict[str, pl.DataFrame] = {}
    findings: list[pl.DataFrame] = []
    state: dict[str, Any] = {}
    for step in ANALYSIS_STEPS[:-1]:
        run.begin(step)
        status, note = _analyse(step, frames, options, results, findings, state)
        run.end(status, note)
    run.begin("report")
    schema = polars_schema("findings")
    all_findings = (
        pl.concat([f.select(list(schema)).cast(schema) for f in findings]) if findings else pl.DataFrame(schema=schema)
    )
    report = build_report(
        frames["flows"],
        options=options,
        shipments=frames.get("shipments"),
        findings=all_findings,
        hubs=results.get("hubs"),
        surge=results.get("surge"),
        chains=results.get("chains"),
        chain_links=results.get("chain_links"),
        screening=results.get("screening"),
        red_flags=results.get("red_flags"),
        did=results.get("did"),
    )
    files = write_report(report, out_dir)
    graph = _write_followthemoney(state, results, out_dir)
    if workspace is not None:
        _store_results(workspace, state, results, report.findings, options)
    run.end(note=str(files.html))
    return DemoResult(out_dir=out_dir, report=report, files=files, steps=run.steps, graph=graph, workspace=workspace)


def _store_results(
    workspace: Workspace,
    state: dict[str, Any],
    results: dict[str, pl.DataFrame],
    findings: pl.DataFrame,
    options: ReportOptions,
) -> None:
    """Keep what ``dualuse explore`` shows in the workspace: chains, links, flags, hits, findings, parties."""
    stored: dict[str, pl.DataFrame] = {"findings": findings}
    resolved = state.get("trace", state.get("resolved"))
    if resolved is not None:
        sides = ["source", "source_row", "exporter_party", "exporter_by", "importer_party", "importer_by"]
        stored |= {"resolved_parties": resolved.parties, "shipment_parties": resolved.shipments.select(sides)}
    names = {"chains": "chains", "chain_links": "chain_links", "red_flags": "red_flags", "screening": "screening_hits"}
    stored |= {kind: results[key] for key, kind in names.items() if key in results}
    settings = {"target": options.target, "list": options.list_name, "list_version": options.list_version}
    save_results(workspace, stored, settings=settings)


def _write_followthemoney(state: dict[str, Any], results: dict[str, pl.DataFrame], out_dir: Path) -> Path | None:
    """The chains' parties and shipments as FollowTheMoney JSON lines (loads into Aleph and friends)."""
    if "trace" not in state:
        return None
    from dualuse.trace import to_followthemoney

    entities = to_followthemoney(state["trace"], flags=results.get("red_flags"))
    path = out_dir / "followthemoney.jsonl"
    lines = (json.dumps(neutralise_value(e), ensure_ascii=False, default=str) + "\n" for e in entities)
    write_text(path, "".join(lines))
    return path


def annual_hubs(monthly: pl.DataFrame) -> pl.DataFrame:
    """Roll :func:`dualuse.flows.hubs` output up to calendar years (legs summed, evidence joined).

    The triangulation itself runs on months (the re-export rule needs its two-month window); a
    report reads better by year. Pass-through is recomputed from the summed legs.

    Examples:
        >>> import datetime as dt
        >>> rows = pl.DataFrame({"route": ["CN>KZ>RU"] * 2, "origin": ["CN"] * 2, "hub": ["KZ"] * 2, "target": ["RU"] * 2,
        ...     "hs_code": ["880622"] * 2, "freq": ["M"] * 2, "period": [dt.date(2023, 1, 1), dt.date(2023, 2, 1)],
        ...     "origin_exports_usd": [1.0, 2.0], "origin_exports_basis": ["reported"] * 2, "hub_imports_usd": [2.0, 2.0],
        ...     "hub_imports_basis": ["reported"] * 2, "hub_exports_usd": [1.0, 1.0], "hub_exports_basis": ["reported"] * 2,
        ...     "production_prior_usd": [0.0, 0.0], "pass_through": [0.5, 0.5], "matched_imports_usd": [2.0, 2.0],
        ...     "re_export_usd": [1.0, 1.0], "re_export_rule": ["re-export"] * 2,
        ...     "evidence": [[{"source": "s", "source_row": 1}], [{"source": "s", "source_row": 2}]]})
        >>> annual_hubs(rows).select("period", "hub_imports_usd", "pass_through", pl.col("evidence").list.len()).row(0)
        (datetime.date(2023, 1, 1), 4.0, 0.5, 2)
    """
    money = ["origin_exports_usd", "hub_imports_usd", "hub_exports_usd", "matched_imports_usd", "re_export_usd"]
    firsts = [
        "origin_exports_basis",
        "hub_imports_basis",
        "hub_exports_basis",
        "production_prior_usd",
        "re_export_rule",
    ]
    extra = ["tier"] if "tier" in monthly.columns else []
    yearly = (
        monthly.with_columns(pl.date(pl.col("period").dt.year(), 1, 1).alias("period"))
        .group_by("route", "origin", "hub", "target", "hs_code", *extra, "period")
        .agg(
            *[pl.col(c).sum() for c in money],
            *[pl.col(c).drop_nulls().first() for c in firsts],
            pl.col("evidence").explode().unique().sort().alias("evidence"),
        )
    )
    inbound = pl.coalesce(pl.when(pl.col("hub_imports_usd") > 0).then("hub_imports_usd"), "origin_exports_usd")
    return yearly.with_columns(
        pl.lit("A").alias("freq"),
        pl.when(inbound > 0).then(pl.col("hub_exports_usd") / inbound).alias("pass_through"),
    ).sort("route", "hs_code", "period")


def annual_surge(monthly: pl.DataFrame, event_year: int) -> pl.DataFrame:
    """Roll a monthly :func:`dualuse.flows.surge` panel (tier level) up to years after ``event_year - 1``.

    The baseline becomes a year's worth of the monthly baseline; growth is recomputed.

    Examples:
        >>> import datetime as dt
        >>> panel = pl.DataFrame({"route": ["KZ>RU"] * 2, "exporter": ["KZ"] * 2, "importer": ["RU"] * 2,
        ...     "tier": ["Tier 1"] * 2, "freq": ["M"] * 2, "period": [dt.date(2023, 1, 1), dt.date(2023, 2, 1)],
        ...     "value_usd": [30.0, 30.0], "baseline_usd": [10.0, 10.0],
        ...     "evidence": [[{"source": "s", "source_row": 1}], [{"source": "s", "source_row": 2}]]})
        >>> annual_surge(panel, 2022).select("value_usd", "baseline_usd", "growth").row(0)
        (60.0, 120.0, -0.5)
    """
    unit = [c for c in ("route", "exporter", "importer", "tier", "hs_code") if c in monthly.columns]
    yearly = (
        monthly.filter(pl.col("period").dt.year() >= event_year - 1)
        .with_columns(pl.col("period").dt.year().alias("year"))
        .group_by(*unit, "year")
        .agg(
            pl.col("value_usd").sum(),
            (pl.col("baseline_usd").first() * 12).alias("baseline_usd"),
            pl.col("evidence").explode().unique().sort().alias("evidence"),
        )
    )
    return yearly.with_columns(
        pl.date("year", 1, 1).alias("period"),
        pl.lit("A").alias("freq"),
        (pl.col("year") >= event_year).alias("post"),
        pl.when(pl.col("baseline_usd") > 0).then(pl.col("value_usd") / pl.col("baseline_usd") - 1).alias("growth"),
    ).sort(*unit, "year")


def _flows(
    frames: dict[str, pl.DataFrame],
    options: ReportOptions,
    results: dict[str, pl.DataFrame],
    findings: list[pl.DataFrame],
) -> str:
    from dualuse.flows import hub_findings, hubs, listed_did, mirror, mirror_findings, surge, surge_findings

    flows = frames["flows"]
    o = options
    chpl = get_list(o.list_name, version=o.list_version)
    mirrored = mirror(flows)
    found = [mirror_findings(mirrored)]
    monthly = pl.concat(
        [
            hubs(flows, origin=o.origin, hubs=list(o.hubs), target=o.target, dual_use=listing)
            for listing in (chpl, get_list("uav"))
        ],
        how="diagonal_relaxed",
    )
    # A good on both lists (8807.30: CHPL and drone parts) is triangulated once.
    monthly = monthly.unique(["route", "hs_code", "freq", "period"], keep="first", maintain_order=True)
    yearly = annual_hubs(monthly)
    results["hubs"] = yearly
    found.append(
        hub_findings(
            yearly.filter(pl.col("period").dt.year() >= o.event.year), min_pass_through=0.25, min_value_usd=100_000
        )
    )
    routes = [f"{o.origin}>{h}" for h in o.hubs] + [f"{h}>{o.target}" for h in o.hubs]
    watched = resolve([chpl, get_list("uav")])  # the drone list too: drones are the new flow of the war
    panel = annual_surge(surge(flows, event=o.event, dual_use=watched, level="tier", routes=routes), o.event.year)
    results["surge"] = panel
    found.append(surge_findings(panel, min_growth=0.5, min_value_usd=1_000_000, min_new_usd=1_000_000))
    control = list(o.control) if isinstance(o.control, tuple) else o.control
    results["did"] = listed_did(flows, dual_use=chpl, control=control, event=o.event, routes=routes[: len(o.hubs)])
    findings.extend(found)
    return (
        f"{mirrored.height:,} mirror pairs, {yearly.height:,} hub rows, {panel.height:,} surge rows; "
        f"{sum(f.height for f in found):,} findings"
    )


CONTROL_GOODS = CONTROLS
"""HS6 codes of goods on no list (furniture, footwear, refrigerators, plastics): the control set of the demo."""


SCREEN_THRESHOLD = 0.8
"""Screening hits at or above this score are reported (a name-only hit still needs a human check)."""


def _party_evidence(resolved_shipments: pl.DataFrame) -> pl.DataFrame:
    """Per resolved party: the shipment rows that name it (``party_id``, ``evidence``)."""
    sides = [
        resolved_shipments.select(
            pl.col(f"{role}_party").alias("party_id"),
            pl.struct(pl.lit("shipments").alias("table"), "source", "source_row").alias("row"),
        )
        for role in ("exporter", "importer")
    ]
    return pl.concat(sides).group_by("party_id").agg(pl.col("row").unique().sort().alias("evidence"))


def _resolved(frames: dict[str, pl.DataFrame], state: dict[str, Any]) -> Any:
    """The shipment parties resolved by :func:`dualuse.trace.resolve_parties` (once per run)."""
    if "resolved" not in state:
        from dualuse.trace import resolve_parties

        state["resolved"] = resolve_parties(frames["shipments"])
    return state["resolved"]


def _chains(
    frames: dict[str, pl.DataFrame],
    options: ReportOptions,
    results: dict[str, pl.DataFrame],
    findings: list[pl.DataFrame],
    state: dict[str, Any],
) -> str:
    from dualuse import trace

    chpl = get_list(options.list_name, version=options.list_version)
    result = trace.chains(frames["shipments"], target=options.target, dual_use=chpl)
    state["trace"] = result
    results["chains"] = result.chains
    results["chain_links"] = result.links
    findings.append(trace.to_findings(result))
    return f"{result.parties.height} parties, {result.chains.height} chains carrying listed goods"


def _screening(
    frames: dict[str, pl.DataFrame],
    results: dict[str, pl.DataFrame],
    findings: list[pl.DataFrame],
    state: dict[str, Any],
) -> str:
    from dualuse.screening import screen

    resolved = state["trace"] if "trace" in state else _resolved(frames, state)
    parties = resolved.parties
    hits = screen(parties, frames["watchlist"], threshold=SCREEN_THRESHOLD, kind="company")
    evidence = _party_evidence(resolved.shipments).rename({"party_id": "query_id", "evidence": "party_evidence"})
    watch_row = pl.struct(
        pl.lit("parties").alias("table"),
        pl.col("match_source").alias("source"),
        pl.col("match_source_row").alias("source_row"),
    )
    hits = (
        hits.join(evidence, on="query_id", how="left")
        .with_columns(pl.concat_list(watch_row, pl.col("party_evidence").fill_null([])).alias("evidence"))
        .drop("party_evidence")
    )
    results["screening"] = hits
    findings.append(
        hits.select(
            pl.format("screening-{}-{}", "query_id", "match_id").alias("finding_id"),
            pl.lit("screening_hit").alias("kind"),
            pl.col("query_name").alias("subject"),
            pl.col("score").clip(0.0, 1.0),
            pl.format(
                "{} in the shipment records matches watch-list entry {} ({}): {}",
                "query_name",
                "match_name",
                pl.col("match_programs").list.join(", "),
                "explanation",
            ).alias("summary"),
            pl.concat_list(pl.struct(pl.lit("score").alias("name"), pl.col("score").alias("value"))).alias("metrics"),
            "evidence",
        )
    )
    return f"{parties.height} parties in the shipment records; {hits.height} hits at score >= {SCREEN_THRESHOLD}"


def _red_flags(
    frames: dict[str, pl.DataFrame],
    options: ReportOptions,
    results: dict[str, pl.DataFrame],
    findings: list[pl.DataFrame],
    state: dict[str, Any],
) -> str:
    from dualuse import trace

    resolved = state["trace"] if "trace" in state else _resolved(frames, state)
    flags = trace.red_flags(
        resolved.shipments,
        parties=resolved.parties,
        target=options.target,
        dual_use=get_list(options.list_name, version=options.list_version),
        registry=frames.get("registry"),
        sanctioned=frames.get("watchlist"),
        invasion=options.event,
    )
    results["red_flags"] = flags
    findings.append(trace.to_findings(flags=flags))
    return f"{flags.height} flags on {flags['party_id'].n_unique()} parties"


def _analyse(
    step: str,
    frames: dict[str, pl.DataFrame],
    options: ReportOptions,
    results: dict[str, pl.DataFrame],
    findings: list[pl.DataFrame],
    state: dict[str, Any],
) -> tuple[str, str]:
    """Run one analysis step; return (status, note)."""
    if step == "flows":
        return "ran", _flows(frames, options, results, findings)
    if "shipments" not in frames:
        return "skipped", "needs shipment records"
    if step == "chains":
        return "ran", _chains(frames, options, results, findings, state)
    if step == "screening":
        if "watchlist" not in frames:
            return "skipped", "needs a watch list"
        return "ran", _screening(frames, results, findings, state)
    return "ran", _red_flags(frames, options, results, findings, state)
