"""Surge around an event and difference-in-differences: did listed goods jump on a route after it?

:func:`surge` turns flows into a tidy panel, one row per route, good (or list tier) and period,
with the value, the route's pre-event baseline and the growth against it: ready to plot.
:func:`did` compares the change of a treated set (goods on the list, or a route) with the change
of a control set (other goods, or control routes) over the same event.

Periods: the period that contains the event counts as *after* it (annual 2022 for 2022-02-24,
and the month of February 2022 for monthly data); the baseline is the periods before it (all of
them, or the last ``baseline_periods``). A unit absent in a baseline period counts as zero there.

Examples:
    >>> import datetime as dt, polars as pl
    >>> from dualuse.flows import surge
    >>> flows = pl.DataFrame({"period": [dt.date(y, 1, 1) for y in (2020, 2021, 2023)], "freq": ["A"] * 3,
    ...     "reporter": ["CN"] * 3, "partner": ["KZ"] * 3, "flow": ["export"] * 3, "hs_code": ["854231"] * 3,
    ...     "value_usd": [100.0, 300.0, 500.0], "source": ["s"] * 3, "source_row": [0, 1, 2]})
    >>> surge(flows).filter(pl.col("post")).select("route", "baseline_usd", "growth").row(0)
    ('CN>KZ', 200.0, 1.5)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Literal

import polars as pl

from dualuse.errors import SchemaError
from dualuse.flows._periods import EVENT, month_index
from dualuse.flows._prepare import evidence, harmonise, with_optional
from dualuse.hs import HSVersion
from dualuse.lists.model import DualUseList
from dualuse.route import Route

__all__ = ["NOT_LISTED", "did", "surge"]

NOT_LISTED = "not listed"
"""The ``tier`` of goods that are on no tier of the list (the natural control set)."""

_UNIT = {
    "product": ["route", "exporter", "importer", "hs_code", "tier"],
    "tier": ["route", "exporter", "importer", "tier"],
}


def _event_index(event: dt.date) -> pl.Expr:
    """The month index of the first period that counts as after the event, for each row's freq."""
    annual, monthly = event.year * 12, event.year * 12 + event.month - 1
    return pl.when(pl.col("freq") == "A").then(pl.lit(annual)).otherwise(pl.lit(monthly))


