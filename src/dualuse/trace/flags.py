"""Red flags on the parties of shipment data (after the 2023 multilateral guidance on CHPL red flags).

One row per party and flag: ``party_id, name, country, flag, detail`` (a sentence with the numbers),
``value`` (the number the flag rests on) and ``evidence`` (the shipment rows, ``{table, source,
source_row}``). The flags:

- ``new_importer_after_invasion``: no import at all before 2022-02-24, listed goods after (only when
  the data reaches back before that date);
- ``listed_only_after_invasion``: only unlisted goods before, listed goods after;
- ``listed_spike_after_invasion``: monthly value of listed imports after at least ``spike_ratio``
  times the value before;
- ``founded_after_invasion``, ``tiny_staff_large_turnover``, ``recent_owner_change``: from a
  registry (a canonical parties frame with ``founded, employees, revenue_usd, owners`` and, when
  known, ``owners_changed``; several rows of one company with different owners also count);
- ``sanctioned_party`` and ``sanctioned_counterparty`` (one hop away): from screening results
  (``query_id`` = our ``party_id``, ``match_name``, ``score``) or from a watch list (a parties frame:
  ``name`` and optionally ``identifiers``, ``country``, ``programs``), matched on identifiers first,
  then on normalised names within a country;
- ``exited_manufacturer_goods``: ships to the target goods of a manufacturer that announced it left
  Russia (:mod:`dualuse.trace.exited`), after the announcement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from dualuse.errors import SchemaError
from dualuse.formatting import money_expr as _money
from dualuse.frames import as_frame
from dualuse.inputs import DateLike, as_country, as_date, require
from dualuse.lists import ListSpec, resolve
from dualuse.trace import exited as exited_list
from dualuse.trace.parties import match_parties, resolve_parties

__all__ = ["FLAGS", "FLAG_VALUES", "INVASION", "red_flags"]

INVASION = dt.date(2022, 2, 24)
"""The day of Russia's full-scale invasion of Ukraine."""

FLAGS: dict[str, float] = {
    "sanctioned_party": 1.0,
    "sanctioned_counterparty": 0.9,
    "exited_manufacturer_goods": 0.7,
    "founded_after_invasion": 0.6,
    "tiny_staff_large_turnover": 0.6,
    "new_importer_after_invasion": 0.5,
    "listed_only_after_invasion": 0.5,
    "recent_owner_change": 0.5,
    "listed_spike_after_invasion": 0.4,
}
"""Every flag and its weight as a finding score (how strongly it points at diversion on its own)."""

FLAG_VALUES: dict[str, str] = {
    "sanctioned_party": "traded_usd",
    "sanctioned_counterparty": "traded_with_listed_usd",
    "exited_manufacturer_goods": "shipped_usd",
    "founded_after_invasion": "days_after_invasion",
    "tiny_staff_large_turnover": "turnover_usd",
    "new_importer_after_invasion": "listed_imports_usd",
    "listed_only_after_invasion": "listed_imports_usd",
    "recent_owner_change": "days_after_invasion",
    "listed_spike_after_invasion": "spike_ratio",
}
"""What each flag's ``value`` measures, named by the unit conventions of :func:`dualuse.formatting.unit_of`
(``*_usd`` dollars, ``days_*`` days, ``*_ratio`` a multiple); findings use it as the metric's name."""

_EVIDENCE = pl.List(pl.Struct({"table": pl.String, "source": pl.String, "source_row": pl.Int64}))
_OUT: dict[str, pl.DataType] = {
    "party_id": pl.String(),
    "flag": pl.String(),
    "detail": pl.String(),
    "value": pl.Float64(),
    "evidence": _EVIDENCE,
}
_MAX_EVIDENCE = 200


def _evidence() -> pl.Expr:
    return (
        pl.struct(pl.lit("shipments").alias("table"), pl.col("source"), pl.col("source_row").cast(pl.Int64))
        .sort_by("source", "source_row")
        .head(_MAX_EVIDENCE)
        .alias("evidence")
    )


