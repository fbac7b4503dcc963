"""Seeded synthetic trade statistics: both reports of the same flows, as a canonical flows frame.

Each true flow (exporter, importer, HS6, period, FOB value) is reported twice, the way official
statistics disagree:

- the exporter reports FOB value with its own noise; a few exporters under-report systematically;
- the importer reports CIF value: the FOB value times a freight margin that depends on the route
  and the HS chapter (1.02 to 1.20), with its own noise;
- net weight follows from a unit value per product, reported with noise on each side;
- monthly data: the import is recorded 0, 1 or 2 months after the export;
- some exports are never recorded as imports ("ghost exports") and some imports have no export
  report; a share of exporter reports are re-exports.

Everything is vectorised with numpy and polars, so a BACI-sized year (about 11 million flows,
22 million reports) takes seconds. The same ``seed`` always gives the same frame.

Examples:
    >>> from dualuse.synth.flows import generate_flows
    >>> frame = generate_flows(n_flows=1_000, seed=7)
    >>> frame.group_by("flow").len().sort("flow").rows()
    [('export', 959), ('import', 971), ('re-export', 12)]
    >>> generate_flows(n_flows=1_000, seed=7).equals(frame)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
import polars as pl
import pycountry

from dualuse.hs.concordance import conversion_table
from dualuse.schema import polars_schema

__all__ = ["generate_flows", "synthetic_countries", "synthetic_products"]

_SPECIAL = {"AQ", "BV", "HM", "TF", "UM", "IO", "GS"}  # uninhabited: no trade statistics


@cache
def synthetic_countries() -> tuple[str, ...]:
    """The ISO alpha-2 codes the generator draws from (inhabited countries and territories, sorted).

    Examples:
        >>> "KZ" in synthetic_countries(), "AQ" in synthetic_countries()
        (True, False)
    """
    return tuple(sorted(c.alpha_2 for c in pycountry.countries if c.alpha_2 not in _SPECIAL))


@cache
def synthetic_products() -> tuple[str, ...]:
    """The HS-2022 subheadings the generator draws from.

    Examples:
        >>> "880622" in synthetic_products(), all(len(c) == 6 for c in synthetic_products())
        (True, True)
    """
    return tuple(sorted({src for src, _, _ in conversion_table("HS2022", "HS2022")}))


def _unique_keys(
    rng: np.random.Generator, n: int, country_weights: np.ndarray, n_products: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` distinct (exporter, importer, product) triples, exporter != importer."""
    n_countries = country_weights.size
    space = n_countries * n_countries * n_products
    if n > 0.5 * space:
        raise ValueError(f"n_flows={n} is too many for {n_countries} countries x {n_products} products")
    keys = np.empty(0, dtype=np.int64)
    while keys.size < n:
        draw = int((n - keys.size) * 1.2) + 16
        e = rng.choice(n_countries, size=draw, p=country_weights)
        i = rng.choice(n_countries, size=draw, p=country_weights)
        k = rng.integers(0, n_products, size=draw)
        fresh = ((e.astype(np.int64) * n_countries + i) * n_products + k)[e != i]
        keys = np.unique(np.concatenate([keys, fresh]))
    keys = rng.permutation(keys)[:n]
    keys.sort()
    pair, product = np.divmod(keys, n_products)
    exporter, importer = np.divmod(pair, n_countries)
    return exporter, importer, product


