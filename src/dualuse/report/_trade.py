"""The trade-statistics sections: flows over time, origin -> hub -> target (the hub table), surge and difference-in-differences."""

from __future__ import annotations

import dataclasses

import polars as pl
from markupsafe import Markup

from dualuse.report._layout import Section, drawn, in_year, result_table, source_line
from dualuse.report.charts import FlowLink, bar_chart, flow_diagram, line_chart
from dualuse.report.evidence import EVIDENCE_PAGE, EvidenceSet
from dualuse.report.figures import FLOW_DETAIL, ReportOptions, country_name, listed_mask
from dualuse.report.tables import Table, frame_table

__all__ = [
    "flows_section",
    "hubs_section",
    "leg_frame",
    "surge_section",
]


def _listed(flows: pl.DataFrame, o: ReportOptions) -> pl.DataFrame:
    return flows.filter(listed_mask(flows["hs_code"], o.list_name, o.list_version))


def _watched(flows: pl.DataFrame, o: ReportOptions) -> pl.DataFrame:
    return flows.filter(pl.any_horizontal(pl.col("hs_code").str.starts_with(p) for p in o.watched))


def flows_section(flows: pl.DataFrame, o: ReportOptions, evidence: list[EvidenceSet]) -> Section:
    listed = _listed(flows, o)
    legs = [
        (f"{o.origin} → {hub}", (pl.col("reporter") == o.origin) & (pl.col("partner") == hub)) for hub in o.hubs
    ] + [(f"{hub} → {o.target}", (pl.col("reporter") == hub) & (pl.col("partner") == o.target)) for hub in o.hubs]
    frames = []
    for name, mask in legs:
        part = listed.filter(mask & (pl.col("flow") == "export"))
        frames.append(part.with_columns(pl.lit(name).alias("series")))
    rows = pl.concat(frames) if frames else listed.clear().with_columns(pl.lit("").alias("series"))
    chart_ev = EvidenceSet.of(
        "chart-flows-over-time", f"{o.list_name.upper()} goods by month (chart)", rows, table="flows"
    )
    evidence.append(chart_ev)
    series = (
        rows.with_columns(pl.col("period").dt.truncate("1mo"))
        .group_by("series", "period")
        .agg(pl.col("value_usd").sum())
        .sort("series", "period")
    )
    label = o.list_name.upper()
    charts = (
        []
        if series.height == 0
        else [  # nothing listed on the route: no chart, not a crash
            drawn(
                lambda width: line_chart(
                    series,
                    title=f"Exports of {label} goods by month, as reported by the exporting country",
                    event=o.event,
                    event_label=o.event_label,
                    source=source_line(rows),
                    width=width,
                ),
                Markup(
                    f'Rows behind this chart: <a href="{EVIDENCE_PAGE}#{chart_ev.id}">{chart_ev.count:,} flow records</a>.'
                ),
            )
        ]
    )
    watched = _watched(flows, o)
    bars = []
    for hub in o.hubs:
        for direction, mask in (
            (f"{hub} imports from {o.origin}", (pl.col("flow") == "import") & (pl.col("partner") == o.origin)),
            (f"{hub} exports to {o.target}", (pl.col("flow") == "export") & (pl.col("partner") == o.target)),
        ):
            part = watched.filter((pl.col("reporter") == hub) & mask)
            bars.append(part.with_columns(pl.lit(direction).alias("series")))
    bar_rows = pl.concat(bars)
    if bar_rows.height:
        bar_ev = EvidenceSet.of("chart-watched", f"{o.watched_label} by year (chart)", bar_rows, table="flows")
        evidence.append(bar_ev)
        years = list(range(min(o.baseline_year - 2, o.year), o.year + 1))
        wide = (
            bar_rows.with_columns(pl.col("period").dt.year().cast(pl.String).alias("year"))
            .group_by("year", "series")
            .agg(pl.col("value_usd").sum())
            .pivot(on="series", index="year", values="value_usd")
        )
        wide = pl.DataFrame({"year": [str(y) for y in years]}).join(wide, on="year", how="left")
        groups = [c for c in bar_rows["series"].unique(maintain_order=True).to_list() if c in wide.columns]
        charts.append(
            drawn(
                lambda width: bar_chart(
                    wide.fill_null(0.0),
                    category="year",
                    groups=groups,
                    title=f"{o.watched_label[:1].upper()}{o.watched_label[1:]}: in from {country_name(o.origin)}, out to {country_name(o.target)}",
                    source=source_line(bar_rows) + " (each country's own reports)",
                    ylabel="USD per year",
                    width=width,
                ),
                Markup(
                    f'Rows behind this chart: <a href="{EVIDENCE_PAGE}#{bar_ev.id}">{bar_ev.count:,} flow records</a>.'
                ),
            )
        )
    return Section(
        "flows-over-time",
        "Flows over time",
        f"Monthly exports of {label} goods on the route, with {o.event.isoformat()} marked; below, {o.watched_label} by year.",
        charts=charts,
        empty=f"No exports of {label} goods or {o.watched_label} were reported on the route.",
    )


