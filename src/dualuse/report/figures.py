"""Headline figures of a report, each computed from canonical flows with the rows behind it.

A :class:`Figure` is one number a reader will quote ("China's exports of CHPL goods to KZ + KG:
$1.30 bn in 2023, +64 %"), with its :class:`~dualuse.report.evidence.EvidenceSet`. The figures are
plain sums over reported flows; the analytics (mirror, hubs, surge) live in :mod:`dualuse.flows`.

Examples:
    >>> import datetime as dt, polars as pl
    >>> flows = pl.DataFrame({"period": [dt.date(2022, 1, 1), dt.date(2023, 1, 1)], "freq": ["A", "A"],
    ...     "reporter": ["CN", "CN"], "partner": ["KZ", "KZ"], "flow": ["export", "export"],
    ...     "hs_code": ["854231", "854231"], "value_usd": [100.0, 164.0], "source": ["s", "s"], "source_row": [1, 2]})
    >>> figs = headline_figures(flows, ReportOptions(hubs=("KZ",)))
    >>> [(f.key, f.display) for f in figs if f.key.startswith("listed_to_hubs")]
    [('listed_to_hubs', '$164'), ('listed_to_hubs_baseline', '$100'), ('listed_to_hubs_growth', '+64 %')]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from dualuse.formatting import Unit, money, number
from dualuse.geo import country_name as _official_name
from dualuse.lists import get as get_list
from dualuse.report.evidence import EvidenceSet

__all__ = ["Figure", "ReportOptions", "country_name", "format_number", "format_usd", "headline_figures", "listed_mask"]

format_usd = money
"""Money for people (:func:`dualuse.formatting.money`, the one formatter of every dollar figure)."""

format_number = number
"""A value in a unit (:func:`dualuse.formatting.number`)."""

FLOW_DETAIL = ["period", "reporter", "partner", "flow", "hs_code", "value_usd", "valuation"]


@dataclass(frozen=True)
class ReportOptions:
    """What the report is about: the route, the list, the years, the event."""

    origin: str = "CN"
    hubs: tuple[str, ...] = ("KZ", "KG")
    target: str = "RU"
    list_name: str = "chpl"
    list_version: str | None = "2023"
    watched: tuple[str, ...] = ("8806",)
    """HS prefixes watched on their own (drones by default)."""
    watched_label: str = "drones (HS 8806)"
    watched_hubs: tuple[str, ...] = ("KZ",)
    """Hubs whose watched-goods figures are headline figures (all hubs are in the hub table)."""
    year: int = 2023
    baseline_year: int = 2022
    event: dt.date = dt.date(2022, 2, 24)
    event_label: str = "Russia's full-scale invasion of Ukraine"
    title: str = "Dual-use goods to Russia through Central Asia"
    fictitious_note: str | None = None
    """Shown at the top of the report when the data is a synthetic scenario."""
    sources: dict[str, str] = field(default_factory=dict)
    """Source name -> a description (shown in the methods section)."""


_SHORT_NAMES = {"RU": "Russia", "US": "the United States", "GB": "the United Kingdom", "AE": "the UAE"}


def country_name(code: str) -> str:
    """A country's everyday English name ("Russia", not "Russian Federation").

    Examples:
        >>> country_name("RU"), country_name("KZ")
        ('Russia', 'Kazakhstan')
    """
    return _SHORT_NAMES.get(code) or _official_name(code)


@dataclass(frozen=True)
class Figure:
    """One headline number with its evidence."""

    key: str
    label: str
    value: float | None
    unit: Unit
    evidence: EvidenceSet
    note: str = ""

    @property
    def display(self) -> str:
        """The value formatted for people."""
        return number(self.value, self.unit)


def listed_mask(codes: pl.Series, list_name: str, version: str | None = None) -> pl.Series:
    """Whether each HS code is on the list (any digits; national codes match on their HS6 prefix).

    Examples:
        >>> listed_mask(pl.Series(["8542310000", "940360"]), "chpl").to_list()
        [True, False]
    """
    matched = get_list(list_name, version=version).match(codes)
    return matched["item"].is_not_null()


def _sum(frame: pl.DataFrame) -> float | None:
    return float(frame["value_usd"].sum()) if frame.height else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def headline_figures(flows: pl.DataFrame, options: ReportOptions) -> list[Figure]:
    """The headline figures: listed goods from the origin to the hubs (year, baseline, growth), the
    origin's direct exports to the target, and per hub the watched goods in and out (pass-through).
    """
    o = options
    year = pl.col("period").dt.year()
    listed = flows.filter(listed_mask(flows["hs_code"], o.list_name, o.list_version))
    hubs_text = " + ".join(o.hubs)
    hubs_names = " + ".join(country_name(h) for h in o.hubs)
    to_hubs = listed.filter(
        (pl.col("reporter") == o.origin) & (pl.col("flow") == "export") & pl.col("partner").is_in(list(o.hubs))
    )
    now, base = to_hubs.filter(year == o.year), to_hubs.filter(year == o.baseline_year)
    list_label = o.list_name.upper()
    origin_name = country_name(o.origin)
    figs = [
        Figure(
            "listed_to_hubs",
            f"{origin_name}'s exports of {list_label} goods to {hubs_names}, {o.year}",
            _sum(now),
            "usd",
            EvidenceSet.of(
                "fig-listed-to-hubs",
                f"{list_label} goods, {o.origin} to {hubs_text}, {o.year}",
                now,
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
            f"as reported by {origin_name} (exports, FOB)",
        ),
        Figure(
            "listed_to_hubs_baseline",
            f"… in {o.baseline_year}",
            _sum(base),
            "usd",
            EvidenceSet.of(
                "fig-listed-to-hubs-baseline",
                f"{list_label} goods, {o.origin} to {hubs_text}, {o.baseline_year}",
                base,
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
            f"as reported by {origin_name} (exports, FOB)",
        ),
    ]
    growth = _ratio(_sum(now), _sum(base))
    figs.append(
        Figure(
            "listed_to_hubs_growth",
            f"Change {o.baseline_year} → {o.year}",
            None if growth is None else 100.0 * (growth - 1.0),
            "pct",
            EvidenceSet.of(
                "fig-listed-to-hubs-growth",
                f"{list_label} goods, {o.origin} to {hubs_text}, {o.baseline_year} and {o.year}",
                pl.concat([base, now]),
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
        )
    )
    direct = listed.filter(
        (pl.col("reporter") == o.origin)
        & (pl.col("flow") == "export")
        & (pl.col("partner") == o.target)
        & (year == o.year)
    )
    figs.append(
        Figure(
            "listed_direct",
            f"{origin_name}'s direct exports of {list_label} goods to {country_name(o.target)}, {o.year}",
            _sum(direct),
            "usd",
            EvidenceSet.of(
                "fig-listed-direct",
                f"{list_label} goods, {o.origin} to {o.target}, {o.year}",
                direct,
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
            f"as reported by {origin_name}; {country_name(o.target)} has published no trade data since 2022",
        )
    )
    watched = flows.filter(pl.any_horizontal(pl.col("hs_code").str.starts_with(p) for p in o.watched))
    first_year: int = flows.select(pl.col("period").dt.year().min()).item() if flows.height else o.event.year
    for hub in o.watched_hubs:
        figs.extend(_watched_figures(watched, hub, o, first_year))
    return figs


def _watched_figures(watched: pl.DataFrame, hub: str, o: ReportOptions, first: int) -> list[Figure]:
    year = pl.col("period").dt.year()
    hub_name = country_name(hub)
    inbound = watched.filter(
        (pl.col("reporter") == hub) & (pl.col("flow") == "import") & (pl.col("partner") == o.origin)
    )
    outbound = watched.filter(
        (pl.col("reporter") == hub) & (pl.col("flow") == "export") & (pl.col("partner") == o.target)
    )
    # Whole calendar years before the event, so that a year is never split.
    prewar = watched.filter((pl.col("reporter") == hub) & (year < o.event.year))
    got_in, got_out = inbound.filter(year == o.year), outbound.filter(year == o.year)
    if got_in.height == 0 and got_out.height == 0:
        return []
    label = o.watched_label
    key = f"watched-{hub}"
    prewar_in = prewar.filter(pl.col("flow") == "import")
    prewar_out = prewar.filter(pl.col("flow") == "export")
    return [
        Figure(
            f"{key}-in",
            f"{hub_name}'s imports of {label} from {country_name(o.origin)}, {o.year}",
            _sum(got_in),
            "usd",
            EvidenceSet.of(
                f"fig-{key}-in",
                f"{label}: {hub} imports from {o.origin}, {o.year}",
                got_in,
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
            f"as reported by {hub_name} (imports, CIF)",
        ),
        Figure(
            f"{key}-out",
            f"{hub_name}'s exports of {label} to {country_name(o.target)}, {o.year}",
            _sum(got_out),
            "usd",
            EvidenceSet.of(
                f"fig-{key}-out",
                f"{label}: {hub} exports to {o.target}, {o.year}",
                got_out,
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
            f"as reported by {hub_name} (exports, FOB); inside the EAEU, a lower bound",
        ),
        Figure(
            f"{key}-pass",
            f"Pass-through {hub} → {o.target}, {o.year} (exports ÷ imports)",
            _ratio(_sum(got_out), _sum(got_in)),
            "share",
            EvidenceSet.of(
                f"fig-{key}-pass",
                f"{label}: {hub} in and out, {o.year}",
                pl.concat([got_in, got_out]),
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
            "CIF imports against FOB exports; no domestic production assumed when pre-war exports are nil",
        ),
        Figure(
            f"{key}-prewar",
            f"{hub_name}'s imports of {label} from {country_name(o.origin)}, {first}–{o.event.year - 1} (pre-war)",
            _sum(prewar_in) or 0.0,
            "usd",
            EvidenceSet.of(
                f"fig-{key}-prewar",
                f"{label}: {hub} reports, {first}–{o.event.year - 1}",
                prewar,
                table="flows",
                detail_columns=FLOW_DETAIL,
            ),
            f"pre-war exports of {label} (production prior): {money(_sum(prewar_out) or 0.0)}",
        ),
    ]
