"""Names people read: the column headers and metric names of a report, in one place.

A result frame's columns are code names (``re_export_usd``); a reader sees "re-exports". Every
column the report shows has a label here; :func:`column_label` falls back to a readable form of
the code name (never with underscores) for a column added later, and :func:`metric_text` writes a
finding's metrics as a short phrase with each value in its unit.

Examples:
    >>> column_label("re_export_usd"), column_label("hub_imports_usd"), column_label("brand_new_column")
    ('re-exports', "hub's imports", 'brand new column')
    >>> metric_text([{"name": "hub_exports_usd", "value": 5.7e6}, {"name": "pass_through", "value": 1.27}])
    "hub's exports to target $5.7 m · pass-through 127 %"
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dualuse.formatting import number, unit_of

__all__ = ["COLUMN_LABELS", "VALUE_LABELS", "column_label", "metric_text", "value_label"]

COLUMN_LABELS: dict[str, str] = {
    # trade flows and the hub table
    "period": "period",
    "year": "year",
    "route": "route",
    "goods": "goods",
    "hs_code": "HS code",
    "hs6": "HS6",
    "tier": "tier",
    "reporter": "reporter",
    "partner": "partner",
    "flow": "flow",
    "valuation": "valuation",
    "value_usd": "value",
    "baseline_usd": "pre-war baseline (a year)",
    "growth": "change",
    "growth_pct": "change",
    "origin_exports": "origin's exports to hub",
    "hub_imports": "hub's imports from origin",
    "hub_exports_target": "hub's exports to target",
    "origin_exports_usd": "origin's exports",
    "hub_imports_usd": "hub's imports",
    "hub_exports_usd": "hub's exports to target",
    "matched_imports_usd": "imports matched (two months)",
    "production_prior_usd": "pre-war exports (own production)",
    "re_export_usd": "re-exports",
    "re_export_rule": "rule",
    "mirror_gap_pct": "mirror gap",
    "pass_through": "pass-through",
    "evidence_rows": "evidence",
    "evidence rows": "evidence",
    # difference-in-differences
    "comparison": "comparison",
    "estimate": "estimate",
    "std_error": "standard error",
    "t_stat": "t statistic",
    "p_value": "p-value",
    "treated_change": "change, listed",
    "control_change": "change, control",
    "n_treated": "listed goods",
    "n_control": "control goods",
    # chains and shipments
    "party_names": "traders",
    "first_date": "first shipment",
    "last_date": "last shipment",
    "quantity": "quantity",
    "chains": "chains",
    "score": "score",
    "legs": "legs",
    "date": "date",
    "shipment_id": "shipment",
    "exporter_name": "exporter",
    "exporter_country": "from",
    "importer_name": "importer",
    "importer_country": "to",
    "description": "description",
    "brand": "brand",
    "source": "source file",
    "source_row": "row",
    # screening and red flags
    "query_name": "party in the records",
    "match_name": "watch-list entry",
    "match_programs": "programs",
    "match_country": "country",
    "explanation": "why",
    "name": "party",
    "country": "country",
    "flag": "red flag",
    "detail": "detail",
    # findings
    "kind": "kind",
    "subject": "subject",
    "summary": "summary",
    "metrics": "figures",
    # metric names of findings
    "exporter_value_usd": "exporter's report",
    "importer_value_fob": "importer's report (FOB)",
    "importer_value_usd": "importer's report",
    "ratio_fob": "importer ÷ exporter",
    "baseline_abs_log_gap": "usual gap (log)",
    "excess_abs_log_gap": "gap beyond usual (log)",
    "silent_side_reliability": "silent side's reliability",
    "legs_n": "legs",
    "days": "days",
    "score_identifiers": "identifiers",
    "score_product": "product",
    "score_time": "timing",
    "score_quantity": "quantity fit",
    "traded_usd": "traded",
    "traded_with_listed_usd": "traded with the listed party",
    "shipped_usd": "shipped",
    "days_after_invasion": "after the invasion",
    "turnover_usd": "turnover",
    "listed_imports_usd": "listed goods imported",
    "spike_ratio": "monthly imports against before",
    "pct": "change",
}
"""Column and metric code names -> what the report prints."""

VALUE_LABELS: dict[str, dict[str, str]] = {
    "kind": {
        "hub_pass_through": "hub pass-through",
        "shipment_chain": "shipment chain",
        "screening_hit": "screening hit",
        "red_flag": "red flag",
        "mirror_gap": "mirror gap",
        "ghost_export": "ghost export",
        "ghost_import": "ghost import",
    },
    "re_export_rule": {
        "re-export": "re-export (Armenian rule)",
        "no_exports": "no exports",
        "producer": "hub makes the good",
        "no_matched_imports": "no imports to match",
        "below_share": "exports below a third of imports",
    },
}
"""Code values of a column -> what the report prints (other values are shown with spaces for underscores)."""

_SUFFIXES = re.compile(r"_(usd|pct)$")


def column_label(name: str, labels: Mapping[str, str] | None = None) -> str:
    """The header of column ``name``: ``labels`` first, then :data:`COLUMN_LABELS`, then the name in words.

    Examples:
        >>> column_label("p_value"), column_label("value_usd", {"value_usd": "value 2023"})
        ('p-value', 'value 2023')
    """
    if labels and name in labels:
        return labels[name]
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    return _SUFFIXES.sub("", name).replace("_", " ").strip()


def metric_text(metrics: Sequence[Mapping[str, object]] | None) -> str:
    """A finding's metrics as ``label value · label value``, each value in its unit (missing values left out).

    Examples:
        >>> metric_text([{"name": "traded_usd", "value": 4810.0}, {"name": "days_after_invasion", "value": 26.0}])
        'traded $4,810 · after the invasion 26 days'
    """
    parts = []
    for metric in metrics or []:
        name, value = str(metric.get("name") or ""), metric.get("value")
        if isinstance(value, (int, float)):
            parts.append(f"{column_label(name)} {number(float(value), unit_of(name))}")
    return " · ".join(parts)


def value_label(column: str, value: str) -> str:
    """The text of a code value in ``column``: ``hub_pass_through`` -> ``hub pass-through``.

    Examples:
        >>> value_label("re_export_rule", "producer"), value_label("flag", "founded_after_invasion")
        ('hub makes the good', 'founded after invasion')
    """
    known = VALUE_LABELS.get(column, {})
    return known.get(value, value.replace("_", " ") if column in _CODE_COLUMNS else value)


_CODE_COLUMNS = frozenset({"kind", "flag", "re_export_rule", "status", "se_method", "outcome"})
"""Columns whose values are code words (shown with spaces); other text is data, shown as it is."""
