"""Mirror reconciliation: pair each exporter's report with the importer's report of the same flow.

Every flow between two countries is reported twice: the exporter reports an export (usually FOB,
free on board) and the importer reports an import (usually CIF, which adds cost, insurance and
freight). The two disagree; the gap is the signal. :func:`mirror` keeps both sides, the gap and the
ratio, removes the CIF/FOB margin, scores each reporter's reliability, and gives a reconciled value
with an interval. The margins and reliability scores are estimated on a pre-war **baseline** and
then frozen: post-2022 anomalies are measured against them, never absorbed into them.

How a pair is chosen (``pair_reports``):

1. Both sides are keyed by ``(freq, exporter, importer, hs_code, period)``: exporter reports are
   ``export`` and ``re-export`` rows (reporter = exporter), importer reports are ``import`` and
   ``re-import`` rows (reporter = importer). HS codes are converted to one HS version through the
   concordance and cut to six digits; rows with the same key are summed (their source rows kept).
2. Monthly data: an export in month *t* is paired with the import of month *t + lag*, ``lag`` = 0,
   1, ... ``max_lag_months`` (goods are recorded as imported after they leave). The nearest lag
   wins: all exact-month pairs are made first, then the remaining reports are paired at lag 1, then
   at lag 2. At a fixed lag each export month meets exactly one import month, so every report is
   used at most once and the result does not depend on row order. Annual data pair within the year.
3. Reports left unpaired are kept, with a status: ``ghost_export`` (exported, never recorded as
   imported, although the importer reported trade that year), ``ghost_import`` (the reverse),
   ``importer_silent`` / ``exporter_silent`` (the other country reported nothing that year, as
   Russia since 2022: no evidence either way).

Examples:
    >>> import datetime as dt, polars as pl
    >>> from dualuse.flows import mirror
    >>> flows = pl.DataFrame({"period": [dt.date(2021, 1, 1)] * 2, "freq": ["A", "A"],
    ...     "reporter": ["CN", "KZ"], "partner": ["KZ", "CN"], "flow": ["export", "import"],
    ...     "hs_code": ["880622", "880622"], "value_usd": [100.0, 110.0], "valuation": ["FOB", "CIF"],
    ...     "source": ["demo", "demo"], "source_row": [0, 1]})
    >>> out = mirror(flows)
    >>> out.select("exporter", "importer", "status", pl.col("importer_value_fob").round(6), "margin_basis").row(0)
    ('CN', 'KZ', 'matched', 100.0, 'default')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Literal

import polars as pl
import pyarrow as pa

from dualuse.errors import InputError, SchemaError
from dualuse.execution import Engine
from dualuse.execution.plan import wants_partitions
from dualuse.flows._periods import BASELINE_END, month_index
from dualuse.flows._prepare import EVIDENCE, distinct_text, harmonise, read_flows, sum_or_null
from dualuse.frames import delivers, stable_sum
from dualuse.geo import CountryGroup
from dualuse.geo import group as geo_group
from dualuse.hs import HSVersion
from dualuse.inputs import DateLike, as_country, as_date

__all__ = [
    "DEFAULT_MARGIN",
    "Margins",
    "apply_margins",
    "combine_group",
    "estimate_margins",
    "estimate_reliability",
    "mirror",
    "pair_reports",
    "reconcile",
]

DEFAULT_MARGIN = 1.1
"""CIF/FOB factor used when the baseline has too few pairs: the IMF *Direction of Trade
Statistics* convention that CIF import values are 10 % above FOB export values."""

Side = Literal["exporter", "importer"]
KEY = ["freq", "exporter", "importer", "hs_code"]
_ROWS = 2**40  # source_row limit: the rest of an Int64 evidence id numbers the source


@dataclass(frozen=True)
class _Codes:
    """Dictionaries that turn the text keys into one Int64 per flow: joins and groups on integers."""

    countries: pl.Series
    products: pl.Series
    sources: pl.Series
    ids: dict[str, pl.Series] = field(default_factory=dict)  # each side's evidence-id lists

    @classmethod
    def of(cls, flows: pl.DataFrame) -> _Codes:
        for column in ("reporter", "partner", "hs_code", "period", "freq", "source", "source_row"):
            nulls = flows.get_column(column).null_count()
            if nulls:
                raise SchemaError(f"flows: column {column} has {nulls} missing value(s); it is required")
        low, high = flows.select(pl.col("source_row").min().alias("low"), pl.col("source_row").max().alias("high")).row(
            0
        )
        if low is not None and (low < 0 or high >= _ROWS):
            raise SchemaError(f"flows: source_row must lie in [0, {_ROWS}), found {low} to {high}")
        freqs = set(flows.get_column("freq").unique().to_list()) - {"A", "M"}
        if freqs:
            raise SchemaError(f"flows: freq must be 'A' or 'M', found {sorted(freqs)!r}")
        countries = distinct_text(
            pl.concat([flows.get_column("reporter").unique(), flows.get_column("partner").unique()])
        )
        return cls(countries, distinct_text(flows.get_column("hs_code")), distinct_text(flows.get_column("source")))

    def evidence_id(self) -> pl.Expr:
        """(source, source_row) packed into one Int64: cheap to sort, carry and join."""
        return pl.col("source").cast(pl.Enum(self.sources)).to_physical().cast(pl.Int64) * _ROWS + pl.col(
            "source_row"
        ).cast(pl.Int64)

    def evidence(self, ids: pl.Series) -> pl.Series:
        """Lists of evidence ids back to lists of ``{source, source_row}`` (rebuilt through Arrow)."""
        array = ids.to_arrow()
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        flat = pl.Series(array.values, dtype=pl.Int64)
        inner = pl.DataFrame({"source": self.sources.gather(flat // _ROWS), "source_row": flat % _ROWS})
        rebuilt = pa.LargeListArray.from_arrays(array.offsets, inner.to_struct("evidence").to_arrow())
        return pl.Series(ids.name, rebuilt, dtype=pl.List(EVIDENCE))

    def key(self, exporter: str, importer: str) -> pl.Expr:
        """(exporter, importer, product, monthly?) packed into one Int64."""
        nc, nk = len(self.countries), len(self.products)
        country = pl.Enum(self.countries)
        code = (pl.col(exporter).cast(country).to_physical().cast(pl.Int64) * nc) + pl.col(importer).cast(
            country
        ).to_physical()
        code = code * nk + pl.col("hs_code").cast(pl.Enum(self.products)).to_physical()
        return code * 2 + (pl.col("freq") == "M").cast(pl.Int64)

    def decode(self) -> list[pl.Expr]:
        """The key's parts back as text columns."""
        nc, nk = len(self.countries), len(self.products)
        rest = pl.col("__k") // 2
        pair = rest // nk
        return [
            pl.when(pl.col("__k") % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("A")).alias("freq"),
            pl.lit(self.countries).gather(pair // nc).alias("exporter"),
            pl.lit(self.countries).gather(pair % nc).alias("importer"),
            pl.lit(self.products).gather(rest % nk).alias("hs_code"),
        ]


def _side(flows: pl.DataFrame, side: Side, codes: _Codes) -> tuple[pl.DataFrame, pl.Series]:
    """One side's reports summed per flow key and period, and their evidence-id lists.

    Rows are sorted by key, period and evidence first, so evidence lists never depend on input
    order; keys with a single report (the usual case) skip the group-by. The lists stay out of
    the frame (which carries a row number into them instead): joins then move only scalars.
    """
    kinds, again = (
        (("export", "re-export"), "re-export") if side == "exporter" else (("import", "re-import"), "re-import")
    )
    own, other = ("reporter", "partner") if side == "exporter" else ("partner", "reporter")
    period = "export_period" if side == "exporter" else "import_period"
    value, weight = f"{side}_value_usd", f"{side}_weight_kg"
    cif, repeat, evidence = f"{side}_cif_usd", f"{side}_{again.replace('-', '_')}_usd", f"{side}_evidence"
    rows = (
        flows.lazy()
        .filter(pl.col("flow").is_in(kinds))
        .select(
            codes.key(own, other).alias("__k"),
            month_index(pl.col("period")).alias("__m"),
            pl.col("period").alias(period),
            pl.col("value_usd").cast(pl.Float64).alias(value),
            pl.when(pl.col("valuation") == "CIF").then(pl.col("value_usd")).otherwise(0.0).cast(pl.Float64).alias(cif),
            pl.when(pl.col("flow") == again).then(pl.col("value_usd")).otherwise(0.0).cast(pl.Float64).alias(repeat),
            pl.col("net_weight_kg").cast(pl.Float64).alias(weight),
            codes.evidence_id().alias(evidence),
        )
        .sort("__k", "__m", evidence)
        .collect()
    )
    same_prev = (pl.col("__k") == pl.col("__k").shift(1)) & (pl.col("__m") == pl.col("__m").shift(1))
    same_next = (pl.col("__k") == pl.col("__k").shift(-1)) & (pl.col("__m") == pl.col("__m").shift(-1))
    shared = rows.select((same_prev | same_next).fill_null(False)).to_series()
    if not shared.any():  # one report per key, as in BACI: no copy, no group-by
        summed = rows.with_columns(pl.concat_list(evidence).alias(evidence))
        return summed.drop(evidence).with_row_index(evidence), summed.get_column(evidence)
    single = rows.filter(~shared).with_columns(pl.concat_list(evidence).alias(evidence))
    several = (
        rows.filter(shared)
        .group_by("__k", "__m", maintain_order=True)
        .agg(
            pl.col(period).first(),
            sum_or_null(pl.col(value)).alias(value),
            stable_sum(pl.col(cif)),
            stable_sum(pl.col(repeat)),
            sum_or_null(pl.col(weight)).alias(weight),
            pl.col(evidence),
        )
    )
    summed = pl.concat([single, several.select(single.columns)])
    return summed.drop(evidence).with_row_index(evidence), summed.get_column(evidence)


@delivers
def pair_reports(
    flows: object,
    *,
    max_lag_months: int = 2,
    hs_version: HSVersion | str = HSVersion.HS2022,
    product_digits: int = 2,
) -> pl.DataFrame:
    """Pair exporter reports with importer reports of the same flow; keep the unpaired, with a status.

    One row per pair or unpaired report: the flow key, ``period`` (the export's, or the import's
    when unpaired), ``export_period``, ``import_period``, ``lag_months``, ``product_group`` (the first
    ``product_digits`` digits), then for each side its value, the part valued CIF, the re-export
    (re-import) part, net weight and ``evidence`` (list of ``{source, source_row}``), and
    ``status``. See the module docs for how a pair is chosen.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> m = lambda k: dt.date(2023, k, 1)
        >>> flows = pl.DataFrame({"period": [m(1), m(3), m(2)], "freq": ["M"] * 3,
        ...     "reporter": ["CN", "KZ", "KZ"], "partner": ["KZ", "CN", "CN"], "flow": ["export", "import", "import"],
        ...     "hs_code": ["854231"] * 3, "value_usd": [10.0, 11.0, 4.0], "source": ["s"] * 3, "source_row": [0, 1, 2]})
        >>> pair_reports(flows).select("export_period", "import_period", "lag_months", "status").rows()
        [(datetime.date(2023, 1, 1), datetime.date(2023, 2, 1), 1, 'matched'), (None, datetime.date(2023, 3, 1), None, 'ghost_import')]
    """
    pairs, codes = _pair(
        flows, what="pair_reports", max_lag_months=max_lag_months, hs_version=hs_version, product_digits=product_digits
    )
    return _decode_evidence(pairs, codes)


_DECODE_ROWS = 1 << 20
"""Rows whose evidence is decoded at a time (see :func:`_decode_evidence`)."""


def _decode_evidence(frame: pl.DataFrame, codes: _Codes) -> pl.DataFrame:
    """Replace each side's row numbers by its list of ``{source, source_row}``.

    Each side's id lists are dropped from ``codes`` once used: this runs once, last, at the peak.
    Rows are decoded a million at a time into the chunks of one column: decoding 11 M rows at once
    held the ids, the source names, the row numbers and two Arrow copies together, 2 GB above
    the result (the peak of a BACI-sized mirror); slices keep that to a tenth.
    """
    empty = pl.lit([], pl.List(pl.Int64))
    columns = []
    for side in ("exporter", "importer"):
        name = f"{side}_evidence"
        lists, rows = codes.ids.pop(side), frame.get_column(name)
        parts = []
        for start in range(0, max(frame.height, 1), _DECODE_ROWS):
            ids = pl.select(lists.gather(rows.slice(start, _DECODE_ROWS)).fill_null(empty)).to_series()
            parts.append(codes.evidence(ids))
        del lists
        columns.append(pl.concat(parts, rechunk=False).alias(name))
    return frame.with_columns(columns)


def _pair(
    flows: object, *, what: str, max_lag_months: int, hs_version: HSVersion | str, product_digits: int
) -> tuple[pl.DataFrame, _Codes]:
    """:func:`pair_reports` with evidence still as Int64 ids (see :class:`_Codes`), sorted by
    ``period, exporter, importer, hs_code, freq``."""
    if max_lag_months < 0:
        raise InputError(f"{what}: max_lag_months must be 0 or more, not {max_lag_months}")
    prepared = harmonise(read_flows(flows, what=what, compact=True), hs_version)
    codes = _Codes.of(prepared)
    active = _reporting(prepared, codes)
    exports, codes.ids["exporter"] = _side(prepared, "exporter", codes)
    imports, codes.ids["importer"] = _side(prepared, "importer", codes)
    del prepared  # a lazy input was read into it: free it before the pairs are built
    export_columns, import_columns = exports.columns, imports.columns
    joined = _same_period(exports, imports)
    del exports, imports
    monthly = pl.col("__k") % 2 == 1
    if not max_lag_months or not joined.select(monthly.any()).item():
        combined = joined  # already in output order
    else:
        both = pl.col("lag_months").is_not_null()
        parts = [joined.filter(both | ~monthly)]
        rest = joined.filter(~both & monthly)
        left = rest.filter(pl.col("export_period").is_not_null()).select(export_columns)
        right = rest.filter(pl.col("import_period").is_not_null()).select(import_columns)
        for lag in range(1, max_lag_months + 1):  # then the nearest later month, each report used once
            if not left.height or not right.height:
                break
            lagged = (
                left.with_columns((pl.col("__m") + lag).alias("__mi"))
                .join(right.rename({"__m": "__mi"}), on=["__k", "__mi"], how="inner")
                .with_columns(pl.lit(lag, pl.Int32).alias("lag_months"))
            )
            parts.append(lagged.drop("__mi"))
            left = left.join(lagged.select("__k", "__m"), on=["__k", "__m"], how="anti")
            right = right.join(lagged.select("__k", pl.col("__mi").alias("__m")), on=["__k", "__m"], how="anti")
        combined = pl.concat([*parts, left, right], how="diagonal_relaxed").sort("__m", "__k")
    period = pl.coalesce("export_period", "import_period")
    combined = combined.drop("__m").with_columns(period.alias("period"))
    paired = _status(combined, active, codes, product_digits)
    return paired.with_columns(pl.lit(str(HSVersion.parse(hs_version))).alias("hs_version")), codes


def _same_period(exports: pl.DataFrame, imports: pl.DataFrame) -> pl.DataFrame:
    """Pair reports of the same key and period: a merge of the two sides sorted together.

    Each side has one row per (key, period), so after sorting by (period, key, side) an export
    is paired exactly when the next row is the import of the same key and period. This replaces a
    full join and leaves the rows in output order.
    """
    # Sort the keys alone, then gather each side's columns once: sorting the wide rows is slower.
    keys = pl.concat(
        [
            side.select("__k", "__m").with_row_index("__i").with_columns(pl.lit(number, pl.Int8).alias("__side"))
            for number, side in enumerate((exports, imports))
        ]
    ).sort("__m", "__k", "__side")
    pairs_next = (
        (pl.col("__side") == 0)
        & (pl.col("__side").shift(-1) == 1)
        & (pl.col("__k") == pl.col("__k").shift(-1))
        & (pl.col("__m") == pl.col("__m").shift(-1))
    ).fill_null(False)
    paired = pl.col("__pair")
    rows = (
        keys.with_columns(pairs_next.alias("__pair"))
        .with_columns(
            pl.when(pl.col("__side") == 0).then(pl.col("__i")).alias("__e"),
            pl.when(pl.col("__side") == 1).then(pl.col("__i")).when(paired).then(pl.col("__i").shift(-1)).alias("__x"),
            pl.when(paired).then(pl.lit(0, pl.Int32)).otherwise(pl.lit(None, pl.Int32)).alias("lag_months"),
        )
        .filter(~paired.shift(1, fill_value=False))  # the import row a pair has taken
    )
    return pl.concat(
        [
            rows.select("__k", "__m"),
            exports.drop("__k", "__m").select(pl.all().gather(rows.get_column("__e"))),
            imports.drop("__k", "__m").select(pl.all().gather(rows.get_column("__x"))),
            rows.select("lag_months"),
        ],
        how="horizontal",
    )


def _reporting(flows: pl.DataFrame, codes: _Codes) -> pl.Series:
    """(country, year) pairs that reported anything, one integer each: membership is a hash lookup."""
    country = pl.Enum(codes.countries)
    return (
        flows.select(
            pl.col("reporter").cast(country).to_physical().cast(pl.Int64) * 10_000 + pl.col("period").dt.year()
        )
        .unique()
        .to_series()
        .implode()
    )


def _status(combined: pl.DataFrame, active: pl.Series, codes: _Codes, product_digits: int) -> pl.DataFrame:
    """Name each row's status; a country 'reports' a year when it filed any flow in it (``active``,
    from :func:`_reporting`)."""
    nc, nk = len(codes.countries), len(codes.products)
    pair = pl.col("__k") // 2 // nk
    year = pl.col("period").dt.year().cast(pl.Int64)
    out = combined.with_columns(
        ((pair // nc) * 10_000 + year).is_in(active).alias("__exporter_active"),
        ((pair % nc) * 10_000 + year).is_in(active).alias("__importer_active"),
    )
    out = out.with_columns(*codes.decode()).with_columns(
        status_of(pl.col("__exporter_active"), pl.col("__importer_active")).alias("status"),
        pl.col("hs_code").str.slice(0, product_digits).alias("product_group"),
    )
    columns = [
        "period", *KEY, "product_group", "status", "export_period", "import_period", "lag_months",
        "exporter_value_usd", "exporter_cif_usd", "exporter_re_export_usd", "exporter_weight_kg",
        "importer_value_usd", "importer_cif_usd", "importer_re_import_usd", "importer_weight_kg",
        "exporter_evidence", "importer_evidence",
    ]  # fmt: skip
    return out.select(columns)


def status_of(exporter_active: pl.Expr, importer_active: pl.Expr) -> pl.Expr:
    """A row's status from which sides it has and whether each country reported anything that year."""
    has_export = pl.col("export_period").is_not_null()
    has_import = pl.col("import_period").is_not_null()
    return (
        pl.when(has_export & has_import)
        .then(pl.lit("matched"))
        .when(has_export)
        .then(pl.when(importer_active).then(pl.lit("ghost_export")).otherwise(pl.lit("importer_silent")))
        .otherwise(pl.when(exporter_active).then(pl.lit("ghost_import")).otherwise(pl.lit("exporter_silent")))
    )


def _in_baseline(start: DateLike | None, end: DateLike) -> pl.Expr:
    inside = pl.col("period") < as_date(end, "baseline_end")
    return inside if start is None else inside & (pl.col("period") >= as_date(start, "baseline_start"))


@dataclass(frozen=True)
class Margins:
    """CIF/FOB margins frozen on a baseline: per route and product group, per product group, default.

    ``route`` has ``exporter, importer, product_group, margin, n_pairs``; ``product`` has
    ``product_group, margin, n_pairs``; ``default`` is used where neither has enough pairs.
    A margin is the median ratio CIF import value / FOB export value over the baseline pairs,
    clipped to ``[1, max_margin]``: freight is never negative, and a median far above the cap says
    misreporting, not freight.
    """

    route: pl.DataFrame
    product: pl.DataFrame
    default: float = DEFAULT_MARGIN

    @classmethod
    def constant(cls, margin: float = DEFAULT_MARGIN) -> Margins:
        """The same margin everywhere (``Margins.constant(1.0)`` removes nothing).

        Examples:
            >>> Margins.constant(1.0).default, Margins.constant().route.height
            (1.0, 0)
        """
        if margin < 1:
            raise InputError(f"a CIF/FOB margin is at least 1, not {margin}")
        route = pl.DataFrame(
            schema={"exporter": pl.String, "importer": pl.String, "product_group": pl.String, "margin": pl.Float64,
                    "n_pairs": pl.UInt32}
        )  # fmt: skip
        product = pl.DataFrame(schema={"product_group": pl.String, "margin": pl.Float64, "n_pairs": pl.UInt32})
        return cls(route=route, product=product, default=margin)


def estimate_margins(
    pairs: pl.DataFrame,
    *,
    baseline_start: DateLike | None = None,
    baseline_end: DateLike = BASELINE_END,
    min_pairs: int = 3,
    default: float = DEFAULT_MARGIN,
    max_margin: float = 1.5,
) -> Margins:
    """Estimate CIF/FOB margins on the baseline pairs of :func:`pair_reports`, then freeze them.

    Only pairs where the importer's report is wholly CIF and the exporter's wholly not CIF, both
    positive, in ``[baseline_start, baseline_end)`` count. A route and product group needs
    ``min_pairs`` such pairs for its own margin; otherwise the product group's median over all
    routes is used (again with ``min_pairs``), otherwise ``default``.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> pairs = pl.DataFrame({"period": [dt.date(y, 1, 1) for y in (2019, 2020, 2021)],
        ...     "exporter": ["CN"] * 3, "importer": ["KZ"] * 3, "product_group": ["85"] * 3, "status": ["matched"] * 3,
        ...     "exporter_value_usd": [100.0] * 3, "exporter_cif_usd": [0.0] * 3,
        ...     "importer_value_usd": [104.0, 108.0, 112.0], "importer_cif_usd": [104.0, 108.0, 112.0]})
        >>> estimate_margins(pairs).route.select("margin", "n_pairs").row(0)
        (1.08, 3)
    """
    if not 1 <= default <= max_margin:
        raise InputError(f"default margin {default} must lie in [1, max_margin={max_margin}]")
    usable = pairs.filter(
        (pl.col("status") == "matched")
        & _in_baseline(baseline_start, baseline_end)
        & (pl.col("exporter_cif_usd") == 0)
        & (pl.col("importer_cif_usd") == pl.col("importer_value_usd"))
        & (pl.col("exporter_value_usd") > 0)
        & (pl.col("importer_value_usd") > 0)
    ).with_columns((pl.col("importer_value_usd") / pl.col("exporter_value_usd")).alias("__ratio"))

    def median_by(keys: list[str]) -> pl.DataFrame:
        return (
            usable.group_by(keys)
            .agg(pl.col("__ratio").median().clip(1.0, max_margin).alias("margin"), pl.len().alias("n_pairs"))
            .filter(pl.col("n_pairs") >= min_pairs)
            .sort(keys)
        )

    return Margins(
        route=median_by(["exporter", "importer", "product_group"]),
        product=median_by(["product_group"]),
        default=default,
    )


def apply_margins(pairs: pl.DataFrame, margins: Margins) -> pl.DataFrame:
    """Add ``cif_fob_margin``, ``margin_basis`` (route/product/default) and FOB values of both sides.

    The CIF part of a report is divided by the margin; the rest is kept as reported, so an
    adjusted value is never above the reported one (CIF >= FOB).

    Examples:
        >>> import polars as pl
        >>> pairs = pl.DataFrame({"exporter": ["CN"], "importer": ["KZ"], "product_group": ["85"],
        ...     "exporter_value_usd": [100.0], "exporter_cif_usd": [0.0],
        ...     "importer_value_usd": [125.0], "importer_cif_usd": [125.0]})
        >>> apply_margins(pairs, Margins.constant(1.25)).select("margin_basis", "importer_value_fob").row(0)
        ('default', 100.0)
    """
    route = margins.route.select("exporter", "importer", "product_group", pl.col("margin").alias("__route"))
    product = margins.product.select("product_group", pl.col("margin").alias("__product"))
    # Join the narrow key columns only (the margin tables have unique keys), then attach the result.
    found = (
        pairs.select("exporter", "importer", "product_group")
        .join(route, on=["exporter", "importer", "product_group"], how="left", maintain_order="left")
        .join(product, on="product_group", how="left", maintain_order="left")
    )
    out = pairs.with_columns(found.get_column("__route"), found.get_column("__product"))
    margin = pl.coalesce("__route", "__product", pl.lit(margins.default, pl.Float64))
    basis = (
        pl.when(pl.col("__route").is_not_null())
        .then(pl.lit("route"))
        .when(pl.col("__product").is_not_null())
        .then(pl.lit("product"))
        .otherwise(pl.lit("default"))
    )
    out = out.with_columns(margin.alias("cif_fob_margin"), basis.alias("margin_basis")).drop("__route", "__product")
    # Times the inverse, never divided: a margin that is the default everywhere is one number, and
    # polars divides a long column by a number through its inverse but a short one exactly, so a
    # division would depend on the frame's length (a partitioned run would differ in the last bit).
    inverse = 1.0 / pl.col("cif_fob_margin")
    return out.with_columns(
        *[
            (pl.col(f"{side}_value_usd") - pl.col(f"{side}_cif_usd") + pl.col(f"{side}_cif_usd") * inverse).alias(
                f"{side}_value_fob"
            )
            for side in ("exporter", "importer")
        ]
    )


def estimate_reliability(
    adjusted: pl.DataFrame,
    *,
    baseline_start: DateLike | None = None,
    baseline_end: DateLike = BASELINE_END,
    min_pairs: int = 3,
) -> pl.DataFrame:
    """Score each country's reliability as a reporter from its baseline mirror gaps, then freeze it.

    For every baseline pair with both FOB values positive, ``|ln(importer / exporter)|`` is charged
    to both countries; a country's ``median_abs_log_gap`` is the median over all its pairs (as
    exporter and as importer), and ``reliability = exp(-median_abs_log_gap)``, in (0, 1]: 1 means its
    reports agree with its partners'. Countries with fewer than ``min_pairs`` pairs are left out
    (:func:`reconcile` gives them its default). A country that disagrees with everybody scores low;
    one noisy partner does not sink it.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> pairs = pl.DataFrame({"period": [dt.date(2020, 1, 1)] * 4, "exporter": ["CN", "CN", "CN", "DE"],
        ...     "importer": ["KZ", "KG", "UZ", "KZ"], "status": ["matched"] * 4,
        ...     "exporter_value_fob": [100.0] * 4, "importer_value_fob": [100.0, 50.0, 100.0, 100.0]})
        >>> estimate_reliability(pairs, min_pairs=1).select("country", "reliability").rows()
        [('CN', 1.0), ('DE', 1.0), ('KG', 0.5), ('KZ', 1.0), ('UZ', 1.0)]
    """
    gaps = adjusted.filter(
        (pl.col("status") == "matched")
        & _in_baseline(baseline_start, baseline_end)
        & (pl.col("exporter_value_fob") > 0)
        & (pl.col("importer_value_fob") > 0)
    ).select(
        "exporter", "importer", (pl.col("importer_value_fob") / pl.col("exporter_value_fob")).log().abs().alias("gap")
    )
    charged = pl.concat(
        [
            gaps.select(pl.col("exporter").alias("country"), "gap"),
            gaps.select(pl.col("importer").alias("country"), "gap"),
        ]
    )
    return (
        charged.group_by("country")
        .agg(pl.col("gap").median().alias("median_abs_log_gap"), pl.len().alias("n_pairs"))
        .filter(pl.col("n_pairs") >= min_pairs)
        .with_columns((-pl.col("median_abs_log_gap")).exp().alias("reliability"))
        .select("country", "reliability", "median_abs_log_gap", "n_pairs")
        .sort("country")
    )


def reconcile(
    adjusted: pl.DataFrame,
    reliability: pl.DataFrame,
    *,
    default_reliability: float = 0.5,
    weight_tolerance: float = 1.5,
) -> pl.DataFrame:
    """Gaps, ratios, the reconciled value with its interval, and the net-weight check.

    - ``gap_usd`` = importer - exporter as reported; ``ratio`` = importer / exporter;
      ``gap_fob_usd`` and ``ratio_fob`` after the CIF/FOB margin.
    - ``reconciled_usd``: both sides -> reliability-weighted mean of the FOB values (so it lies
      between them); interval ``[min, max]`` of the two. One side -> that value; interval
      ``value * r`` to ``value / r`` with ``r`` its reporter's reliability (``r = exp(-typical
      gap)``, so the interval is the reporter's typical error either way).
    - Net weight: ``weight_ratio`` and ``reconciled_weight_kg`` (same weights);
      ``physical_check`` is ``consistent`` when the value ratio and the weight ratio agree within a
      factor ``weight_tolerance`` (a value gap that the weights do not show is a pricing or
      valuation question, not missing goods), else ``diverges``; null without both weights.

    Examples:
        >>> import polars as pl
        >>> adjusted = pl.DataFrame({"exporter": ["CN"], "importer": ["KZ"], "exporter_value_usd": [100.0],
        ...     "importer_value_usd": [143.0], "exporter_value_fob": [100.0], "importer_value_fob": [130.0],
        ...     "exporter_weight_kg": [10.0], "importer_weight_kg": [10.0]})
        >>> scores = pl.DataFrame({"country": ["CN", "KZ"], "reliability": [0.8, 0.4]})
        >>> reconcile(adjusted, scores).select(pl.col("reconciled_usd").round(6), "reconciled_low", "physical_check").row(0)
        (110.0, 100.0, 'consistent')
    """
    if not 0 < default_reliability <= 1:
        raise InputError(f"default_reliability must lie in (0, 1], not {default_reliability}")
    countries, scores = reliability.get_column("country"), reliability.get_column("reliability")
    out = adjusted.with_columns(
        pl.col(side)
        .replace_strict(countries, scores, default=default_reliability, return_dtype=pl.Float64)
        .alias(f"{side}_reliability")
        for side in ("exporter", "importer")
    )
    x, m = pl.col("exporter_value_fob"), pl.col("importer_value_fob")
    rx, rm = pl.col("exporter_reliability"), pl.col("importer_reliability")
    both = x.is_not_null() & m.is_not_null()
    low, high = pl.min_horizontal(x, m), pl.max_horizontal(x, m)
    weighted = ((rx * x + rm * m) / (rx + rm)).clip(low, high)
    one = pl.coalesce(x, m)
    one_r = pl.when(x.is_not_null()).then(rx).otherwise(rm)
    wx, wm = pl.col("exporter_weight_kg"), pl.col("importer_weight_kg")
    weight_ratio = pl.when(wx > 0).then(wm / wx)
    ratio_fob = pl.when(x > 0).then(m / x)
    divergence = (ratio_fob.log() - weight_ratio.log()).abs()
    return out.with_columns(
        (pl.col("importer_value_usd") - pl.col("exporter_value_usd")).alias("gap_usd"),
        pl.when(pl.col("exporter_value_usd") > 0)
        .then(pl.col("importer_value_usd") / pl.col("exporter_value_usd"))
        .alias("ratio"),
        (m - x).alias("gap_fob_usd"),
        ratio_fob.alias("ratio_fob"),
        pl.when(both).then(weighted).otherwise(one).alias("reconciled_usd"),
        pl.when(both).then(low).otherwise(one * one_r).alias("reconciled_low"),
        pl.when(both).then(high).otherwise(one / one_r).alias("reconciled_high"),
        weight_ratio.alias("weight_ratio"),
        pl.when(wx.is_not_null() & wm.is_not_null())
        .then(((rx * wx + rm * wm) / (rx + rm)).clip(pl.min_horizontal(wx, wm), pl.max_horizontal(wx, wm)))
        .otherwise(pl.coalesce(wx, wm))
        .alias("reconciled_weight_kg"),
        pl.when(divergence.is_not_null() & divergence.is_finite())
        .then(
            pl.when(divergence <= math.log(weight_tolerance)).then(pl.lit("consistent")).otherwise(pl.lit("diverges"))
        )
        .alias("physical_check"),
    ).select(c for c in _OUTPUT if c in out.columns or c in _RECONCILED)


_RECONCILED = {"gap_usd", "ratio", "gap_fob_usd", "ratio_fob", "exporter_reliability", "importer_reliability",
               "reconciled_usd", "reconciled_low", "reconciled_high", "weight_ratio", "reconciled_weight_kg",
               "physical_check"}  # fmt: skip
_OUTPUT = [
    "period", "freq", "exporter", "importer", "hs_code", "hs_version", "product_group", "status",
    "export_period", "import_period", "lag_months",
    "exporter_value_usd", "importer_value_usd", "gap_usd", "ratio",
    "cif_fob_margin", "margin_basis", "exporter_value_fob", "importer_value_fob", "gap_fob_usd", "ratio_fob",
    "exporter_reliability", "importer_reliability", "reconciled_usd", "reconciled_low", "reconciled_high",
    "exporter_weight_kg", "importer_weight_kg", "weight_ratio", "reconciled_weight_kg", "physical_check",
    "exporter_cif_usd", "importer_cif_usd", "exporter_re_export_usd", "importer_re_import_usd",
    "exporter_evidence", "importer_evidence",
]  # fmt: skip


@delivers
def mirror(
    flows: object,
    *,
    max_lag_months: int = 2,
    hs_version: HSVersion | str = HSVersion.HS2022,
    product_digits: int = 2,
    baseline_start: DateLike | None = None,
    baseline_end: DateLike = BASELINE_END,
    min_pairs: int = 3,
    default_margin: float = DEFAULT_MARGIN,
    max_margin: float = 1.5,
    margins: Margins | None = None,
    reliability: pl.DataFrame | None = None,
    default_reliability: float = 0.5,
    weight_tolerance: float = 1.5,
    engine: Engine = None,
    partitions: int | None = None,
) -> pl.DataFrame:
    """Mirror-reconcile a canonical flows frame: pair, remove CIF/FOB, score reporters, reconcile.

    Runs :func:`pair_reports`, :func:`estimate_margins` (unless ``margins`` is given),
    :func:`apply_margins`, :func:`estimate_reliability` (unless ``reliability`` is given) and
    :func:`reconcile`. Pass ``margins``/``reliability`` estimated on another data set to apply
    frozen figures. One row per pair or unpaired report; every row names its evidence rows.
    ``flows`` may be lazy (``pl.scan_parquet(...)``): only the needed columns are then read, in
    compact form, and freed once paired, which is how a BACI-sized year fits in a few GB.
    ``engine`` (``"local"``, ``"ray"`` or an :class:`~dualuse.execution.Executor`) and
    ``partitions`` run it partitioned by ranges of HS chapters, and ``flows`` may then be a
    partitioned Parquet dataset read chunk by chunk (:mod:`dualuse.flows.partitioned`): the result
    is the same.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> flows = pl.DataFrame({"period": [dt.date(2023, 1, 1)] * 3, "freq": ["A"] * 3,
        ...     "reporter": ["CN", "KZ", "CN"], "partner": ["KZ", "CN", "KG"], "flow": ["export", "import", "export"],
        ...     "hs_code": ["880622"] * 3, "value_usd": [100.0, 80.0, 30.0], "source": ["s"] * 3, "source_row": [0, 1, 2]})
        >>> mirror(flows).select("importer", "status", "reconciled_usd", "reconciled_low", "reconciled_high").rows()
        [('KG', 'importer_silent', 30.0, 15.0, 60.0), ('KZ', 'matched', 90.0, 80.0, 100.0)]
    """
    if wants_partitions(flows, engine, partitions):
        from dualuse.flows.partitioned import mirror_partitioned

        options = dict(locals())
        return mirror_partitioned(flows, options, engine=engine, partitions=partitions)
    pairs, codes = _pair(
        flows, what="mirror", max_lag_months=max_lag_months, hs_version=hs_version, product_digits=product_digits
    )
    if margins is None:
        margins = estimate_margins(
            pairs,
            baseline_start=baseline_start,
            baseline_end=baseline_end,
            min_pairs=min_pairs,
            default=default_margin,
            max_margin=max_margin,
        )
    adjusted = apply_margins(pairs, margins)
    if reliability is None:
        reliability = estimate_reliability(
            adjusted, baseline_start=baseline_start, baseline_end=baseline_end, min_pairs=min_pairs
        )
    reconciled = reconcile(
        adjusted, reliability, default_reliability=default_reliability, weight_tolerance=weight_tolerance
    )
    del pairs, adjusted  # their columns that the result does not share go before the evidence is decoded
    return _decode_evidence(reconciled, codes)


@delivers
def combine_group(flows: object, group: str | CountryGroup | Collection[str], code: str | None = None) -> pl.DataFrame:
    """Report a group of countries as one (e.g. the EU as ``EU``), keeping every source row.

    ``group`` is a group name (``"eu"``), a :class:`~dualuse.geo.CountryGroup` or a set of codes.
    A group with dated membership counts a country only on the periods it was a member (the
    United Kingdom is in ``eu`` until January 2020). Member codes in ``reporter`` and ``partner``
    become ``code`` (default: ``EU`` for the EU, else required: use a user-assigned code such as
    ``QE``, which every reader accepts); trade between two members becomes ``code`` -> ``code``
    (kept, not dropped: filter it if you do not want it). The result is a canonical flows frame.

    Examples:
        >>> import datetime as dt, polars as pl
        >>> f = pl.DataFrame({"period": [dt.date(2019, 1, 1), dt.date(2021, 1, 1), dt.date(2021, 1, 1)],
        ...     "freq": ["A"] * 3, "reporter": ["GB", "GB", "DE"], "partner": ["KZ"] * 3, "flow": ["export"] * 3,
        ...     "hs_code": ["854231"] * 3, "value_usd": [1.0, 2.0, 3.0]})
        >>> combine_group(f, "eu").select("period", "reporter").rows()
        [(datetime.date(2019, 1, 1), 'EU'), (datetime.date(2021, 1, 1), 'GB'), (datetime.date(2021, 1, 1), 'EU')]
    """
    frame = read_flows(flows, what="combine_group")
    if isinstance(group, str):
        group = geo_group(group)
    member: Callable[[str], pl.Expr]
    if isinstance(group, CountryGroup):
        dated = group
        label = code or ("EU" if group.name in ("eu", "eu27") else None)

        def member(column: str) -> pl.Expr:
            return dated.is_member(pl.col(column), pl.col("period"))

    else:
        label = code
        names = sorted(group)

        def member(column: str) -> pl.Expr:
            return pl.col(column).is_in(names)

    if label is None:
        raise InputError("combine_group: give the code the group is reported as (e.g. a user-assigned code, QU)")
    label = as_country(label, "code", areas=True)
    return frame.with_columns(
        pl.when(member(c)).then(pl.lit(label)).otherwise(pl.col(c).cast(pl.String)).alias(c)
        for c in ("reporter", "partner")
    )