def _shipments(n: pl.Expr) -> pl.Expr:
    return pl.when(n == 1).then(pl.lit("shipment")).otherwise(pl.lit("shipments"))


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=_OUT)


def _eager(data: object, what: str) -> pl.DataFrame:
    frame = as_frame(data, what=what)
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def red_flags(
    shipments: object,
    *,
    parties: pl.DataFrame | None = None,
    target: str = "RU",
    dual_use: ListSpec = "chpl",
    registry: object | None = None,
    sanctioned: object | None = None,
    exited: pl.DataFrame | None = None,
    invasion: DateLike = INVASION,
    spike_ratio: float = 3.0,
    staff_below: int = 5,
    turnover_usd: float = 1_000_000.0,
) -> pl.DataFrame:
    """Flag the parties of ``shipments`` (see the module documentation for each flag).

    ``shipments`` may already carry ``exporter_party``/``importer_party`` (``ChainResult.shipments``,
    with ``ChainResult.parties`` as ``parties``); otherwise it is read by the front door
    (:mod:`dualuse.inputs`; a row that cannot be read is an error) and parties are resolved here.
    ``dual_use`` is a list as :data:`dualuse.lists.ListSpec` reads it; ``registry`` and
    ``sanctioned`` are parties tables (polars, pandas or Arrow); ``invasion`` a date or ISO text.

    Examples:
        >>> from dualuse.synth.shipments import generate_shipments, demo_cases
        >>> s = generate_shipments(seed=2, chains=10, background=40, planted=demo_cases())
        >>> flags = red_flags(s.shipments, registry=s.registry, sanctioned=s.watchlist, exited=s.exited)
        >>> sorted(flags.filter(pl.col("name").str.starts_with("Steppe"))["flag"])[:3]
        ['exited_manufacturer_goods', 'founded_after_invasion', 'new_importer_after_invasion']
    """
    invasion = as_date(invasion, "invasion")
    target = as_country(target, "target")
    frame = as_frame(shipments, what="red_flags")
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if "exporter_party" not in frame.columns or parties is None:
        canonical = require(frame.drop("exporter_party", "importer_party", strict=False), "shipments", what="red_flags")
        resolved = resolve_parties(canonical)
        shipments, parties = resolved.shipments, resolved.parties
    else:
        shipments = frame
    registry = None if registry is None else _eager(registry, "registry")
    sanctioned = None if sanctioned is None else _eager(sanctioned, "sanctioned")
    dual = resolve(dual_use)
    assert dual is not None
    lines = shipments.with_columns(
        dual.match(shipments["hs_code"].cast(pl.String))["item"].is_not_null().alias("__listed")
    )
    frames = [
        _history_flags(lines, invasion, spike_ratio),
        _exited_flags(lines, exited if exited is not None else exited_list.manufacturers(), target),
    ]
    if registry is not None:
        frames.append(_registry_flags(lines, parties, registry, invasion, staff_below, turnover_usd))
    if sanctioned is not None:
        frames.append(_sanction_flags(lines, parties, sanctioned))
    flags = pl.concat([f.select(_columns(_OUT)) for f in frames])
    names = parties.select("party_id", "name", "country")
    return (
        flags.join(names, on="party_id", how="left")
        .select("party_id", "name", "country", "flag", "detail", "value", "evidence")
        .sort("party_id", "flag")
    )


def _columns(schema: dict[str, pl.DataType]) -> Sequence[pl.Expr]:
    """``schema``'s columns, cast to its types."""
    return [pl.col(name).cast(dtype) for name, dtype in schema.items()]


