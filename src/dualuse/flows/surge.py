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
from dataclasses import dataclass
from typing import Literal

import polars as pl

from dualuse.errors import InputError, ListError, SchemaError
from dualuse.flows._periods import EVENT, month_index
from dualuse.flows._prepare import evidence, harmonise, read_flows
from dualuse.hs import HSCode, HSVersion
from dualuse.hs.code import clean_digits
from dualuse.inputs import DateLike, as_date
from dualuse.lists import DualUseList, ListSpec, resolve
from dualuse.route import Route
from dualuse.values import HS_TOTAL

__all__ = ["NOT_LISTED", "ControlGroup", "control_group", "did", "listed_did", "surge"]

NOT_LISTED = "not listed"
"""The ``tier`` of goods that are on no tier of the list (the natural control set)."""

NOT_PRODUCTS = {"all goods": "all goods", "chapter": "HS chapter", "heading": "HS heading"}
"""The ``tier`` of rows that are not one product: an all-goods total, a chapter or a heading. They
are never counted as goods on or off a list, so a total is never mistaken for a product."""

_UNIT = {
    "product": ["route", "exporter", "importer", "hs_code", "tier"],
    "tier": ["route", "exporter", "importer", "tier"],
}


def _event_index(event: dt.date) -> pl.Expr:
    """The month index of the first period that counts as after the event, for each row's freq."""
    annual, monthly = event.year * 12, event.year * 12 + event.month - 1
    return pl.when(pl.col("freq") == "A").then(pl.lit(annual)).otherwise(pl.lit(monthly))


def _tier(codes: pl.Series, listed: DualUseList | None, hs_version: HSVersion | str) -> pl.Series:
    """Each code's list tier, ``not listed``, or what it is when it is not one product.

    Codes are in ``hs_version`` (harmonised), so only the list's prefixes of that version match:
    an HS-2017 home of an item (8802.40 for drones) is another good in HS-2022 (large aircraft).
    """
    length = codes.str.len_chars()
    frame = pl.DataFrame({"code": codes}).with_columns(
        pl.when(pl.col("code") == HS_TOTAL)
        .then(pl.lit(NOT_PRODUCTS["all goods"]))
        .when(length == 2)
        .then(pl.lit(NOT_PRODUCTS["chapter"]))
        .when(length == 4)
        .then(pl.lit(NOT_PRODUCTS["heading"]))
        .alias("level")
    )
    tiers = (
        listed.match(codes).get_column("tier")
        if listed is not None
        else pl.Series([None] * len(codes), dtype=pl.String)
    )
    return frame.select(pl.coalesce("level", tiers, pl.lit(NOT_LISTED))).to_series().alias("tier")