def leg_frame(flows: pl.DataFrame, o: ReportOptions, evidence: list[EvidenceSet]) -> pl.DataFrame:
    """Per hub, goods group and year: the three legs, the mirror gap and the pass-through."""
    year = pl.col("period").dt.year()
    records = []
    for goods, frame in ((o.list_name.upper(), _listed(flows, o)), (o.watched_label, _watched(flows, o))):
        for hub in o.hubs:
            for y in (o.baseline_year, o.year):
                parts = {
                    "origin_exports": frame.filter(
                        (pl.col("reporter") == o.origin) & (pl.col("partner") == hub) & (pl.col("flow") == "export")
                    ),
                    "hub_imports": frame.filter(
                        (pl.col("reporter") == hub) & (pl.col("partner") == o.origin) & (pl.col("flow") == "import")
                    ),
                    "hub_exports_target": frame.filter(
                        (pl.col("reporter") == hub) & (pl.col("partner") == o.target) & (pl.col("flow") == "export")
                    ),
                }
                parts = {k: v.filter(year == y) for k, v in parts.items()}
                rows = pl.concat(list(parts.values()))
                if rows.height == 0:
                    continue
                ev = EvidenceSet.of(
                    f"hub-{hub}-{goods}-{y}",
                    f"{o.origin} > {hub} > {o.target}, {goods}, {y}",
                    rows,
                    table="flows",
                    detail_columns=FLOW_DETAIL,
                )
                evidence.append(ev)
                total = {k: float(v["value_usd"].sum()) if v.height else None for k, v in parts.items()}
                inbound = total["hub_imports"] or total["origin_exports"]
                records.append(
                    {
                        "route": f"{o.origin}>{hub}>{o.target}",
                        "goods": goods,
                        "year": y,
                        **total,
                        "mirror_gap_pct": 100.0 * (total["hub_imports"] / total["origin_exports"] - 1.0)
                        if total["hub_imports"] and total["origin_exports"]
                        else None,
                        "pass_through": (total["hub_exports_target"] or 0.0) / inbound if inbound else None,
                        "evidence_id": ev.id,
                        "evidence_rows": ev.count,
                    }
                )
    return pl.DataFrame(
        records,
        schema={
            "route": pl.String(),
            "goods": pl.String(),
            "year": pl.Int64(),
            "origin_exports": pl.Float64(),
            "hub_imports": pl.Float64(),
            "hub_exports_target": pl.Float64(),
            "mirror_gap_pct": pl.Float64(),
            "pass_through": pl.Float64(),
            "evidence_id": pl.String(),
            "evidence_rows": pl.Int64(),
        },
    )


def hubs_section(
    flows: pl.DataFrame, o: ReportOptions, legs: pl.DataFrame, hubs: pl.DataFrame | None, evidence: list[EvidenceSet]
) -> Section:
    year = pl.col("period").dt.year()
    listed = _listed(flows, o).filter((year == o.year) & (pl.col("flow") == "export"))
    links: list[FlowLink] = []
    origin, target = country_name(o.origin), country_name(o.target)
    for hub in o.hubs:
        hub_label = country_name(hub)
        into = float(listed.filter((pl.col("reporter") == o.origin) & (pl.col("partner") == hub))["value_usd"].sum())
        out = float(listed.filter((pl.col("reporter") == hub) & (pl.col("partner") == o.target))["value_usd"].sum())
        links.append(FlowLink(origin, hub_label, into, 0, 1))
        links.append(FlowLink(hub_label, target, out, 1, 2))
        links.append(FlowLink(hub_label, "not recorded as sent to " + target, max(0.0, into - out), 1, 2))
    label = o.list_name.upper()
    charts = [
        drawn(
            lambda width: flow_diagram(
                links,
                title=f"{label} goods, {o.year}: {origin} → hubs → {target} (USD)",
                source=source_line(listed)
                + "; origin → hub as reported by the origin, hub → target as reported by the hub",
                node_colors={origin: "#c0504d", target: "#1f4e79", f"not recorded as sent to {target}": "#9aa0a6"},
                width=width,
            ),
            f"Band widths are proportional to value. The hub → {target} legs are inside the Eurasian Economic Union "
            f"and are lower bounds (see Methods). {origin}'s direct exports to {target} are a headline figure, not drawn. "
            "Each figure is in the hub table below, linked to its rows.",
        )
    ]
    tables = [
        frame_table(
            "hub_legs",
            "Hub table: the three legs of each route, per year",
            legs,
            columns=[
                "route",
                "goods",
                "year",
                "origin_exports",
                "hub_imports",
                "hub_exports_target",
                "mirror_gap_pct",
                "pass_through",
                "evidence_rows",
            ],
            labels={
                "origin_exports": "origin's exports to hub",
                "hub_imports": "hub's imports from origin",
                "hub_exports_target": "hub's exports to target",
                "mirror_gap_pct": "mirror gap",
                "pass_through": "pass-through",
                "evidence_rows": "evidence",
            },
            units={
                "origin_exports": "usd",
                "hub_imports": "usd",
                "hub_exports_target": "usd",
                "mirror_gap_pct": "pct",
                "pass_through": "share",
            },
            links=dict.fromkeys(
                ("origin_exports", "hub_imports", "hub_exports_target", "evidence_rows"), "evidence_id"
            ),
            note="Mirror gap: hub's import report against the origin's export report (CIF vs FOB, timing, under-recording). "
            "Pass-through: hub's exports to the target ÷ its imports from the origin (the origin's report when the "
            "hub reported none). Above 100 %: the hub recorded less coming in than going out — under-recorded imports, "
            "stock, or other suppliers.",
        )
    ]
    if hubs is not None and hubs.height:
        tables.append(_triangulation_table(hubs, o, evidence))
    return Section(
        "hubs", f"Origin → hub → {target}", "Where the goods go after the hubs.", charts=charts, tables=tables
    )


