"""Build a report from frames and findings, and write it: HTML, findings JSON, tables.

:func:`build_report` takes canonical flows (required) and whatever else the analysis produced —
shipments, hub triangulation, chains and their links, screening hits, red flags, findings — and
returns a :class:`Report`. :func:`write_report` writes ``report.html`` (one self-contained page:
inline CSS and SVG, no script, nothing from the network; it prints clean and reads on a phone),
its appendix ``evidence.html`` (the input rows behind every number), ``findings.json`` (canonical findings,
headline figures included, each with its evidence rows) and ``tables/*.parquet`` plus
spreadsheet-safe ``tables/*.csv``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from dualuse._version import __version__
from dualuse.display import Frames
from dualuse.inputs import require
from dualuse.lists import get as get_list
from dualuse.report._layout import Chart, Section, simple_section
from dualuse.report._parties import (
    SCREENING_COLUMNS,
    SCREENING_LABELS,
    chains_section,
    findings_section,
    highlights,
)
from dualuse.report._trade import flows_section, hubs_section, leg_frame, surge_section
from dualuse.report.csvsafe import write_safe_csv
from dualuse.report.evidence import EVIDENCE_PAGE, EvidenceSet, evidence_frame
from dualuse.report.figures import Figure, ReportOptions, country_name, headline_figures
from dualuse.report.glossary import GLOSSARY
from dualuse.report.methods import METHODS
from dualuse.report.tables import Table, frame_table
from dualuse.safe_files import ensure_folder, staged_file, write_text
from dualuse.safe_text import neutralise_bidi, neutralise_value
from dualuse.schema import polars_schema

__all__ = ["Chart", "Report", "ReportFiles", "Section", "build_report", "write_report"]

DETAIL_LIMIT = 60
"""Evidence sets up to this many rows show the rows themselves in the HTML."""

REPORT_PAGE = "report.html"


@dataclass(frozen=True, repr=False)
class Report(Frames):
    """A built report: figures, sections, evidence, findings and the tables behind them.

    ``to_pandas()`` and ``to_arrow()`` give its tables (what ``tables/`` holds) by name.
    """

    options: ReportOptions
    figures: list[Figure]
    sections: list[Section]
    evidence: list[EvidenceSet]
    findings: pl.DataFrame
    tables: dict[str, pl.DataFrame]
    generated: str
    warnings: tuple[str, ...] = ()
    """What the reader must know about the input: e.g. a requested hub with no rows."""

    def _render(self, template: str, **extra: object) -> str:
        env = Environment(loader=PackageLoader("dualuse.report", "templates"), autoescape=True, finalize=_neutralised)
        return env.get_template(template).render(
            options=self.options,
            version=__version__,
            generated=self.generated,
            evidence_page=EVIDENCE_PAGE,
            report_page=REPORT_PAGE,
            **extra,
        )

    def to_html(self) -> str:
        """The report as one self-contained HTML page; its numbers link to :meth:`evidence_html`."""
        o = self.options
        listed = get_list(o.list_name, version=o.list_version)
        subtitle = (
            f"{country_name(o.origin)} → {' / '.join(country_name(h) for h in o.hubs)} → {country_name(o.target)}"
            f" · {listed.name.upper()} (version {listed.version}) goods and {o.watched_label}"
            f" · {o.baseline_year}–{o.year}"
        )
        return self._render(
            "report.html.j2",
            subtitle=subtitle,
            warnings=self.warnings,
            figures=self.figures,
            sections=self.sections,
            methods=METHODS,
            glossary=GLOSSARY,
            sources=sorted(o.sources.items()),
            evidence_count=len(self.evidence),
        )

    def evidence_html(self) -> str:
        """The appendix page: every evidence set under its anchor, small sets with their rows."""
        return self._render(
            "evidence.html.j2", evidence=self.evidence, detail_limit=DETAIL_LIMIT, detail_table=_detail_table
        )

    def frames(self) -> dict[str, pl.DataFrame]:
        """The report's tables by name (``findings``, ``hub_legs``, ``chains``, ..., ``evidence``)."""
        return dict(self.tables)

    def _repr_html_(self) -> str:
        """In a notebook: the headline figures and the size of each section."""
        cards = "".join(
            f"<tr><td>{escape(f.label)}</td><td style='text-align:right'><b>{escape(f.display)}</b></td></tr>"
            for f in self.figures
        )
        return (
            f"<div><b>{escape(self.options.title)}</b> — {self.findings.height:,} findings, "
            f"{len(self.evidence):,} evidence sets, {len(self.tables)} tables<table>{cards}</table></div>"
        )

    def __repr__(self) -> str:
        return (
            f"Report({self.options.title!r}, figures={len(self.figures)}, findings={self.findings.height}, "
            f"tables={sorted(self.tables)})"
        )

    def findings_records(self) -> list[dict[str, object]]:
        """The findings as JSON-ready records (canonical findings layout), bidi controls neutralised."""
        records: list[dict[str, object]] = neutralise_value(json.loads(self.findings.write_json()))
        return records


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote: ``report.html``, its ``evidence.html`` appendix, findings and tables."""

    html: Path
    findings: Path
    tables: list[Path]
    evidence: Path | None = None


def _detail_table(evidence: EvidenceSet) -> Table:
    assert evidence.detail is not None
    return frame_table(
        f"{evidence.id}-rows",
        "",
        evidence.detail,
        units={"value_usd": "usd"},
        limit=DETAIL_LIMIT,
    )


def _figure_findings(figures: list[Figure]) -> pl.DataFrame:
    records = [
        {
            "finding_id": f"headline-{fig.key}",
            "kind": "headline",
            "subject": fig.label,
            "score": 1.0,
            "summary": f"{fig.label}: {fig.display}" + (f" ({fig.note})" if fig.note else ""),
            "metrics": [{"name": fig.unit, "value": fig.value}],
            "evidence": fig.evidence.rows.to_dicts(),
        }
        for fig in figures
    ]
    return pl.DataFrame(records, schema=polars_schema("findings"))


def build_report(
    flows: object,
    *,
    options: ReportOptions | None = None,
    shipments: pl.DataFrame | None = None,
    findings: pl.DataFrame | None = None,
    hubs: pl.DataFrame | None = None,
    surge: pl.DataFrame | None = None,
    chains: pl.DataFrame | None = None,
    chain_links: pl.DataFrame | None = None,
    screening: pl.DataFrame | None = None,
    red_flags: pl.DataFrame | None = None,
    did: pl.DataFrame | None = None,
    generated: str | None = None,
) -> Report:
    """Build a report from canonical ``flows`` and whatever results are given.

    ``flows`` is any table or file the front door reads (:mod:`dualuse.inputs`). Every optional
    frame adds its section; a missing one leaves a short note in its place. ``findings`` is a
    canonical findings table: each finding is listed with a link to its evidence. A hub of
    ``options`` that appears in no row of ``flows`` is left out of the headline and named in a
    warning at the top of the report, rather than reported as a route with nothing on it.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> flows = pl.DataFrame({"period": [dt.date(2022, 5, 1), dt.date(2023, 5, 1)], "freq": ["M", "M"],
        ...     "reporter": ["CN", "CN"], "partner": ["KZ", "KZ"], "flow": ["export", "export"], "hs_code": ["854231"] * 2,
        ...     "value_usd": [100.0, 164.0], "source": ["demo"] * 2, "source_row": [1, 2]})
        >>> report = build_report(flows, options=ReportOptions(hubs=("KZ",)))
        >>> report.figures[2].display, "<script" in report.to_html()
        ('+64 %', False)
    """
    o = options or ReportOptions()
    flows = require(flows, "flows", what="report")
    o, warnings = _hubs_with_rows(flows, o)
    evidence: list[EvidenceSet] = []
    if red_flags is not None and {"name", "flag"} <= set(red_flags.columns):
        red_flags = red_flags.sort("name", "flag").with_columns(pl.col("flag").str.replace_all("_", " "))
    figures = headline_figures(flows, o)
    evidence.extend(f.evidence for f in figures)
    legs = leg_frame(flows, o, evidence)
    all_findings = pl.concat(
        [
            _figure_findings(figures),
            *([findings.select(list(polars_schema("findings")))] if findings is not None else []),
        ]
    )
    listing, shown = findings_section(all_findings.filter(pl.col("kind") != "headline"), evidence)
    sections = [
        *highlights(shown),
        flows_section(flows, o, evidence),
        hubs_section(flows, o, legs, hubs, evidence),
        surge_section(surge, did, o, evidence),
        chains_section(chains, chain_links, shipments, evidence),
        simple_section(
            "screening",
            "Screening hits",
            "Parties in the shipment records matched against the watch list, best first; each hit with the "
            "features that made its score. The evidence is the watch-list row and the shipment rows naming the party.",
            screening,
            evidence,
            "No screening was run.",
            columns=SCREENING_COLUMNS,
            labels=SCREENING_LABELS,
        ),
        simple_section(
            "red-flags",
            "Red flags",
            "Warning signs on the parties in the shipment records (multilateral guidance on CHPL goods, 2023). "
            "Reasons to look, not conclusions.",
            red_flags,
            evidence,
            "No red flags were computed.",
            columns=["name", "country", "flag", "detail"],
            labels={"flag": "red flag"},
        ),
        listing,
    ]
    tables: dict[str, pl.DataFrame] = {"hub_legs": legs, "findings": all_findings}
    for name, frame in (
        ("hub_triangulation", hubs),
        ("surge", surge),
        ("did", did),
        ("chains", chains),
        ("chain_links", chain_links),
        ("screening", screening),
        ("red_flags", red_flags),
    ):
        if frame is not None:
            tables[name] = frame
    tables["evidence"] = evidence_frame(evidence)
    return Report(
        options=o,
        figures=figures,
        sections=sections,
        evidence=evidence,
        findings=all_findings,
        tables=tables,
        generated=generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        warnings=warnings,
    )


def _hubs_with_rows(flows: pl.DataFrame, o: ReportOptions) -> tuple[ReportOptions, tuple[str, ...]]:
    """The options without the hubs that no flow mentions, and a warning naming them."""
    seen = set(flows.get_column("reporter").unique().to_list()) | set(flows.get_column("partner").unique().to_list())
    present = tuple(h for h in o.hubs if h in seen)
    missing = [h for h in o.hubs if h not in seen]
    if not missing or not present:
        return o, tuple(f"No trade figures mention {country_name(h)} ({h}): its route has no rows." for h in missing)
    names = ", ".join(f"{country_name(h)} ({h})" for h in missing)
    note = f"No trade figures mention {names}: left out of the headline figures and hub routes."
    watched = tuple(h for h in o.watched_hubs if h in seen)
    return dataclasses.replace(o, hubs=present, watched_hubs=watched), (note,)


def write_report(report: Report, out_dir: Path) -> ReportFiles:
    """Write ``report.html``, ``evidence.html``, ``findings.json`` and ``tables/<name>.parquet`` + ``.csv`` under ``out_dir``.

    CSV files are safe to open in a spreadsheet (see :mod:`dualuse.report.csvsafe`). Each file is
    written to a temporary name first and renamed, so a half-written report never looks complete.
    """
    ensure_folder(out_dir)
    tables_dir = ensure_folder(out_dir / "tables", root=out_dir)
    written = []
    for name, frame in report.tables.items():
        parquet = tables_dir / f"{name}.parquet"
        with staged_file(parquet) as staged:
            frame.write_parquet(staged)
        written += [parquet, write_safe_csv(frame, tables_dir / f"{name}.csv")]
    findings = out_dir / "findings.json"
    write_text(findings, json.dumps(report.findings_records(), ensure_ascii=False, indent=2, default=str))
    evidence = out_dir / EVIDENCE_PAGE
    write_text(evidence, report.evidence_html())
    html = out_dir / REPORT_PAGE
    write_text(html, report.to_html())
    return ReportFiles(html=html, findings=findings, tables=written, evidence=evidence)


def _neutralised(value: object) -> object:
    """Every value the template prints, with bidi controls shown as markers (HTML made by the code stays HTML)."""
    if isinstance(value, Markup):
        return Markup(neutralise_bidi(str(value)))
    return neutralise_bidi(value) if isinstance(value, str) else value
