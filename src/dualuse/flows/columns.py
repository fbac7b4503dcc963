"""What each column of the flows results means: the source of the column tables in the docs.

A test runs each function and checks that its columns are exactly these, in this order, so the
documentation cannot fall behind the code.

Examples:
    >>> MIRROR_COLUMNS["ratio_fob"]
    'importer_value_fob ÷ exporter_value_fob: 1 when the two reports agree'
"""

from __future__ import annotations

__all__ = ["DID_COLUMNS", "HUBS_COLUMNS", "MIRROR_COLUMNS", "SURGE_COLUMNS"]

MIRROR_COLUMNS: dict[str, str] = {
    "period": "the period of the pair (the export's period when both sides reported)",
    "freq": "`A` annual or `M` monthly",
    "exporter": "the exporting country (ISO alpha-2)",
    "importer": "the importing country",
    "hs_code": "the good, as HS6 digits in `hs_version`",
    "hs_version": "the HS version both reports were converted to",
    "product_group": "the HS chapter (first `product_digits` digits) the CIF/FOB margin is estimated on",
    "status": "`matched`, `ghost_export`, `ghost_import`, `importer_silent` or `exporter_silent`",
    "export_period": "the period of the exporter's report (null if none)",
    "import_period": "the period of the importer's report (null if none)",
    "lag_months": "months between the export and the import paired with it (0 to `max_lag_months`)",
    "exporter_value_usd": "the exporter's report, as declared (usually FOB)",
    "importer_value_usd": "the importer's report, as declared (usually CIF)",
    "gap_usd": "importer_value_usd − exporter_value_usd",
    "ratio": "importer_value_usd ÷ exporter_value_usd",
    "cif_fob_margin": "the CIF/FOB margin applied (importer ÷ exporter on the baseline, clipped to [1, 1.5])",
    "margin_basis": "where the margin comes from: `route`, `product`, `default` or `given`",
    "exporter_value_fob": "the exporter's report on a FOB basis",
    "importer_value_fob": "the importer's report on a FOB basis (a CIF report divided by the margin)",
    "gap_fob_usd": "importer_value_fob − exporter_value_fob",
    "ratio_fob": "importer_value_fob ÷ exporter_value_fob: 1 when the two reports agree",
    "exporter_reliability": "the exporter's reliability, exp(−median |ln gap|) of its baseline pairs, in (0, 1]",
    "importer_reliability": "the importer's reliability, the same way",
    "reconciled_usd": "the reliability-weighted mean of the two FOB values (FOB)",
    "reconciled_low": "the lower end of the reconciled interval",
    "reconciled_high": "the upper end of the reconciled interval",
    "exporter_weight_kg": "the exporter's net weight",
    "importer_weight_kg": "the importer's net weight",
    "weight_ratio": "importer_weight_kg ÷ exporter_weight_kg",
    "reconciled_weight_kg": "the reliability-weighted mean of the two weights",
    "physical_check": "`consistent` when weights and values tell the same story, `diverges` when not, null without weights",
    "exporter_cif_usd": "the part of the exporter's report declared CIF (before conversion)",
    "importer_cif_usd": "the part of the importer's report declared CIF (before conversion)",
    "exporter_re_export_usd": "the part of the exporter's report that is re-exports",
    "importer_re_import_usd": "the part of the importer's report that is re-imports",
    "exporter_evidence": "the exporter's input rows: list of `{source, source_row}`",
    "importer_evidence": "the importer's input rows: list of `{source, source_row}`",
}
"""Columns of :func:`dualuse.flows.mirror`, in order."""

HUBS_COLUMNS: dict[str, str] = {
    "route": "origin>hub>target, e.g. `CN>KZ>RU`",
    "origin": "the origin country",
    "hub": "the hub country",
    "target": "the target country",
    "hs_code": "the good (HS6)",
    "freq": "`A` annual or `M` monthly",
    "period": "the period",
    "origin_exports_usd": "the origin's exports to the hub",
    "origin_exports_basis": "`reported` (by the origin) or `mirror` (the hub's import report instead)",
    "hub_imports_usd": "the hub's imports from the origin",
    "hub_imports_basis": "`reported` (by the hub) or `mirror` (the origin's export report instead)",
    "hub_exports_usd": "the hub's exports to the target",
    "hub_exports_basis": "`reported` (by the hub) or `mirror` (the target's import report instead)",
    "production_prior_usd": "the hub's mean yearly exports of the good to the world before the war (its own production)",
    "pass_through": "max(0, hub_exports_usd − production prior) ÷ hub_imports_usd",
    "matched_imports_usd": "the hub's imports of the good over the period and the `window_months` before (Armenian rule)",
    "re_export_usd": "exports counted as re-exports by the Armenian rule: min(exports, matched imports), else 0",
    "re_export_rule": "why: `re-export`, `no_exports`, `producer`, `no_matched_imports` or `below_share`",
    "evidence": "the input rows of the three legs: list of `{source, source_row}`",
}
"""Columns of :func:`dualuse.flows.hubs`, in order."""

SURGE_COLUMNS: dict[str, str] = {
    "route": "exporter>importer, e.g. `CN>KZ`",
    "exporter": "the exporting country",
    "importer": "the importing country",
    "hs_code": "the good (HS6; product level only)",
    "tier": "the good's list tier (`not listed` if none)",
    "freq": "`A` annual or `M` monthly",
    "period": "the period",
    "periods_from_event": "periods since the event (negative before it)",
    "post": "whether the period is after the event",
    "value_usd": "the value of the period",
    "baseline_usd": "the mean value of a period before the event (the baseline)",
    "growth": "value_usd ÷ baseline_usd − 1 (null without a baseline)",
    "evidence": "the input rows: list of `{source, source_row}`",
}
"""Columns of :func:`dualuse.flows.surge` (``level="tier"`` has no ``hs_code``), in order."""

DID_COLUMNS: dict[str, str] = {
    "estimate": "mean change of the treated units − mean change of the control units",
    "std_error": "its standard error, clustered by unit",
    "t_stat": "estimate ÷ std_error",
    "p_value": "two-sided p-value (normal approximation)",
    "se_method": "how the standard error was computed",
    "outcome": "`log` (ln(1 + value)) or `level`",
    "treated_change": "mean change (after − before) of the treated units",
    "control_change": "mean change of the control units",
    "n_treated": "treated units",
    "n_control": "control units",
    "n_pre_periods": "periods before the event",
    "n_post_periods": "periods after the event",
}
"""Columns of :func:`dualuse.flows.did`, in order."""