def _history_flags(lines: pl.DataFrame, invasion: dt.date, spike_ratio: float) -> pl.DataFrame:
    start, end = lines["date"].min(), lines["date"].max()
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or start >= invasion:
        return _empty()  # without pre-war data, "first import after the invasion" cannot be told
    months_before = max(1.0, (invasion - start).days / 30.44)
    months_after = max(1.0, (end - invasion).days / 30.44)
    imports = lines.filter(pl.col("importer_party").is_not_null()).with_columns(
        (pl.col("date") < invasion).alias("__before")
    )
    per = imports.group_by("importer_party").agg(
        pl.col("date").filter(pl.col("__before")).count().alias("before_any"),
        pl.col("date").filter(pl.col("__before") & pl.col("__listed")).count().alias("before_listed"),
        pl.col("date").filter(~pl.col("__before") & pl.col("__listed")).min().alias("first_listed"),
        pl.col("value_usd").filter(pl.col("__before") & pl.col("__listed")).sum().alias("value_before"),
        pl.col("value_usd").filter(~pl.col("__before") & pl.col("__listed")).sum().alias("value_after"),
        pl.struct("source", "source_row", "__listed", "__before").alias("rows"),
    )
    per = per.filter(pl.col("first_listed").is_not_null())
    evidence_after = (
        pl.col("rows")
        .list.eval(
            pl.struct(
                pl.lit("shipments").alias("table"),
                pl.element().struct.field("source"),
                pl.element().struct.field("source_row").cast(pl.Int64).alias("source_row"),
            )
            .filter(pl.element().struct.field("__listed") & ~pl.element().struct.field("__before"))
            .head(_MAX_EVIDENCE)
        )
        .alias("evidence")
    )
    new = per.filter(pl.col("before_any") == 0).select(
        pl.col("importer_party").alias("party_id"),
        pl.lit("new_importer_after_invasion").alias("flag"),
        pl.format(
            "no import before {} in data from {}; first import of listed goods {}; {} of listed goods since",
            pl.lit(invasion.isoformat()),
            pl.lit(start.isoformat()),
            pl.col("first_listed"),
            _money(pl.col("value_after")),
        ).alias("detail"),
        pl.col("value_after").alias("value"),
        evidence_after,
    )
    switched = per.filter(pl.col("before_any") > 0, pl.col("before_listed") == 0).select(
        pl.col("importer_party").alias("party_id"),
        pl.lit("listed_only_after_invasion").alias("flag"),
        pl.format(
            "{} imports before {}, none of listed goods; listed goods from {} ({})",
            pl.col("before_any"),
            pl.lit(invasion.isoformat()),
            pl.col("first_listed"),
            _money(pl.col("value_after")),
        ).alias("detail"),
        pl.col("value_after").alias("value"),
        evidence_after,
    )
    ratio = (pl.col("value_after") / months_after) / (pl.col("value_before") / months_before)
    spike = (
        per.filter(pl.col("value_before") > 0)
        .with_columns(ratio.alias("ratio"))
        .filter(pl.col("ratio") >= spike_ratio)
        .select(
            pl.col("importer_party").alias("party_id"),
            pl.lit("listed_spike_after_invasion").alias("flag"),
            pl.format(
                "listed imports {} a month after {} against {} before ({}×)",
                _money(pl.col("value_after") / months_after),
                pl.lit(invasion.isoformat()),
                _money(pl.col("value_before") / months_before),
                pl.col("ratio").round(1),
            ).alias("detail"),
            pl.col("ratio").alias("value"),
            evidence_after,
        )
    )
    return pl.concat([new, switched, spike])


def _norm_key(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "")


