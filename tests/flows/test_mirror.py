"""Mirror reconciliation: pairing, HS versions, CIF/FOB margins, reliability, reconciled values."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dualuse.errors import InputError, SchemaError
from dualuse.flows import Margins, combine_group, estimate_margins, mirror, pair_reports
from dualuse.geo import group

from .conftest import FlowsOf


def _month(m: int, year: int = 2023) -> dt.date:
    return dt.date(year, m, 1)


def test_monthly_pairs_take_the_nearest_lag_and_use_each_report_once(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (_month(1), "CN", "KZ", "export", "854231", 10.0),
            (_month(2), "CN", "KZ", "export", "854231", 20.0),
            (_month(2), "KZ", "CN", "import", "854231", 22.0),
            (_month(3), "KZ", "CN", "import", "854231", 11.0),
            (_month(9), "KZ", "CN", "import", "854231", 5.0),
        ],
        freq="M",
    )
    out = pair_reports(flows).select("export_period", "import_period", "lag_months", "status", "exporter_value_usd",
                                      "importer_value_usd")  # fmt: skip
    # Exact months pair first (Feb-Feb), then Jan meets Mar at lag 2; Sep is 7 months late: unpaired.
    assert out.rows() == [
        (_month(1), _month(3), 2, "matched", 10.0, 11.0),
        (_month(2), _month(2), 0, "matched", 20.0, 22.0),
        (None, _month(9), None, "ghost_import", None, 5.0),
    ]


def test_max_lag_zero_pairs_only_the_same_month(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [(_month(1), "CN", "KZ", "export", "854231", 10.0), (_month(2), "KZ", "CN", "import", "854231", 11.0)],
        freq="M",
    )
    assert pair_reports(flows, max_lag_months=0).get_column("status").to_list() == ["ghost_export", "ghost_import"]


def test_reports_of_the_same_flow_are_summed_with_all_their_evidence(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (2023, "CN", "KZ", "export", "85423100", 10.0),
            (2023, "CN", "KZ", "re-export", "854231", 5.0),
            (2023, "KZ", "CN", "import", "854231", 16.5),
        ]
    )
    row = mirror(flows).row(0, named=True)
    assert (row["exporter_value_usd"], row["exporter_re_export_usd"], row["importer_value_usd"]) == (15.0, 5.0, 16.5)
    assert [e["source_row"] for e in row["exporter_evidence"]] == [0, 1]
    assert row["importer_evidence"] == [{"source": "test", "source_row": 2}]


def test_hs2017_report_is_converted_before_pairing(flows_of: FlowsOf) -> None:
    # HS-2017 8541.50 became 8541.51 + 8541.59 in HS-2022: the export is split equally.
    flows = flows_of(
        [
            (2023, "CN", "KZ", "export", "854150", 100.0, "FOB", None, "HS2017"),
            (2023, "KZ", "CN", "import", "854151", 55.0),
            (2023, "KZ", "CN", "import", "854159", 55.0),
        ]
    )
    out = mirror(flows).select("hs_code", "hs_version", "status", "exporter_value_usd", "importer_value_usd")
    assert out.rows() == [("854151", "HS2022", "matched", 50.0, 55.0), ("854159", "HS2022", "matched", 50.0, 55.0)]


def test_lazy_input_from_parquet_gives_the_same_result(flows_of: FlowsOf, tmp_path: Path) -> None:
    # Monthly lags, a summed flow, an HS-2017 split and a baseline margin: all read lazily, in compact form.
    monthly = flows_of(
        [
            (_month(1), "CN", "KZ", "export", "854231", 10.0),
            (_month(1), "CN", "KZ", "re-export", "854231", 4.0),
            (_month(3), "KZ", "CN", "import", "854231", 15.0),
            (_month(2), "DE", "KZ", "export", "854150", 100.0, "FOB", 8.0, "HS2017"),
            (_month(2), "KZ", "DE", "import", "854151", 55.0, "CIF", 5.0),
            (_month(9), "KG", "CN", "import", "880622", 7.0),
        ],
        freq="M",
    )
    annual = _baseline_route(flows_of, [1.04, 1.06, 1.08], [(2023, "CN", "KZ", "export", "854231", 100.0)])
    flows = pl.concat([monthly, annual.with_columns(pl.col("source_row") + monthly.height)])
    path = tmp_path / "flows.parquet"
    flows.write_parquet(path)
    assert_frame_equal(mirror(pl.scan_parquet(path)), mirror(flows))
    assert_frame_equal(pair_reports(pl.scan_parquet(path)), pair_reports(flows))
    # Optional columns may be absent from a lazy input too.
    lean = flows.drop("net_weight_kg", "valuation", "hs_version", "quantity", "quantity_unit")
    assert_frame_equal(mirror(lean.lazy()), mirror(lean))


def test_evidence_decoded_in_slices_is_the_evidence_decoded_whole(
    flows_of: FlowsOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The evidence lists are built a slice of rows at a time (memory); the slices must not show."""
    import importlib

    mirror_module = importlib.import_module("dualuse.flows.mirror")
    rows: list[tuple[object, ...]] = []
    for i, code in enumerate(["854231", "854232", "880622", "940360", "010121"]):
        rows += [(2023, "CN", "KZ", "export", code, 10.0 + i), (2023, "CN", "KZ", "re-export", code, 1.0)]
        rows += [(2023, "KZ", "CN", "import", code, 12.0 + i)] if i % 2 else []
    flows = flows_of(rows)
    whole = mirror(flows)
    monkeypatch.setattr(mirror_module, "_DECODE_ROWS", 2)
    sliced = mirror(flows)
    assert_frame_equal(sliced, whole)
    assert sliced.get_column("exporter_evidence").n_chunks() == 3  # five rows, two at a time
    assert [len(e) for e in sliced["exporter_evidence"]] == [2] * 5