def surge(
    flows: object,
    *,
    event: DateLike = EVENT,
    dual_use: ListSpec | None = None,
    flow: Literal["export", "import"] = "export",
    level: Literal["product", "tier"] = "product",
    routes: str | Sequence[str] | None = None,
    baseline_periods: int | None = None,
    hs_version: HSVersion | str = HSVersion.HS2022,
) -> pl.DataFrame:
    """A tidy panel of values, baselines and growth per route, good (or tier) and period.

    ``flows`` is any table or file the front door reads (:mod:`dualuse.inputs`); ``event`` a date
    or ISO text. ``flow="export"`` reads the exporters' reports (the only ones for routes into
    Russia since 2022), ``flow="import"`` the importers'. ``routes`` keeps only those
    exporter>importer pairs (``"CN>KZ"``; several as a list or separated by commas). With
    ``dual_use`` (:data:`dualuse.lists.ListSpec`) each good gets its list ``tier`` (``"not listed"``
    if none); rows that are not one product (an all-goods total, a chapter, a heading) get what
    they are (:data:`NOT_PRODUCTS`) instead, so they never count as listed or unlisted goods.
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
        raise InputError(f"surge: baseline_periods must be 1 or more, not {baseline_periods}")
    if flow not in ("export", "import"):
        raise InputError(f"surge: flow must be 'export' or 'import', not {flow!r}")
    if level not in _UNIT:
        raise InputError(f"surge: level must be 'product' or 'tier', not {level!r}")
    event = as_date(event, "event")
    listed = resolve(dual_use)
    route_list = [r.strip() for r in routes.split(",") if r.strip()] if isinstance(routes, str) else routes
    frame = harmonise(read_flows(flows, what="surge"), hs_version)
    own, other = ("reporter", "partner") if flow == "export" else ("partner", "reporter")
    kinds = ("export", "re-export") if flow == "export" else ("import", "re-import")
    frame = frame.filter(pl.col("flow").is_in(kinds)).with_columns(
        pl.col(own).alias("exporter"), pl.col(other).alias("importer")
    )
    # Sorted by evidence: sums then add in the same order whatever the input order (floats).
    frame = frame.with_columns(pl.format("{}>{}", "exporter", "importer").alias("route")).sort("source", "source_row")
    if route_list is not None:
        frame = frame.filter(pl.col("route").is_in([str(Route.parse(r)) for r in route_list]))
    tier = pl.lit(_tier(frame.get_column("hs_code"), listed, hs_version))
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


@dataclass(frozen=True)
class ControlGroup:
    """The goods a difference-in-differences compares listed goods with, and how to say which.

    Build it with :func:`control_group`; ``label`` goes into every result and report that uses it.
    """

    label: str
    codes: tuple[str, ...] = ()  # HS prefixes; empty means "goods on no tier of the treated list"
    dual_use: DualUseList | None = None  # goods on this list, when the control is a list

    def expr(self, panel: pl.DataFrame) -> pl.Expr:
        """True on the panel rows of the control group (never on rows that are not one product)."""
        product = ~pl.col("tier").is_in(list(NOT_PRODUCTS.values()))
        if self.dual_use is not None:
            hits = self.dual_use.match(panel.get_column("hs_code").unique())
            members = hits.filter(pl.col("item").is_not_null()).get_column("code").to_list()
            return product & pl.col("hs_code").is_in(members)
        if self.codes:
            return product & pl.any_horizontal(pl.col("hs_code").str.starts_with(code) for code in self.codes)
        return pl.col("tier") == NOT_LISTED


def control_group(control: str | Sequence[str] | DualUseList | None, dual_use: DualUseList) -> ControlGroup:
    """The one definition of a DiD control group, shared by the library, the CLI and the report.

    ``control`` is ``None`` or ``"unlisted"`` (every good on no tier of ``dual_use``: the default),
    HS codes (``"940360,640399"`` or a list; any printed shape, prefixes count), or a dual-use list
    (a name such as ``"uav"``, or a :class:`~dualuse.lists.DualUseList`).

    Examples:
        >>> from dualuse import lists
        >>> chpl = lists.get("chpl")
        >>> control_group(None, chpl).label
        'goods on no tier of chpl 2024-02-23'
        >>> control_group("9403.60, 640399", chpl).label
        'HS 9403.60, 6403.99'
        >>> control_group("uav", chpl).label
        'goods on uav 2022'
    """
    if control is None or (isinstance(control, str) and control.strip().lower() in ("unlisted", "not listed", "")):
        return ControlGroup(label=f"goods on no tier of {dual_use.name} {dual_use.version}")
    if isinstance(control, DualUseList):
        return ControlGroup(label=f"goods on {control.name} {control.version}", dual_use=control)
    parts = [p.strip() for p in control.split(",")] if isinstance(control, str) else [str(p).strip() for p in control]
    parts = [p for p in parts if p]
    codes = []
    for part in parts:
        try:
            codes.append(clean_digits(part))
        except ValueError:
            codes = []
            break
    if codes:
        return ControlGroup(label="HS " + ", ".join(str(HSCode(c)) for c in codes), codes=tuple(codes))
    try:
        other = resolve(parts)
    except ListError as exc:
        raise InputError(f"control: neither HS codes nor a list ({exc})") from None
    assert other is not None
    return ControlGroup(label=f"goods on {other.name} {other.version}", dual_use=other)


def listed_did(
    flows: object,
    *,
    dual_use: ListSpec = "chpl",
    control: str | Sequence[str] | DualUseList | None = None,
    event: DateLike = EVENT,
    routes: str | Sequence[str] | None = None,
    flow: Literal["export", "import"] = "export",
    outcome: Literal["log", "level"] = "log",
    hs_version: HSVersion | str = HSVersion.HS2022,
) -> pl.DataFrame:
    """Difference-in-differences of goods on ``dual_use`` against a named control group.

    The panel is :func:`surge` at product level on ``routes``; treated are goods on a tier of
    ``dual_use``, control as :func:`control_group` reads ``control`` (goods in both are treated).
    The result is :func:`did`'s row plus ``treated``, ``control``, ``routes`` and ``event``, which
    say exactly what was compared, and ``evidence`` (the flows rows of both groups).

    Examples:
        >>> rows = [(str(y), "CN", "KZ", "export", code, v) for code, vals in [
        ...     ("854231", (10.0, 10.0, 40.0)), ("854232", (20.0, 20.0, 60.0)),
        ...     ("940360", (10.0, 10.0, 15.0)), ("640399", (30.0, 30.0, 35.0))]
        ...     for y, v in zip((2020, 2021, 2023), vals)]
        >>> flows = pl.DataFrame(rows, schema=["period", "reporter", "partner", "flow", "hs_code", "value_usd"], orient="row")
        >>> out = listed_did(flows, control="940360,640399", outcome="level")
        >>> out.select("estimate", "treated", "control").row(0)
        (30.0, 'goods on chpl 2024-02-23', 'HS 9403.60, 6403.99')
    """
    listed = resolve(dual_use)
    assert listed is not None
    group = control_group(control, listed)
    panel = surge(flows, event=event, dual_use=listed, flow=flow, routes=routes, hs_version=hs_version)
    treated = ~pl.col("tier").is_in([NOT_LISTED, *NOT_PRODUCTS.values()])
    chosen = group.expr(panel) & ~treated
    used = panel.filter(treated | chosen).get_column("evidence").explode().drop_nulls().unique().sort()
    estimate = did(panel, treated=treated, control=chosen, outcome=outcome)
    route_text = "all routes" if routes is None else (routes if isinstance(routes, str) else ", ".join(routes))
    return estimate.with_columns(
        pl.lit(f"goods on {listed.name} {listed.version}").alias("treated"),
        pl.lit(group.label).alias("control"),
        pl.lit(route_text).alias("routes"),
        pl.lit(as_date(event, "event")).alias("event"),
        pl.lit(used.implode(), dtype=pl.List(used.dtype)).alias("evidence"),
    )
