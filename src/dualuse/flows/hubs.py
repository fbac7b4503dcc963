"""Hub triangulation: origin -> hub -> target, per HS6 and period, with a re-export estimate.

For each route such as ``CN>KZ>RU`` and each good and period, :func:`hubs` lays out:

- the three legs: the origin's exports to the hub, the hub's imports from the origin, the hub's
  exports to the target. Each leg takes the report of the country named first in it (the
  exporter's for exports, the importer's for imports) and falls back on the partner's report of
  the same flow (mirror data) when that country reported nothing; ``*_basis`` says which.
  Russia has published nothing since 2022, so the target side always comes from its partners;
- the hub's **production prior**: its mean annual exports of the good to the world over the
  pre-war baseline (a hub that exported none made none worth counting). The hub counts as a
  *producer* of the good, and gets no re-export estimate, only when those exports also exceeded its
  pre-war imports of it: a trader that re-exported before the war is still a trader;
- the **pass-through** ratio: ``max(0, exports to target - production prior) / imports from
  origin`` (the prior is subtracted whole, which is conservative);
- a **re-export estimate** that follows the published Armenian rule: the hub's exports of a good
  it does not produce are matched to its imports of that good from countries other than the
  target over the same month and the ``window_months`` before; when the exports reach at least
  ``min_share`` (one third) of those imports, ``min(exports, imports)`` counts as re-exported.

Legs are compared within the same period (no lag): use annual data, or read monthly results as
indicative. Values are as reported (a mirror fallback for an import leg is the exporter's FOB
figure).

Examples:
    >>> import datetime as dt, polars as pl
    >>> from dualuse.flows import hubs
    >>> y = dt.date(2023, 1, 1)
    >>> flows = pl.DataFrame({"period": [y, y], "freq": ["A", "A"], "reporter": ["KZ", "KZ"],
    ...     "partner": ["CN", "RU"], "flow": ["import", "export"], "hs_code": ["880622", "880622"],
    ...     "value_usd": [5.9e6, 2.7e6], "source": ["kz", "kz"], "source_row": [1, 2]})
    >>> out = hubs(flows, origin="CN", hubs=["KZ"], target="RU")
    >>> out.select("route", "hub_imports_usd", "hub_exports_usd", pl.col("pass_through").round(3)).row(0)
    ('CN>KZ>RU', 5900000.0, 2700000.0, 0.458)
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from dualuse.errors import DualuseWarning, InputError
from dualuse.execution import Engine
from dualuse.execution.plan import wants_partitions
from dualuse.flows._periods import BASELINE_END, month_index
from dualuse.flows._prepare import EVIDENCE, evidence, harmonise, read_flows
from dualuse.frames import delivers, stable_sum
from dualuse.hs import HSVersion
from dualuse.inputs import DateLike, as_countries, as_country, as_date
from dualuse.lists import DualUseList, ListSpec, resolve

__all__ = ["HubSettings", "hubs", "in_hubs_order", "keep_listed", "triangulate"]

_KEY = ["hs_code", "freq", "period"]
_EXPORTS = ("export", "re-export")
_IMPORTS = ("import", "re-import")


def _reports(flows: pl.DataFrame, reporter: str, partner: str, kinds: tuple[str, ...]) -> pl.DataFrame:
    """One country's reports of its trade with one partner, summed per good and period."""
    return (
        flows.filter((pl.col("reporter") == reporter) & (pl.col("partner") == partner) & pl.col("flow").is_in(kinds))
        .group_by(_KEY)
        .agg(stable_sum(pl.col("value_usd")).alias("value"), evidence().sort().alias("evidence"))
    )


def _leg(flows: pl.DataFrame, exporter: str, importer: str, *, by: str, name: str) -> pl.DataFrame:
    """A leg as reported by ``by`` (exporter or importer), else by the other side (mirror)."""
    exported = _reports(flows, exporter, importer, _EXPORTS)
    imported = _reports(flows, importer, exporter, _IMPORTS)
    own, mirror = (exported, imported) if by == exporter else (imported, exported)
    joined = own.join(mirror, on=_KEY, how="full", coalesce=True, suffix="_mirror")
    use_own = pl.col("value").is_not_null()
    return joined.select(
        *_KEY,
        pl.coalesce("value", "value_mirror").alias(f"{name}_usd"),
        pl.when(use_own).then(pl.lit("reported")).otherwise(pl.lit("mirror")).alias(f"{name}_basis"),
        pl.when(use_own).then(pl.col("evidence")).otherwise(pl.col("evidence_mirror")).alias(f"__{name}_evidence"),
    )