def _baseline_route(
    flows_of: FlowsOf, ratios: list[float], extra: list[tuple[object, ...]] | None = None
) -> pl.DataFrame:
    rows: list[tuple[object, ...]] = []
    for year, ratio in zip((2019, 2020, 2021), ratios, strict=True):
        rows += [(year, "CN", "KZ", "export", "854231", 100.0), (year, "KZ", "CN", "import", "854231", 100.0 * ratio)]
    return flows_of(rows + (extra or []))


def test_cif_fob_margin_is_estimated_per_route_on_the_baseline_and_frozen(flows_of: FlowsOf) -> None:
    # 2023: the importer reports twice the export; the margin stays the baseline median 1.06.
    flows = _baseline_route(
        flows_of,
        [1.04, 1.06, 1.08],
        [(2023, "CN", "KZ", "export", "854231", 200.0), (2023, "KZ", "CN", "import", "854231", 424.0)],
    )
    out = mirror(flows).filter(pl.col("period").dt.year() == 2023).row(0, named=True)
    assert out["margin_basis"] == "route"
    assert out["cif_fob_margin"] == pytest.approx(1.06)
    assert out["importer_value_fob"] == pytest.approx(400.0)  # 424 / 1.06
    assert out["ratio"] == pytest.approx(2.12)
    assert out["ratio_fob"] == pytest.approx(2.0)
    assert out["gap_fob_usd"] == pytest.approx(200.0)


def test_margin_falls_back_to_the_product_group_then_the_default(flows_of: FlowsOf) -> None:
    flows = _baseline_route(
        flows_of,
        [1.04, 1.06, 1.08],
        [
            (2023, "CN", "KG", "export", "854232", 100.0),  # same chapter 85, new route: product basis
            (2023, "KG", "CN", "import", "854232", 106.0),
            (2023, "CN", "KG", "export", "880622", 100.0),  # chapter 88: nothing to learn from, default 1.1
            (2023, "KG", "CN", "import", "880622", 110.0),
        ],
    )
    out = mirror(flows).filter(pl.col("importer") == "KG").select("hs_code", "margin_basis", "cif_fob_margin")
    assert out.rows() == [("854232", "product", pytest.approx(1.06)), ("880622", "default", 1.1)]


