"""Turn flows results into canonical findings: kind, subject, score in [0, 1], a sentence, evidence.

Kinds: ``ghost_export`` and ``ghost_import`` (a report the partner never recorded, although it
reported trade that year), ``mirror_gap`` (after the baseline, the two reports of a flow disagree
far more than they used to), ``hub_pass_through`` (a hub passed on a share of what it imported),
``surge`` (a route's trade in a good jumped against its pre-event baseline), ``new_flow`` (a route
began to carry a good after the event that it carried none of before). Each finding's
``finding_id`` is derived from its kind, subject and period, so it is the same on every run; its
``evidence`` names the flows rows behind it (``{table: "flows", source, source_row}``).

Examples:
    >>> import datetime as dt, polars as pl
    >>> from dualuse.flows import hubs
    >>> from dualuse.flows.findings import hub_findings
    >>> y = dt.date(2023, 1, 1)
    >>> flows = pl.DataFrame({"period": [y, y], "freq": ["A", "A"], "reporter": ["KZ", "KZ"],
    ...     "partner": ["CN", "RU"], "flow": ["import", "export"], "hs_code": ["880622", "880622"],
    ...     "value_usd": [5.9e6, 2.7e6], "source": ["kz", "kz"], "source_row": [1, 2]})
    >>> found = hub_findings(hubs(flows, origin="CN", hubs=["KZ"]))
    >>> print(found.get_column("summary").item())
    KZ imported $5.9 m of 8806.22 from CN in 2023 (as KZ reported) and exported $2.7 m to RU; with no pre-war exports of its own, that is a 46 % pass-through. The Armenian rule counts $2.7 m as re-exports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from typing import Any

import polars as pl

from dualuse.flows._periods import BASELINE_END
from dualuse.formatting import money, number, period_label
from dualuse.hs import HSCode
from dualuse.inputs import DateLike, as_date
from dualuse.schema import polars_schema
from dualuse.values import HS_TOTAL

__all__ = ["finding_id", "hub_findings", "mirror_findings", "surge_findings"]


def finding_id(kind: str, subject: str, period: dt.date | str | None = None) -> str:
    """A stable identifier: the same kind, subject and period always give the same id.

    Examples:
        >>> finding_id("surge", "CN>KZ 854231", dt.date(2023, 1, 1))
        'surge-032b5937b5c01560'
    """
    digest = hashlib.sha256(f"{kind}|{subject}|{period or ''}".encode()).hexdigest()[:16]
    return f"{kind}-{digest}"


def _hs(code: str | None) -> str:
    """``880622`` -> ``8806.22`` for sentences (a code that is not HS digits is shown as it is)."""
    if code is None or code == HS_TOTAL:
        return "all goods"
    try:
        return str(HSCode.parse(code))
    except ValueError:
        return code


def _evidence(*lists: Iterable[dict[str, Any]] | None) -> list[dict[str, Any]]:
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for items in lists:
        for item in items or []:
            seen[(item["source"], item["source_row"])] = {
                "table": "flows",
                "source": item["source"],
                "source_row": item["source_row"],
            }
    return [seen[k] for k in sorted(seen)]


def _metrics(**values: float | None) -> list[dict[str, Any]]:
    return [{"name": name, "value": None if v is None else float(v)} for name, v in values.items()]


def _frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    schema = polars_schema("findings")
    if not records:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(records, schema=schema, orient="row").sort("kind", "subject", "finding_id")


def _clip(score: float) -> float:
    return min(1.0, max(0.0, score))


def mirror_findings(
    mirrored: pl.DataFrame,
    *,
    min_excess: float = math.log(1.2),
    baseline_start: DateLike | None = None,
    baseline_end: DateLike = BASELINE_END,
    value_scale: float = 1e6,
    min_value_usd: float = 0.0,
) -> pl.DataFrame:
    """Ghost exports / imports and post-baseline mirror gaps from the output of :func:`~dualuse.flows.mirror`.

    A **mirror gap** is a matched flow after the baseline whose ``|ln ratio_fob|`` exceeds the
    route and good's typical baseline value (median; 0 without a baseline) by more than
    ``min_excess`` (default ln 1.2: 20 % beyond the usual disagreement); score
    ``1 - exp(-excess)``. A **ghost** scores the silent side's reliability times ``1 -
    exp(-value / value_scale)``: a reliable importer missing a large export is strong evidence.
    Flows below ``min_value_usd`` are ignored, and a report of $0 is no ghost: nothing went missing.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> from dualuse.flows import mirror
        >>> flows = pl.DataFrame({"period": [dt.date(2023, 1, 1)] * 2, "freq": ["A", "A"], "reporter": ["CN", "KZ"],
        ...     "partner": ["KZ", "CN"], "flow": ["export", "import"], "hs_code": ["880622", "854231"],
        ...     "value_usd": [2.0e6, 5.0], "source": ["s", "s"], "source_row": [0, 1]})
        >>> mirror_findings(mirror(flows), min_value_usd=100.0).select("kind", "subject").rows()
        [('ghost_export', 'CN>KZ 880622')]
    """
    baseline_end = as_date(baseline_end, "baseline_end")
    inside = pl.col("period") < baseline_end
    if baseline_start is not None:
        inside = inside & (pl.col("period") >= as_date(baseline_start, "baseline_start"))
    key = ["exporter", "importer", "hs_code"]
    log_gap = pl.col("ratio_fob").log().abs()
    matched = mirrored.filter((pl.col("status") == "matched") & (pl.col("ratio_fob") > 0))
    typical = matched.filter(inside).group_by(key).agg(log_gap.median().alias("__typical"))
    gaps = (
        matched.filter(~inside & (pl.max_horizontal("exporter_value_usd", "importer_value_usd") >= min_value_usd))
        .join(typical, on=key, how="left")
        .with_columns(pl.col("__typical").fill_null(0.0), log_gap.alias("__gap"))
        .with_columns((pl.col("__gap") - pl.col("__typical")).alias("__excess"))
        .filter(pl.col("__excess") > min_excess)
    )
    records = []
    for row in gaps.iter_rows(named=True):
        subject = f"{row['exporter']}>{row['importer']} {row['hs_code']}"
        when = period_label(row["period"], row["freq"])
        records.append(
            {
                "finding_id": finding_id("mirror_gap", subject, row["period"]),
                "kind": "mirror_gap",
                "subject": subject,
                "score": _clip(1 - math.exp(-row["__excess"])),
                "summary": (
                    f"{row['exporter']} reported exporting {money(row['exporter_value_usd'])} of {_hs(row['hs_code'])} "
                    f"to {row['importer']} in {when}, {row['importer']} reported {money(row['importer_value_fob'])} "
                    f"(FOB): a ratio of {number(row['ratio_fob'])}, against a typical gap of "
                    f"{number(math.expm1(row['__typical']), 'share')} before {baseline_end.year}."
                ),
                "metrics": _metrics(
                    exporter_value_usd=row["exporter_value_usd"],
                    importer_value_fob=row["importer_value_fob"],
                    ratio_fob=row["ratio_fob"],
                    baseline_abs_log_gap=row["__typical"],
                    excess_abs_log_gap=row["__excess"],
                ),
                "evidence": _evidence(row["exporter_evidence"], row["importer_evidence"]),
            }
        )
    reported = pl.coalesce("exporter_value_usd", "importer_value_usd")
    ghosts = mirrored.filter(
        pl.col("status").is_in(["ghost_export", "ghost_import"]) & (reported >= min_value_usd) & (reported > 0)
    )
    for row in ghosts.iter_rows(named=True):
        exported = row["status"] == "ghost_export"
        kind = row["status"]
        subject = f"{row['exporter']}>{row['importer']} {row['hs_code']}"
        when = period_label(row["period"], row["freq"])
        value = row["exporter_value_usd"] if exported else row["importer_value_usd"]
        silent = row["importer_reliability"] if exported else row["exporter_reliability"]
        summary = (
            f"{row['exporter']} reported exporting {money(value)} of {_hs(row['hs_code'])} to {row['importer']} "
            f"in {when}; {row['importer']} recorded no such import."
            if exported
            else f"{row['importer']} reported importing {money(value)} of {_hs(row['hs_code'])} from "
            f"{row['exporter']} in {when}; {row['exporter']} recorded no such export."
        )
        records.append(
            {
                "finding_id": finding_id(kind, subject, row["period"]),
                "kind": kind,
                "subject": subject,
                "score": _clip(silent * (1 - math.exp(-(value or 0.0) / value_scale))),
                "summary": summary,
                "metrics": _metrics(value_usd=value, silent_side_reliability=silent),
                "evidence": _evidence(row["exporter_evidence"] if exported else row["importer_evidence"]),
            }
        )
    return _frame(records)


def hub_findings(hub_frame: pl.DataFrame, *, min_pass_through: float = 0.1, min_value_usd: float = 0.0) -> pl.DataFrame:
    """``hub_pass_through`` findings from :func:`~dualuse.flows.hubs`: score = pass-through, capped at 1.

    Rows with a pass-through below ``min_pass_through`` or hub exports below ``min_value_usd`` give
    none. See the module example (Kazakhstan's drones, 46 %).

    Examples:
        >>> hub_findings(pl.DataFrame(schema={"pass_through": pl.Float64, "hub_exports_usd": pl.Float64})).height
        0
    """
    rows = hub_frame.filter(
        (pl.col("pass_through") >= min_pass_through) & (pl.col("hub_exports_usd").fill_null(0.0) >= min_value_usd)
    )
    records = []
    for row in rows.iter_rows(named=True):
        subject = f"{row['route']} {row['hs_code']}"
        when = period_label(row["period"], row["freq"])
        basis = (
            f"as {row['hub']} reported" if row["hub_imports_basis"] == "reported" else f"as {row['origin']} reported"
        )
        prior = (
            "no pre-war exports of its own"
            if not row["production_prior_usd"]
            else f"pre-war exports of its own of {money(row['production_prior_usd'])} a year set aside"
        )
        summary = (
            f"{row['hub']} imported {money(row['hub_imports_usd'])} of {_hs(row['hs_code'])} from {row['origin']} "
            f"in {when} ({basis}) and exported {money(row['hub_exports_usd'])} to {row['target']}; with {prior}, "
            f"that is a {number(row['pass_through'], 'share')} pass-through."
        )
        if row["re_export_usd"]:
            summary += f" The Armenian rule counts {money(row['re_export_usd'])} as re-exports."
        records.append(
            {
                "finding_id": finding_id("hub_pass_through", subject, row["period"]),
                "kind": "hub_pass_through",
                "subject": subject,
                "score": _clip(row["pass_through"]),
                "summary": summary,
                "metrics": _metrics(
                    origin_exports_usd=row["origin_exports_usd"],
                    hub_imports_usd=row["hub_imports_usd"],
                    hub_exports_usd=row["hub_exports_usd"],
                    production_prior_usd=row["production_prior_usd"],
                    pass_through=row["pass_through"],
                    matched_imports_usd=row["matched_imports_usd"],
                    re_export_usd=row["re_export_usd"],
                ),
                "evidence": _evidence(row["evidence"]),
            }
        )
    return _frame(records)


def surge_findings(
    panel: pl.DataFrame,
    *,
    min_growth: float = 0.5,
    min_value_usd: float = 0.0,
    new_floor_usd: float = 0.0,
    new_floor_share: float = 0.01,
    min_new_usd: float = 100_000.0,
    value_scale: float = 1e6,
) -> pl.DataFrame:
    """``surge`` and ``new_flow`` findings from :func:`~dualuse.flows.surge`, for periods after the event.

    A **surge**: growth on the pre-event baseline of at least ``min_growth``, value at least
    ``min_value_usd``; score ``growth / (1 + growth)`` (+100 % scores 0.5, +300 % 0.75).

    A **new flow**: a good (or tier) that a route carried at least ``min_new_usd`` of in a period
    after the event, and before it at most ``new_floor_usd`` a period or ``new_floor_share`` of that
    value (1 %: a few shipments in the month before the invasion do not make an old trade) —
    growth over nothing has no ratio, and this is the flagship pattern of the field (Kazakhstan's
    drone imports from China: none before the war, $5.9m in 2023). Score by size: ``1 - exp(-value
    / value_scale)``. A unit that is a new flow is not also reported as a surge.

    Examples:
        >>> import datetime as dt
        >>> from dualuse.flows import surge
        >>> flows = pl.DataFrame({"period": [dt.date(2021, 1, 1), dt.date(2023, 1, 1)], "freq": ["A", "A"],
        ...     "reporter": ["CN", "CN"], "partner": ["KZ", "KZ"], "flow": ["export", "export"],
        ...     "hs_code": ["854231", "854231"], "value_usd": [100.0, 300.0], "source": ["s", "s"], "source_row": [0, 1]})
        >>> surge_findings(surge(flows)).select("subject", "score").row(0)
        ('CN>KZ 854231', 0.6666666666666666)
        >>> drones = pl.DataFrame({"period": ["2021", "2023"], "reporter": ["KZ", "KZ"], "partner": ["CN", "CN"],
        ...     "flow": ["import", "import"], "hs_code": ["880240", "880622"], "value_usd": [0.0, 5.9e6]})
        >>> found = surge_findings(surge(drones, flow="import", dual_use="uav", level="tier"))
        >>> found.select("kind", "subject", pl.col("score").round(3)).row(0)
        ('new_flow', 'CN>KZ Unmanned aircraft', 0.997)
        >>> print(found["summary"].item())
        CN exported $5.9 m of goods of Unmanned aircraft to KZ in 2023, where the route carried none before the event.
    """
    post = pl.col("post") & pl.col("value_usd").is_not_null()
    floor = pl.max_horizontal(pl.lit(new_floor_usd), new_floor_share * pl.col("value_usd"))
    is_new = post & (pl.col("baseline_usd").fill_null(0.0) <= floor) & (pl.col("value_usd") >= min_new_usd)
    new = panel.filter(is_new)
    surges = panel.filter(post & ~is_new & (pl.col("growth") >= min_growth) & (pl.col("value_usd") >= min_value_usd))
    records = []
    for row in surges.iter_rows(named=True):
        subject, what = _unit(row)
        growth = row["growth"]
        records.append(
            {
                "finding_id": finding_id("surge", subject, row["period"]),
                "kind": "surge",
                "subject": subject,
                "score": _clip(growth / (1 + growth)),
                "summary": (
                    f"{row['exporter']} exported {money(row['value_usd'])} of {what} to {row['importer']} in "
                    f"{period_label(row['period'], row['freq'])}, {number(growth, 'change')} on its pre-event "
                    f"baseline of {money(row['baseline_usd'])} a period."
                ),
                "metrics": _metrics(value_usd=row["value_usd"], baseline_usd=row["baseline_usd"], growth=growth),
                "evidence": _evidence(row["evidence"]),
            }
        )
    for row in new.iter_rows(named=True):
        subject, what = _unit(row)
        before = (
            "where the route carried none before the event"
            if not row["baseline_usd"]
            else f"where the route carried {money(row['baseline_usd'])} a period before the event"
        )
        records.append(
            {
                "finding_id": finding_id("new_flow", subject, row["period"]),
                "kind": "new_flow",
                "subject": subject,
                "score": _clip(1 - math.exp(-row["value_usd"] / value_scale)),
                "summary": (
                    f"{row['exporter']} exported {money(row['value_usd'])} of {what} to {row['importer']} in "
                    f"{period_label(row['period'], row['freq'])}, {before}."
                ),
                "metrics": _metrics(value_usd=row["value_usd"], baseline_usd=row["baseline_usd"]),
                "evidence": _evidence(row["evidence"]),
            }
        )
    return _frame(records)


def _unit(row: dict[str, Any]) -> tuple[str, str]:
    """The subject of a panel row (route and good or tier) and how a sentence names the goods."""
    code = row.get("hs_code")
    subject = f"{row['route']} {code or row['tier']}"
    return subject, _hs(code) if code else f"goods of {row['tier']}"