def _exited_flags(lines: pl.DataFrame, exited: pl.DataFrame, target: str) -> pl.DataFrame:
    if exited.height == 0:
        return _empty()
    if "name" not in exited.columns:
        raise SchemaError("exited manufacturers: a 'name' column is required")
    aliases = exited["aliases"] if "aliases" in exited.columns else pl.Series([[]] * exited.height)
    announced = (
        exited["announced"] if "announced" in exited.columns else pl.Series([None] * exited.height, dtype=pl.Date)
    )
    keys = (
        pl.DataFrame({"maker": exited["name"], "alias": aliases, "announced": announced.cast(pl.Date)})
        .with_columns(pl.concat_list(pl.col("maker"), pl.col("alias")).alias("alias"))
        .explode("alias")
        .with_columns(_norm_key("alias").alias("key"))
        .filter(pl.col("key") != "")
        .unique("key", keep="first", maintain_order=True)
        .select("key", "maker", "announced")
    )
    to_target = lines.filter(pl.col("importer_country") == target, pl.col("exporter_party").is_not_null())
    hits = pl.concat(
        [
            to_target.with_columns(_norm_key(column).alias("key")).join(keys, on="key", how="inner")
            for column in ("manufacturer", "brand")
        ]
    ).unique(["source", "source_row", "maker"])
    hits = hits.filter(pl.col("announced").is_null() | (pl.col("date") >= pl.col("announced")))
    return (
        hits.group_by("exporter_party", "maker", "announced")
        .agg(pl.len().alias("n"), pl.col("value_usd").sum().alias("value"), _evidence())
        .sort("exporter_party", "maker")
        .with_columns(_money(pl.col("value")).alias("__money"))  # per row: a formatter sees values, not groups
        .group_by("exporter_party", maintain_order=True)
        .agg(
            pl.format(
                "{} {} to {} ({}) of goods of {} (announced leaving Russia {})",
                pl.col("n"),
                _shipments(pl.col("n")),
                pl.lit(target),
                pl.col("__money"),
                pl.col("maker"),
                pl.col("announced"),
            )
            .str.join("; ")
            .alias("detail"),
            pl.col("value").sum(),
            pl.col("evidence").list.explode().head(_MAX_EVIDENCE).alias("evidence"),
        )
        .select(
            pl.col("exporter_party").alias("party_id"),
            pl.lit("exited_manufacturer_goods").alias("flag"),
            "detail",
            "value",
            "evidence",
        )
    )


def _registry_flags(
    lines: pl.DataFrame,
    parties: pl.DataFrame,
    registry: pl.DataFrame,
    invasion: dt.date,
    staff_below: int,
    turnover: float,
) -> pl.DataFrame:
    pairs = match_parties(parties, registry)
    reg = registry.with_row_index("__other")
    for column, dtype in (
        ("founded", pl.Date),
        ("employees", pl.Int64),
        ("revenue_usd", pl.Float64),
        ("owners_changed", pl.Date),
    ):
        if column not in reg.columns:
            reg = reg.with_columns(pl.lit(None, dtype).alias(column))
    if "owners" not in reg.columns:
        reg = reg.with_columns(pl.lit([], pl.List(pl.String)).alias("owners"))
    facts = pairs.join(reg, on="__other").with_columns(pl.col("owners").list.sort().list.join(", ").alias("owner_text"))
    traded = (
        pl.concat(
            [
                lines.select(pl.col("exporter_party").alias("party_id"), "value_usd", "source", "source_row"),
                lines.select(pl.col("importer_party").alias("party_id"), "value_usd", "source", "source_row"),
            ]
        )
        .group_by("party_id")
        .agg(pl.col("value_usd").sum().alias("traded"), _evidence())
    )
    facts = facts.join(traded, on="party_id", how="left").with_columns(
        pl.col("evidence").fill_null(pl.lit([], _EVIDENCE))
    )
    founded = facts.filter(pl.col("founded") >= invasion).select(
        "party_id",
        pl.lit("founded_after_invasion").alias("flag"),
        pl.format(
            "founded {}, {} days after {}",
            pl.col("founded"),
            (pl.col("founded") - pl.lit(invasion)).dt.total_days(),
            pl.lit(invasion.isoformat()),
        ).alias("detail"),
        (pl.col("founded") - pl.lit(invasion)).dt.total_days().cast(pl.Float64).alias("value"),
        "evidence",
    )
    turnover_value = pl.max_horizontal(pl.col("revenue_usd").fill_null(0.0), pl.col("traded").fill_null(0.0))
    tiny = facts.filter(pl.col("employees") < staff_below, turnover_value >= turnover).select(
        "party_id",
        pl.lit("tiny_staff_large_turnover").alias("flag"),
        pl.format(
            "{} employees, revenue {}, {} traded in the data",
            pl.col("employees"),
            _money(pl.col("revenue_usd").fill_null(0.0)),
            _money(pl.col("traded").fill_null(0.0)),
        ).alias("detail"),
        turnover_value.alias("value"),
        "evidence",
    )
    changed_date = facts.filter(pl.col("owners_changed") >= invasion).select(
        "party_id",
        pl.lit("recent_owner_change").alias("flag"),
        pl.format("owners changed {} (now: {})", pl.col("owners_changed"), pl.col("owner_text")).alias("detail"),
        (pl.col("owners_changed") - pl.lit(invasion)).dt.total_days().cast(pl.Float64).alias("value"),
        "evidence",
    )
    snapshots = (
        facts.group_by("party_id")
        .agg(pl.col("owner_text").unique().sort().alias("sets"), pl.col("evidence").first())
        .filter(pl.col("sets").list.len() > 1)
        .join(changed_date.select("party_id"), on="party_id", how="anti")
        .select(
            "party_id",
            pl.lit("recent_owner_change").alias("flag"),
            pl.format("registry rows name different owners: {}", pl.col("sets").list.join(" / ")).alias("detail"),
            pl.lit(None, pl.Float64).alias("value"),  # no date of the change is known
            "evidence",
        )
    )
    return pl.concat([founded, tiny, changed_date, snapshots]).unique(
        ["party_id", "flag"], keep="first", maintain_order=True
    )


