"""A real-data mirror test: EU-27 exports to Kazakhstan and Kyrgyzstan against what they report importing.

Figures: published yearly totals, all goods, million EUR, as listed in ../shared/data/SOURCES.md
("Published yearly totals"): EU-27 exports as reported by Eurostat Comext; the partner's imports
from the EU-27 as reported by its national statistics office, converted from USD at flat annual
rates (about +-3 % FX error). The currency does not matter to a ratio.

The EU reports as one: it is represented by the group code ``EU`` (Eurostat publishes the
EU-27 total, not a member split); :func:`dualuse.flows.combine_group` builds the same from member
rows when you have them.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from dualuse.flows import mirror, mirror_findings

from .conftest import FlowsOf

# partner: {year: (EU-reported exports, partner-reported imports)}, million EUR.
PUBLISHED = {
    "KZ": {2019: (5917.3, 5976.2), 2020: (5910.9, 5721.2), 2021: (5487.1, 5054.2), 2022: (10347.7, 7627.5),
           2023: (12110.1, 9639.3)},
    "KG": {2019: (329.4, 280.3), 2020: (234.5, 227.8), 2021: (263.2, 245.3), 2022: (1170.9, 501.8),
           2023: (2733.8, 901.5)},
}  # fmt: skip


def _flows(flows_of: FlowsOf) -> pl.DataFrame:
    rows: list[tuple[object, ...]] = []
    for partner, years in PUBLISHED.items():
        for year, (exported, imported) in years.items():
            rows += [
                (year, "EU", partner, "export", "TOTAL", exported),
                (year, partner, "EU", "import", "TOTAL", imported),
            ]
    return flows_of(rows, source="SOURCES.md published totals")


def test_mirror_gap_opens_after_2021(flows_of: FlowsOf) -> None:
    out = mirror(_flows(flows_of))
    gap = out.select("importer", pl.col("period").dt.year().alias("year"), pl.col("ratio_fob").log().abs().alias("g"))
    for partner in PUBLISHED:
        mine = gap.filter(pl.col("importer") == partner)
        before = mine.filter(pl.col("year") <= 2021).get_column("g").max()
        after = mine.filter(pl.col("year") >= 2022).get_column("g").min()
        assert isinstance(before, float) and isinstance(after, float)
        assert after > 2 * before, partner
    # The baseline ratios are below 1 (the importers record less than the EU ships), so the
    # CIF/FOB margin is clipped to 1 and the ratios are the published ones: KZ 2022 = 7627.5 / 10347.7.
    kz_2022 = out.filter((pl.col("importer") == "KZ") & (pl.col("period").dt.year() == 2022)).row(0, named=True)
    assert (kz_2022["margin_basis"], kz_2022["cif_fob_margin"]) == ("route", 1.0)
    assert kz_2022["ratio_fob"] == pytest.approx(7627.5 / 10347.7)
    kg_2023 = out.filter((pl.col("importer") == "KG") & (pl.col("period").dt.year() == 2023)).row(0, named=True)
    assert kg_2023["ratio_fob"] == pytest.approx(901.5 / 2733.8)  # a third: two thirds unrecorded


def test_mirror_gap_findings_name_2022_and_2023_only(flows_of: FlowsOf) -> None:
    found = mirror_findings(mirror(_flows(flows_of)))
    years = sorted(
        (row["subject"], s["source_row"]) for row in found.iter_rows(named=True) for s in row["evidence"][:1]
    )
    assert found.get_column("kind").unique().to_list() == ["mirror_gap"]
    assert found.height == 4  # KZ and KG, 2022 and 2023
    assert [subject for subject, _ in years] == ["EU>KG TOTAL"] * 2 + ["EU>KZ TOTAL"] * 2
    kz = found.filter(pl.col("subject") == "EU>KZ TOTAL").get_column("score").to_list()
    # KZ: typical baseline |ln ratio| = median(ln 5917.3/5976.2, ln 5910.9/5721.2, ln 5487.1/5054.2).
    typical = sorted(abs(math.log(b / a)) for a, b in [(5917.3, 5976.2), (5910.9, 5721.2), (5487.1, 5054.2)])[1]
    assert min(kz) == pytest.approx(1 - math.exp(-(abs(math.log(9639.3 / 12110.1)) - typical)))