def generate_flows(
    *,
    n_flows: int = 10_000,
    years: Sequence[int] = (2023,),
    freq: Literal["A", "M"] = "A",
    n_countries: int | None = None,
    n_products: int | None = None,
    ghost_share: float = 0.03,
    import_only_share: float = 0.03,
    re_export_share: float = 0.02,
    noise: float = 0.1,
    source: str = "synth:flows",
    seed: int = 0,
) -> pl.DataFrame:
    """Exporter and importer reports of ``n_flows`` flows per year, as a canonical flows frame.

    The same flow keys recur every year (values drift), so baselines and surges can be studied;
    with ``freq="M"`` each flow is given one month per year. ``noise`` is the typical log error of
    a reliable reporter (each country gets between 1/2 and 4 times it). ``source_row`` numbers the
    rows from 0, in the frame's order. Rows: about ``2 * n_flows * len(years)``.

    Examples:
        >>> f = generate_flows(n_flows=200, years=(2021, 2022), freq="M", seed=1)
        >>> f.select(pl.col("period").dt.year().min(), pl.col("freq").unique().item()).row(0)
        (2021, 'M')
    """
    for name, share in (("ghost_share", ghost_share), ("import_only_share", import_only_share)):
        if not 0 <= share < 0.5:
            raise ValueError(f"{name} must lie in [0, 0.5), not {share}")
    rng = np.random.default_rng(seed)
    countries = np.array(synthetic_countries()[: n_countries or None])
    products = np.array(synthetic_products()[: n_products or None])
    nc, nk = countries.size, products.size
    weights = 1.0 / np.arange(1, nc + 1) ** 0.8  # a few large traders, a long tail
    exporter, importer, product = _unique_keys(rng, n_flows, weights / weights.sum(), nk)
    chapter = np.char.ljust(products, 2).astype("U2").astype(np.int64)

    # Per-country and per-route traits, drawn once: who is noisy, who under-reports, freight margins.
    sigma = noise * rng.uniform(0.5, 4.0, size=nc)
    bias = np.where(rng.random(nc) < 0.05, 0.7, 1.0)
    route_margin = rng.uniform(1.02, 1.17, size=(nc, nc))
    chapter_margin = rng.uniform(0.0, 0.03, size=100)
    unit_value = np.exp(rng.normal(2.5, 1.5, size=nk))  # USD per kg
    base = np.exp(rng.normal(10.0, 2.5, size=n_flows))
    month = rng.integers(0, 12, size=n_flows)
    lag = rng.choice(3, size=n_flows, p=[0.6, 0.3, 0.1])
    fate = rng.random(n_flows)
    has_import = fate >= ghost_share
    has_export = fate < 1 - import_only_share
    re_export = rng.random(n_flows) < re_export_share

    parts = []
    for number, year in enumerate(years):
        value = base * np.exp(rng.normal(0.03 * number, 0.2, size=n_flows))
        weight = value / unit_value[product]
        start = year * 12 + (month if freq == "M" else np.zeros_like(month))
        margin = route_margin[exporter, importer] + chapter_margin[chapter[product]]
        for side in ("export", "import"):
            mask = has_export if side == "export" else has_import
            who = exporter if side == "export" else importer
            n = int(mask.sum())
            error = np.exp(rng.normal(0.0, sigma[who[mask]], size=n))
            reported = value[mask] * error * (bias[who[mask]] if side == "export" else margin[mask])
            shift = lag[mask] if (side == "import" and freq == "M") else 0
            index = start[mask] + shift
            flow = np.where(re_export[mask], "re-export", "export") if side == "export" else np.full(n, "import")
            parts.append(
                pl.DataFrame(
                    {
                        "__index": index.astype(np.int32),
                        "reporter": countries[who[mask]],
                        "partner": countries[(importer if side == "export" else exporter)[mask]],
                        "flow": flow,
                        "hs_code": products[product[mask]],
                        "value_usd": np.round(reported, 2),
                        "valuation": "FOB" if side == "export" else "CIF",
                        "net_weight_kg": np.round(weight[mask] * np.exp(rng.normal(0.0, noise, size=n)), 1),
                    }
                )
            )
    frame = pl.concat(parts).with_row_index("source_row")
    schema = polars_schema("flows")
    return frame.select(
        pl.date(pl.col("__index") // 12, pl.col("__index") % 12 + 1, 1).alias("period"),
        pl.lit(freq).alias("freq"),
        "reporter",
        "partner",
        "flow",
        "hs_code",
        pl.lit("HS2022").alias("hs_version"),
        "value_usd",
        "valuation",
        "net_weight_kg",
        pl.lit(None, schema["quantity"]).alias("quantity"),
        pl.lit(None, schema["quantity_unit"]).alias("quantity_unit"),
        pl.lit(source).alias("source"),
        pl.col("source_row").cast(pl.Int64),
    )