def _sanction_flags(lines: pl.DataFrame, parties: pl.DataFrame, sanctioned: pl.DataFrame) -> pl.DataFrame:
    if {"query_id", "match_name"} <= set(sanctioned.columns):  # output of dualuse.screening.screen
        listed = sanctioned.select(
            pl.col("query_id").cast(pl.String).alias("party_id"),
            pl.format(
                "matches {} (score {})",
                pl.col("match_name"),
                pl.col("score").round(2) if "score" in sanctioned.columns else pl.lit("n/a"),
            ).alias("why"),
        )
    else:
        pairs = match_parties(parties, sanctioned)
        programs = pl.col("programs").list.join(", ") if "programs" in sanctioned.columns else pl.lit("", pl.String)
        entries = sanctioned.with_row_index("__other").select(
            "__other", pl.format("listed as {} ({})", pl.col("name"), programs).alias("why")
        )
        listed = pairs.join(entries, on="__other").select("party_id", "why")
    listed = listed.group_by("party_id").agg(pl.col("why").unique().sort().str.join("; "))
    sides = pl.concat(
        [
            lines.select(
                pl.col("exporter_party").alias("party_id"),
                pl.col("importer_party").alias("other"),
                "value_usd",
                "source",
                "source_row",
            ),
            lines.select(
                pl.col("importer_party").alias("party_id"),
                pl.col("exporter_party").alias("other"),
                "value_usd",
                "source",
                "source_row",
            ),
        ]
    ).filter(pl.col("party_id").is_not_null())
    own = (
        sides.join(listed, on="party_id")
        .group_by("party_id", "why")
        .agg(pl.col("value_usd").sum().alias("value"), _evidence())
        .select(
            "party_id", pl.lit("sanctioned_party").alias("flag"), pl.col("why").alias("detail"), "value", "evidence"
        )
    )
    names = parties.select(pl.col("party_id").alias("other"), pl.col("name").alias("other_name"))
    hop = (
        sides.join(listed.rename({"party_id": "other"}), on="other")
        .join(names, on="other", how="left")
        .group_by("party_id", "other", "other_name", "why")
        .agg(pl.len().alias("n"), pl.col("value_usd").sum().alias("value"), _evidence())
        .sort("party_id", "other")
        .with_columns(_money(pl.col("value")).alias("__money"))
        .group_by("party_id", maintain_order=True)
        .agg(
            pl.format(
                "{} {} ({}) with {}, {}",
                pl.col("n"),
                _shipments(pl.col("n")),
                pl.col("__money"),
                pl.col("other_name"),
                pl.col("why"),
            )
            .str.join("; ")
            .alias("detail"),
            pl.col("value").sum(),
            pl.col("evidence").list.explode().head(_MAX_EVIDENCE),
        )
        .select("party_id", pl.lit("sanctioned_counterparty").alias("flag"), "detail", "value", "evidence")
    )
    return pl.concat([own, hop])