def _production_prior(
    flows: pl.DataFrame, hub: str, baseline_start: dt.date | None, baseline_end: dt.date, years: int | None = None
) -> pl.DataFrame:
    """The hub's mean annual exports (and imports) of each good, all partners, over the baseline years.

    ``years``: the hub's number of baseline years with any report (counted here when not given; a
    partitioned run counts them over all goods first).
    """
    inside = pl.col("period") < baseline_end
    if baseline_start is not None:
        inside = inside & (pl.col("period") >= baseline_start)
    base = flows.filter(inside & (pl.col("reporter") == hub))
    if years is None:
        years = base.select(pl.col("period").dt.year().n_unique()).item() or 1
    value = pl.col("value_usd")
    # Multiplied by the inverse: polars divides a long column by a number through its inverse and
    # a short one exactly, so a division would depend on the frame's length (and a partitioned
    # run would differ from a whole-table run in the last bit).
    per_year = 1.0 / years
    return base.group_by("hs_code").agg(
        (stable_sum(value.filter(pl.col("flow") == "export")) * per_year).alias("production_prior_usd"),
        (stable_sum(value.filter(pl.col("flow").is_in(_IMPORTS))) * per_year).alias("import_prior_usd"),
    )


def _other_imports(flows: pl.DataFrame, hub: str, target: str, window_months: int) -> pl.DataFrame:
    """The hub's imports of each good from everyone but the target, summed over the window."""
    monthly = (
        flows.filter((pl.col("reporter") == hub) & (pl.col("partner") != target) & pl.col("flow").is_in(_IMPORTS))
        .group_by(_KEY)
        .agg(stable_sum(pl.col("value_usd")).alias("__v"), evidence().sort().alias("__e"))
        .with_columns(month_index(pl.col("period")).alias("__m"))
    )
    shifted = [
        monthly.filter(pl.col("freq") == "M").with_columns((pl.col("__m") + lag).alias("__m")) if lag else monthly
        for lag in range(window_months + 1)
    ]
    return (
        pl.concat(shifted)
        .group_by("hs_code", "freq", "__m")
        .agg(
            stable_sum(pl.col("__v")).alias("matched_imports_usd"),
            pl.col("__e").list.explode(keep_nulls=False, empty_as_null=False).sort().alias("__imports_evidence"),
        )
    )