def test_margin_below_one_is_clipped_so_cif_never_falls_under_fob(flows_of: FlowsOf) -> None:
    margins = estimate_margins(pair_reports(_baseline_route(flows_of, [0.9, 0.95, 0.97])))
    assert margins.route.get_column("margin").to_list() == [1.0]


def test_reliability_is_frozen_on_the_baseline_and_weights_the_reconciled_value(flows_of: FlowsOf) -> None:
    # Baseline: KZ and CN agree (FOB on both sides, so no margin); 2023 the gap opens but scores stay 1.
    rows: list[tuple[object, ...]] = []
    for year in (2019, 2020, 2021):
        rows += [(year, "CN", "KZ", "export", "854231", 100.0), (year, "KZ", "CN", "import", "854231", 100.0, "FOB")]
    rows += [(2023, "CN", "KZ", "export", "854231", 300.0), (2023, "KZ", "CN", "import", "854231", 100.0, "FOB")]
    out = mirror(flows_of(rows)).filter(pl.col("period").dt.year() == 2023).row(0, named=True)
    assert (out["exporter_reliability"], out["importer_reliability"]) == (1.0, 1.0)
    assert (out["reconciled_usd"], out["reconciled_low"], out["reconciled_high"]) == (200.0, 100.0, 300.0)


def test_reconciled_value_with_given_reliability_by_hand(flows_of: FlowsOf) -> None:
    flows = flows_of([(2023, "CN", "KZ", "export", "854231", 100.0), (2023, "KZ", "CN", "import", "854231", 143.0)])
    scores = pl.DataFrame({"country": ["CN", "KZ"], "reliability": [0.8, 0.4]})
    row = mirror(flows, margins=Margins.constant(1.1), reliability=scores).row(0, named=True)
    # FOB import = 143 / 1.1 = 130; reconciled = (0.8 * 100 + 0.4 * 130) / 1.2 = 110.
    assert row["importer_value_fob"] == pytest.approx(130.0)
    assert row["reconciled_usd"] == pytest.approx(110.0)
    assert (row["reconciled_low"], row["reconciled_high"]) == (100.0, pytest.approx(130.0))


def test_one_sided_interval_is_the_reporters_typical_error(flows_of: FlowsOf) -> None:
    flows = flows_of([(2023, "CN", "RU", "export", "854231", 100.0), (2023, "CN", "KZ", "export", "854231", 1.0)])
    scores = pl.DataFrame({"country": ["CN"], "reliability": [0.8]})
    row = mirror(flows, reliability=scores).filter(pl.col("importer") == "RU").row(0, named=True)
    assert row["status"] == "importer_silent"  # RU reported nothing that year: not a ghost
    assert (row["reconciled_usd"], row["reconciled_low"], row["reconciled_high"]) == (100.0, 80.0, 125.0)


def test_ghost_exports_need_an_importer_that_reports(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (2023, "CN", "KZ", "export", "854231", 100.0),
            (2023, "KZ", "CN", "import", "880622", 7.0),  # KZ reports, but not the chips
            (2023, "CN", "RU", "export", "854231", 50.0),  # RU reports nothing at all
        ]
    )
    out = mirror(flows).select("importer", "hs_code", "status").rows()
    assert out == [
        ("KZ", "854231", "ghost_export"),
        ("KZ", "880622", "ghost_import"),
        ("RU", "854231", "importer_silent"),
    ]


def test_net_weight_is_reconciled_and_checks_the_value_gap(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (2023, "CN", "KZ", "export", "854231", 100.0, "FOB", 10.0),
            (2023, "KZ", "CN", "import", "854231", 200.0, "FOB", 10.5),  # value doubles, weight does not
            (2023, "CN", "KG", "export", "854231", 100.0, "FOB", 10.0),
            (2023, "KG", "CN", "import", "854231", 200.0, "FOB", 20.0),  # both double: more goods
        ]
    )
    scores = pl.DataFrame({"country": ["CN", "KG", "KZ"], "reliability": [0.5, 0.5, 0.5]})
    out = mirror(flows, reliability=scores).select("importer", "weight_ratio", "reconciled_weight_kg", "physical_check")
    assert out.rows() == [("KG", 2.0, 15.0, "consistent"), ("KZ", 1.05, 10.25, "diverges")]