def _triangulation_table(hubs: pl.DataFrame, o: ReportOptions, evidence: list[EvidenceSet]) -> Table:
    """The largest re-exports of the year by good (output of :func:`dualuse.flows.hubs`)."""
    rows = in_year(hubs, o.year)
    order = [c for c in ("re_export_usd", "hub_exports_usd") if c in rows.columns]
    if order:
        rows = rows.sort(order, descending=True, nulls_last=True)
    return result_table(
        "hub_triangulation",
        f"Largest re-exports by good, {o.year} (HS6; the Armenian rule: exports matched to imports within two months)",
        rows,
        evidence,
        limit=15,
        columns=[  # what a reader needs first: where, which good, how much went on
            "route",
            "hs_code",
            "tier",
            "re_export_usd",
            "pass_through",
            "hub_exports_usd",
            "hub_imports_usd",
            "origin_exports_usd",
            "production_prior_usd",
            "re_export_rule",
        ],
        labels={
            "hs_code": "HS6",
            "origin_exports_usd": "origin's exports",
            "hub_imports_usd": "hub's imports",
            "hub_exports_usd": "hub's exports to target",
            "production_prior_usd": "pre-war exports (own production)",
            "re_export_usd": "re-exports",
            "re_export_rule": "rule",
        },
        keep_order=True,
        evidence_table="flows",
    )


def surge_section(
    surge: pl.DataFrame | None, did: pl.DataFrame | None, o: ReportOptions, evidence: list[EvidenceSet]
) -> Section:
    tables = []
    if surge is not None and surge.height:
        rows = in_year(surge, o.year)
        if "growth" in rows.columns:
            rows = rows.with_columns((pl.col("growth") * 100).alias("growth_pct"))
        tables.append(
            result_table(
                "surge",
                f"{o.year} against the pre-war baseline, by route and tier",
                rows,
                evidence,
                limit=40,
                columns=["route", "tier", "hs_code", "value_usd", "baseline_usd", "growth_pct"],
                labels={
                    "value_usd": f"value {o.year}",
                    "baseline_usd": "pre-war baseline (a year)",
                    "growth_pct": "change",
                },
                units={"growth_pct": "pct"},
                keep_order=True,
                evidence_table="flows",
            )
        )
    if did is not None and did.height:
        tables.append(
            result_table(
                "did",
                "Difference-in-differences: listed goods against the control group, after the event",
                did,
                evidence,
                columns=[
                    "treated",
                    "control",
                    "routes",
                    "estimate",
                    "std_error",
                    "p_value",
                    "treated_change",
                    "control_change",
                    "n_treated",
                    "n_control",
                ],
                labels={
                    "treated": "treated group",
                    "control": "control group",
                    "std_error": "standard error",
                    "treated_change": "change, listed",
                    "control_change": "change, control",
                },
                units={
                    "estimate": "number",
                    "std_error": "number",
                    "treated_change": "number",
                    "control_change": "number",
                },
                keep_order=True,
                evidence_table="flows",
            )
        )
        tables[-1] = dataclasses.replace(
            tables[-1],
            note="Outcome ln(1 + monthly value); each good's mean after minus mean before; standard error clustered by good. "
            "An estimate of 0.5 means listed goods grew about 65 % (e^0.5 − 1) more than the control goods.",
        )
    if not tables:
        return Section("surge", "Surge around the invasion", empty="No surge analysis was given.")
    return Section(
        "surge",
        "Surge around the invasion",
        f"Growth of watched goods by tier against the pre-war baseline, and a difference-in-differences estimate "
        f"of {o.list_name.upper()} goods against the control group it names. Event: {o.event.isoformat()}.",
        tables=tables,
    )