@delivers
def hubs(
    flows: object,
    *,
    origin: str,
    hubs: str | Sequence[str],
    target: str = "RU",
    dual_use: ListSpec | None = None,
    baseline_start: DateLike | None = None,
    baseline_end: DateLike = BASELINE_END,
    window_months: int = 2,
    min_share: float = 1 / 3,
    producer_max_usd: float = 0.0,
    hs_version: HSVersion | str = HSVersion.HS2022,
    engine: Engine = None,
    partitions: int | None = None,
) -> pl.DataFrame:
    """Triangulate origin -> hub -> target for each hub, good and period (see the module docs).

    ``flows`` is any table or file the front door reads (:mod:`dualuse.inputs`); ``hubs`` a list
    of countries or names separated by commas; ``dual_use`` a list (:data:`dualuse.lists.ListSpec`:
    ``"chpl"``, ``"chpl,uav"``, a file or a :class:`~dualuse.lists.DualUseList`), which keeps only
    the goods on it and adds their ``tier``. A requested hub that appears in no row of ``flows``
    is named in a :class:`~dualuse.errors.DualuseWarning` (its route has no rows). A hub whose production
    prior exceeds ``producer_max_usd`` is taken to make the good: its exports are not counted as
    re-exports (``re_export_rule`` says why a row got none). One row per route, good and period in
    which any leg was reported; ``evidence`` lists the rows behind the legs and matched imports.
    ``engine`` and ``partitions`` run it partitioned by ranges of HS chapters, and ``flows`` may
    then be a partitioned Parquet dataset (:mod:`dualuse.flows.partitioned`): the result is the same.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> y = dt.date(2023, 1, 1)
        >>> flows = pl.DataFrame({"period": [y] * 3, "freq": ["A"] * 3, "reporter": ["CN", "KZ", "KZ"],
        ...     "partner": ["KZ", "CN", "RU"], "flow": ["export", "import", "export"],
        ...     "hs_code": ["854231"] * 3, "value_usd": [90.0, 100.0, 40.0], "source": ["s"] * 3, "source_row": [0, 1, 2]})
        >>> hubs(flows, origin="CN", hubs=["KZ"]).select("re_export_usd", "re_export_rule").row(0)
        (40.0, 're-export')
    """
    if not 0 < min_share <= 1:
        raise InputError(f"hubs: min_share must lie in (0, 1], not {min_share}")
    if window_months < 0:
        raise InputError(f"hubs: window_months must be 0 or more, not {window_months}")
    hub_codes = as_countries(hubs, "hubs")
    origin, target = as_country(origin, "origin", areas={"EU"}), as_country(target, "target")
    listed = resolve(dual_use)
    start = None if baseline_start is None else as_date(baseline_start, "baseline_start")
    end = as_date(baseline_end, "baseline_end")
    settings = HubSettings(origin, tuple(hub_codes), target, listed, start, end, window_months, min_share,
                           producer_max_usd, str(HSVersion.parse(hs_version)))  # fmt: skip
    if wants_partitions(flows, engine, partitions):
        from dualuse.flows.partitioned import hubs_partitioned

        return hubs_partitioned(flows, settings, engine=engine, partitions=partitions)
    # Sorted by evidence: sums then add in the same order whatever the input order (floats).
    frame = (
        harmonise(read_flows(flows, what="hubs"), hs_version)
        .with_columns(pl.col("value_usd").cast(pl.Float64))
        .sort("source", "source_row")
    )
    _warn_missing_hubs(frame, hub_codes, origin, target)
    return in_hubs_order(triangulate(keep_listed(frame, settings), settings))


@dataclass(frozen=True)
class HubSettings:
    """The arguments of one :func:`hubs` call, read (countries as codes, dates as dates, the list resolved)."""

    origin: str
    hubs: tuple[str, ...]
    target: str
    listed: DualUseList | None
    baseline_start: dt.date | None
    baseline_end: dt.date
    window_months: int
    min_share: float
    producer_max_usd: float
    hs_version: str  # codes are harmonised: lists match that version's prefixes only


def keep_listed(frame: pl.DataFrame, settings: HubSettings) -> pl.DataFrame:
    """The rows of goods on ``settings.listed`` (all rows without a list)."""
    if settings.listed is None:
        return frame
    matched = settings.listed.match(frame.get_column("hs_code"), hs_version=settings.hs_version)
    return frame.with_columns(matched.get_column("tier").alias("__tier")).filter(pl.col("__tier").is_not_null())


def triangulate(frame: pl.DataFrame, settings: HubSettings, years: Mapping[str, int] | None = None) -> pl.DataFrame:
    """Every route of harmonised, listed ``frame`` (``years``: each hub's baseline years, when counted elsewhere)."""
    s = settings
    parts = [
        _route(frame, s.origin, hub, s.target, s.baseline_start, s.baseline_end, s.window_months, s.min_share,
               s.producer_max_usd, None if years is None else years.get(hub, 0) or 1)
        for hub in s.hubs
    ]  # fmt: skip
    out = pl.concat(parts, how="vertical_relaxed")
    if s.listed is not None:
        tiers = s.listed.match(out.get_column("hs_code"), hs_version=s.hs_version).get_column("tier")
        out = out.with_columns(tiers.alias("tier"))
    return out


def in_hubs_order(out: pl.DataFrame) -> pl.DataFrame:
    """Rows in :func:`hubs`' order: route, good, frequency, period."""
    return out.sort("route", "hs_code", "freq", "period")


def _warn_missing_hubs(frame: pl.DataFrame, hubs: Sequence[str], origin: str, target: str) -> None:
    """A requested hub that no row mentions: say so, rather than report an empty route as a finding."""
    seen = set(frame.get_column("reporter").unique().to_list()) | set(frame.get_column("partner").unique().to_list())
    warn_missing_hubs(seen, hubs, origin, target, stacklevel=5)