def test_totals_are_conserved_when_nothing_is_adjusted(flows_of: FlowsOf) -> None:
    flows = flows_of(
        [
            (2021, "CN", "KZ", "export", "854231", 10.0),
            (2021, "KZ", "CN", "import", "854231", 12.0),
            (2022, "CN", "KZ", "export", "854231", 20.0),
            (2023, "KZ", "CN", "import", "880622", 7.0),
        ]
    )
    out = mirror(flows, margins=Margins.constant(1.0))
    assert out.get_column("exporter_value_fob").sum() == 30.0
    assert out.get_column("importer_value_fob").sum() == 19.0


def test_missing_columns_and_bad_rows_are_typed_errors(flows_of: FlowsOf) -> None:
    flows = flows_of([(2023, "CN", "KZ", "export", "854231", 10.0)])
    with pytest.raises(SchemaError, match=r"missing required column.*reporter"):
        mirror(flows.drop("reporter"))
    # a table without provenance gets it from its row numbers: the result names them
    assert mirror(flows.drop("source", "source_row"))["exporter_evidence"].to_list() == [
        [{"source": "input", "source_row": 0}]
    ]
    with pytest.raises(SchemaError, match="source_row must lie"):
        mirror(flows.with_columns(pl.lit(-1, pl.Int64).alias("source_row")))
    with pytest.raises(InputError, match="row 0, column reporter: mirror: reporter is required"):
        mirror(flows.with_columns(pl.lit(None, pl.String).alias("reporter")))
    with pytest.raises(InputError, match="column freq: mirror: not a frequency"):
        mirror(flows.with_columns(pl.lit("Q").alias("freq")))
    with pytest.raises(InputError, match="max_lag_months"):
        mirror(flows, max_lag_months=-1)


def test_empty_input_gives_an_empty_result(flows_of: FlowsOf) -> None:
    out = mirror(flows_of([]))
    assert out.height == 0
    assert "reconciled_usd" in out.columns


def test_combine_group_reports_member_states_as_one(flows_of: FlowsOf) -> None:
    flows = flows_of([(2023, "DE", "KZ", "export", "854231", 1.0), (2023, "FR", "KZ", "export", "854231", 2.0),
                      (2023, "KZ", "DE", "import", "854231", 4.0)])  # fmt: skip
    combined = combine_group(flows, group("eu27").members, "EU")
    assert combined.select("reporter", "partner", "value_usd").rows() == [
        ("EU", "KZ", 1.0), ("EU", "KZ", 2.0), ("KZ", "EU", 4.0)
    ]  # fmt: skip
    # membership by date: the United Kingdom counts as the EU only before February 2020
    uk = flows_of([(2019, "GB", "KZ", "export", "854231", 1.0), (2021, "GB", "KZ", "export", "854231", 2.0)])
    assert combine_group(uk, "eu")["reporter"].to_list() == ["EU", "GB"]
    with pytest.raises(InputError, match="give the code"):
        combine_group(uk, "eaeu")
    assert combine_group(uk, "eaeu", "QU").height == 2


def test_reliability_is_exp_of_minus_median_gap(flows_of: FlowsOf) -> None:
    rows: list[tuple[object, ...]] = []
    for year, imported in zip((2019, 2020, 2021), (100.0, 200.0, 100.0), strict=True):
        rows += [(year, "CN", "KZ", "export", "854231", 100.0), (year, "KZ", "CN", "import", "854231", imported, "FOB")]
    out = mirror(flows_of(rows))
    # Gaps |ln(m/x)| = 0, ln 2, 0: median 0 -> reliability 1 for both.
    assert out.get_column("exporter_reliability").unique().to_list() == [1.0]
    rows[3] = (2020, "KZ", "CN", "import", "854231", 200.0, "FOB")
    rows[5] = (2021, "KZ", "CN", "import", "854231", 400.0, "FOB")
    assert mirror(flows_of(rows)).get_column("importer_reliability").unique().to_list() == [pytest.approx(0.5)]
    assert math.isclose(math.exp(-math.log(2)), 0.5)