def surge(
    flows: pl.DataFrame,
    *,
    event: dt.date = EVENT,
    dual_use: DualUseList | None = None,
    flow: Literal["export", "import"] = "export",
    level: Literal["product", "tier"] = "product",
    routes: Sequence[str] | None = None,
    baseline_periods: int | None = None,
    hs_version: HSVersion | str = HSVersion.HS2022,
) -> pl.DataFrame:
    """A tidy panel of values, baselines and growth per route, good (or tier) and period.

    ``flow="export"`` reads the exporters' reports (the only ones for routes into Russia since
    2022), ``flow="import"`` the importers'. ``routes`` keeps only those exporter>importer pairs
    (``"CN>KZ"``). With ``dual_use`` each good gets its list ``tier`` (``"not listed"`` if none);
    ``level="tier"`` sums goods within a tier. Columns: ``route, exporter, importer, hs_code``
    (product level), ``tier, freq, period, periods_from_event, post, value_usd, baseline_usd,
    growth`` (value / baseline - 1, null without a baseline) and ``evidence``.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> from dualuse import lists
        >>> flows = pl.DataFrame({"period": [dt.date(2021, 1, 1), dt.date(2023, 1, 1)], "freq": ["A", "A"],
        ...     "reporter": ["CN", "CN"], "partner": ["KZ", "KZ"], "flow": ["export", "export"],
        ...     "hs_code": ["854231", "854231"], "value_usd": [100.0, 164.0], "source": ["s", "s"], "source_row": [0, 1]})
        >>> out = surge(flows, dual_use=lists.get("chpl"), level="tier")
        >>> out.select("tier", "periods_from_event", pl.col("growth").round(2)).rows()
        [('Tier 1', -1, 0.0), ('Tier 1', 1, 0.64)]
    """
    if baseline_periods is not None and baseline_periods < 1:
        raise ValueError(f"baseline_periods must be 1 or more, not {baseline_periods}")
    frame = harmonise(with_optional(flows), hs_version)
    own, other = ("reporter", "partner") if flow == "export" else ("partner", "reporter")
    kinds = ("export", "re-export") if flow == "export" else ("import", "re-import")
    frame = frame.filter(pl.col("flow").is_in(kinds)).with_columns(
        pl.col(own).alias("exporter"), pl.col(other).alias("importer")
    )
    # Sorted by evidence: sums then add in the same order whatever the input order (floats).
    frame = frame.with_columns(pl.format("{}>{}", "exporter", "importer").alias("route")).sort("source", "source_row")
    if routes is not None:
        frame = frame.filter(pl.col("route").is_in([str(Route.parse(r)) for r in routes]))
    tier = (
        pl.lit(dual_use.match(frame.get_column("hs_code")).get_column("tier").fill_null(NOT_LISTED))
        if dual_use is not None
        else pl.lit(NOT_LISTED, pl.String)
    )
    unit = _UNIT[level]
    panel = (
        frame.with_columns(tier.alias("tier"))
        .group_by(*unit, "freq", "period")
        .agg(pl.col("value_usd").cast(pl.Float64).sum().alias("value_usd"), evidence().sort().alias("evidence"))
        .with_columns((month_index(pl.col("period")) - _event_index(event)).alias("__offset"))
    )
    step = pl.when(pl.col("freq") == "A").then(12).otherwise(1)
    panel = panel.with_columns((pl.col("__offset") // step).cast(pl.Int32).alias("periods_from_event"))
    pre = pl.col("periods_from_event") < 0
    if baseline_periods is not None:
        pre = pre & (pl.col("periods_from_event") >= -baseline_periods)
    # Number of baseline periods per freq: every period before the event that the data covers.
    spans = panel.filter(pre).group_by("freq").agg(pl.col("period").n_unique().alias("__n"))
    baseline = (
        panel.filter(pre)
        .group_by(*unit, "freq")
        .agg(pl.col("value_usd").sum().alias("__sum"))
        .join(spans, on="freq")
        .select(*unit, "freq", (pl.col("__sum") / pl.col("__n")).alias("baseline_usd"))
    )
    out = panel.join(baseline, on=[*unit, "freq"], how="left").with_columns(
        pl.col("baseline_usd").fill_null(0.0),
        (pl.col("periods_from_event") >= 0).alias("post"),
    )
    growth = pl.when(pl.col("baseline_usd") > 0).then(pl.col("value_usd") / pl.col("baseline_usd") - 1)
    columns = [*unit, "freq", "period", "periods_from_event", "post", "value_usd", "baseline_usd"]
    return out.with_columns(growth.alias("growth")).select(*columns, "growth", "evidence").sort(*unit, "freq", "period")


def did(
    panel: pl.DataFrame,
    *,
    treated: pl.Expr,
    control: pl.Expr | None = None,
    unit: Sequence[str] = ("route", "hs_code"),
    outcome: Literal["log", "level"] = "log",
) -> pl.DataFrame:
    """Difference-in-differences on a :func:`surge` panel, with a standard error clustered by unit.

    ``treated`` and ``control`` are boolean expressions on the panel's columns, e.g.
    ``pl.col("tier") != "not listed"`` (listed goods; control: the rest) or
    ``pl.col("route") == "CN>KZ"`` with ``control=pl.col("route").is_in(["CN>DE", "CN>FR"])``.
    The outcome is ``ln(1 + value_usd)`` (``"log"``) or ``value_usd`` (``"level"``); the panel is
    balanced with zeros for unit-periods without trade.

    Each unit's change is ``d = mean(after) - mean(before)``; the estimate is ``mean(d treated) -
    mean(d control)``, which equals the two-way fixed-effects coefficient on a balanced panel. Its
    standard error ``sqrt(var_T / n_T + var_C / n_C)`` comes from collapsing each unit to one
    pre/post difference (Bertrand, Duflo and Mullainathan, 2004): robust to serial correlation, it
    is the unit-clustered error; the p-value is two-sided from the normal approximation.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> rows = [("CN>KZ", code, tier, dt.date(y, 1, 1), y > 2022, v) for code, tier, vals in [
        ...     ("854231", "Tier 1", (10.0, 10.0, 40.0)), ("854232", "Tier 1", (20.0, 20.0, 60.0)),
        ...     ("640399", "not listed", (10.0, 10.0, 15.0)), ("640391", "not listed", (30.0, 30.0, 35.0))]
        ...     for y, v in zip((2020, 2021, 2023), vals)]
        >>> panel = pl.DataFrame(rows, schema=["route", "hs_code", "tier", "period", "post", "value_usd"], orient="row")
        >>> did(panel, treated=pl.col("tier") != "not listed", outcome="level").select("estimate", "std_error").row(0)
        (30.0, 5.0)
    """
    missing = [c for c in (*unit, "post", "value_usd") if c not in panel.columns]
    if missing:
        raise SchemaError(f"did: panel lacks column(s) {', '.join(missing)} (use surge(..., level='product'))")
    keys = list(unit)
    group = (
        pl.when(treated)
        .then(pl.lit("treated"))
        .when(control if control is not None else ~treated)
        .then(pl.lit("control"))
    )
    tagged = panel.with_columns(group.alias("__group")).filter(pl.col("__group").is_not_null())
    time = ["period"] if "period" in panel.columns else ["post"]
    value = pl.col("value_usd").fill_null(0.0)
    y = (value.log1p() if outcome == "log" else value).alias("__y")
    cells = tagged.group_by(*keys, "__group", *time, "post").agg(pl.col("value_usd").sum())
    units = cells.select(*keys, "__group").unique()
    periods = cells.select(*time, "post").unique()
    balanced = units.join(periods, how="cross").join(cells, on=[*keys, "__group", *time, "post"], how="left")
    changes = (
        balanced.with_columns(y)
        .group_by(*keys, "__group")
        .agg((pl.col("__y").filter(pl.col("post")).mean() - pl.col("__y").filter(~pl.col("post")).mean()).alias("d"))
    )
    stats = {
        row["__group"]: row
        for row in changes.group_by("__group")
        .agg(pl.col("d").mean().alias("mean"), pl.col("d").var().alias("var"), pl.len().alias("n"))
        .iter_rows(named=True)
    }
    t_row, c_row = stats.get("treated"), stats.get("control")
    estimate = se = t_stat = p_value = None
    if t_row is not None and c_row is not None and t_row["mean"] is not None and c_row["mean"] is not None:
        estimate = t_row["mean"] - c_row["mean"]
        if t_row["var"] is not None and c_row["var"] is not None:
            se = math.sqrt(t_row["var"] / t_row["n"] + c_row["var"] / c_row["n"])
            if se > 0:
                t_stat = estimate / se
                p_value = math.erfc(abs(t_stat) / math.sqrt(2))
    n_pre = periods.filter(~pl.col("post")).height
    return pl.DataFrame(
        {
            "estimate": [estimate],
            "std_error": [se],
            "t_stat": [t_stat],
            "p_value": [p_value],
            "se_method": ["unit-clustered (pre/post collapse)"],
            "outcome": [outcome],
            "treated_change": [t_row["mean"] if t_row else None],
            "control_change": [c_row["mean"] if c_row else None],
            "n_treated": [t_row["n"] if t_row else 0],
            "n_control": [c_row["n"] if c_row else 0],
            "n_pre_periods": [n_pre],
            "n_post_periods": [periods.height - n_pre],
        },
        schema={
            "estimate": pl.Float64,
            "std_error": pl.Float64,
            "t_stat": pl.Float64,
            "p_value": pl.Float64,
            "se_method": pl.String,
            "outcome": pl.String,
            "treated_change": pl.Float64,
            "control_change": pl.Float64,
            "n_treated": pl.Int64,
            "n_control": pl.Int64,
            "n_pre_periods": pl.Int64,
            "n_post_periods": pl.Int64,
        },
    )