def warn_missing_hubs(seen: Collection[str], hubs: Sequence[str], origin: str, target: str, *, stacklevel: int) -> None:
    """Warn about each of ``hubs`` not among the ``seen`` countries (``stacklevel``: the caller of hubs())."""
    for hub in hubs:
        if hub not in seen:
            warnings.warn(
                f"hubs: no flows reported by or with {hub}: route {origin}>{hub}>{target} has no rows",
                DualuseWarning,
                stacklevel=stacklevel,
            )


def _route(
    frame: pl.DataFrame,
    origin: str,
    hub: str,
    target: str,
    baseline_start: dt.date | None,
    baseline_end: dt.date,
    window_months: int,
    min_share: float,
    producer_max_usd: float,
    years: int | None = None,
) -> pl.DataFrame:
    legs = (
        _leg(frame, origin, hub, by=origin, name="origin_exports")
        .join(_leg(frame, origin, hub, by=hub, name="hub_imports"), on=_KEY, how="full", coalesce=True)
        .join(_leg(frame, hub, target, by=hub, name="hub_exports"), on=_KEY, how="full", coalesce=True)
    )
    prior = _production_prior(frame, hub, baseline_start, baseline_end, years)
    other = _other_imports(frame, hub, target, window_months)
    out = (
        legs.with_columns(month_index(pl.col("period")).alias("__m"))
        .join(prior, on="hs_code", how="left")
        .join(other, on=["hs_code", "freq", "__m"], how="left")
        .with_columns(
            pl.col("production_prior_usd").fill_null(0.0),
            pl.col("import_prior_usd").fill_null(0.0),
            pl.col("matched_imports_usd").fill_null(0.0),
            pl.col("__imports_evidence").fill_null(pl.lit([], pl.List(EVIDENCE))),
        )
    )
    # times the inverse, never divided by a number: see _production_prior
    per_period = pl.col("production_prior_usd") * pl.when(pl.col("freq") == "M").then(1.0 / 12.0).otherwise(1.0)
    exports = pl.col("hub_exports_usd").fill_null(0.0)
    imports = pl.col("hub_imports_usd")
    matched = pl.col("matched_imports_usd")
    # A hub makes a good when it exported more of it than it imported before the war (a trader's
    # pre-war re-exports do not make it a producer) and more than producer_max_usd.
    producer = (pl.col("production_prior_usd") > producer_max_usd) & (
        pl.col("production_prior_usd") > pl.col("import_prior_usd")
    )
    rule = (
        pl.when(exports <= 0)
        .then(pl.lit("no_exports"))
        .when(producer)
        .then(pl.lit("producer"))
        .when(matched <= 0)
        .then(pl.lit("no_matched_imports"))
        .when(exports < min_share * matched)
        .then(pl.lit("below_share"))
        .otherwise(pl.lit("re-export"))
    )
    evidence_parts = [
        pl.col(f"__{leg}_evidence").fill_null(pl.lit([], pl.List(EVIDENCE)))
        for leg in ("origin_exports", "hub_imports", "hub_exports")
    ]
    return out.with_columns(rule.alias("re_export_rule")).select(
        pl.lit(f"{origin}>{hub}>{target}").alias("route"),
        pl.lit(origin).alias("origin"),
        pl.lit(hub).alias("hub"),
        pl.lit(target).alias("target"),
        "hs_code",
        "freq",
        "period",
        "origin_exports_usd",
        "origin_exports_basis",
        "hub_imports_usd",
        "hub_imports_basis",
        "hub_exports_usd",
        "hub_exports_basis",
        "production_prior_usd",
        pl.when(imports > 0).then((exports - per_period).clip(lower_bound=0.0) / imports).alias("pass_through"),
        "matched_imports_usd",
        pl.when(pl.col("re_export_rule") == "re-export")
        .then(pl.min_horizontal(exports, matched))
        .otherwise(0.0)
        .alias("re_export_usd"),
        "re_export_rule",
        pl.concat_list(*evidence_parts, pl.col("__imports_evidence")).list.unique().list.sort().alias("evidence"),
    )
