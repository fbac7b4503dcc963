"""Invariants of mirror and hubs, checked on generated flows (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.flows import Margins, hubs, mirror, surge

from .conftest import build

COUNTRIES = ["CN", "KZ", "KG", "RU"]
CODES = ["854231", "880622"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

value = st.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False)
report = st.tuples(
    st.sampled_from([2019, 2020, 2021, 2023]),
    st.sampled_from(COUNTRIES),
    st.sampled_from(COUNTRIES),
    st.sampled_from(["export", "import"]),
    st.sampled_from(CODES),
    value,
    st.sampled_from(["CIF", "FOB"]),
    st.one_of(st.none(), value),
).filter(lambda r: r[1] != r[2])
reports = st.lists(report, min_size=1, max_size=30)

SWAPPED = {
    "exporter": "importer",
    "export_period": "import_period",
    "exporter_value_usd": "importer_value_usd",
    "exporter_value_fob": "importer_value_fob",
    "exporter_cif_usd": "importer_cif_usd",
    "exporter_weight_kg": "importer_weight_kg",
    "exporter_reliability": "importer_reliability",
    "exporter_evidence": "importer_evidence",
}
STATUS = {"ghost_export": "ghost_import", "importer_silent": "exporter_silent"}


def _swap_names(frame: pl.DataFrame) -> pl.DataFrame:
    both = SWAPPED | {v: k for k, v in SWAPPED.items()}
    status = STATUS | {v: k for k, v in STATUS.items()}
    return frame.rename(both).with_columns(pl.col("status").replace(status))


@SETTINGS
@given(reports)
def test_swapping_the_two_reports_swaps_the_columns_and_nothing_else(rows: list[tuple[Any, ...]]) -> None:
    # Every export report becomes an import report of the same figures and vice versa (FOB on both
    # sides, so no margin applies): the output mirrors, row for row.
    fob = [(*r[:6], "FOB", r[7]) for r in rows]
    swapped = [(*r[:3], "import" if r[3] == "export" else "export", *r[4:]) for r in fob]
    kept = [*SWAPPED, *SWAPPED.values(), "period", "hs_code", "status", "lag_months", "reconciled_usd",
            "reconciled_low", "reconciled_high", "reconciled_weight_kg", "cif_fob_margin"]  # fmt: skip
    order = ["period", "exporter", "importer", "hs_code"]
    original = mirror(build(fob)).select(*kept, "gap_usd", "ratio").sort(order)
    mirrored = _swap_names(mirror(build(swapped)).select(*kept, "gap_usd", "ratio")).sort(order)
    assert original.drop("gap_usd", "ratio").select(kept).equals(mirrored.select(kept))
    assert original.get_column("gap_usd").equals(-mirrored.get_column("gap_usd"))
    ratios = original.select("ratio").with_columns(mirrored.get_column("ratio").alias("swapped")).drop_nulls()
    assert all(abs(a * b - 1) < 1e-9 for a, b in ratios.rows())


@SETTINGS
@given(reports)
def test_reconciled_lies_between_the_reports_and_cif_is_never_below_fob(rows: list[tuple[Any, ...]]) -> None:
    out = mirror(build(rows))
    both = out.filter(pl.col("status") == "matched")
    for r in both.iter_rows(named=True):
        low, high = sorted((r["exporter_value_fob"], r["importer_value_fob"]))
        assert low <= r["reconciled_usd"] <= high
        assert (r["reconciled_low"], r["reconciled_high"]) == (low, high)
    for side in ("exporter", "importer"):
        adjusted = out.select(pl.col(f"{side}_value_fob") <= pl.col(f"{side}_value_usd") * (1 + 1e-12)).to_series()
        assert adjusted.drop_nulls().all()
    lowest = out.get_column("cif_fob_margin").min()
    assert isinstance(lowest, float)
    assert lowest >= 1.0


@SETTINGS
@given(reports)
def test_totals_are_conserved_when_nothing_is_adjusted(rows: list[tuple[Any, ...]]) -> None:
    flows = build(rows)
    out = mirror(flows, margins=Margins.constant(1.0))
    exported = float(flows.filter(pl.col("flow") == "export").get_column("value_usd").sum())
    imported = float(flows.filter(pl.col("flow") == "import").get_column("value_usd").sum())
    assert abs(float(out.get_column("exporter_value_fob").sum()) - exported) <= 1e-6 * max(1.0, exported)
    assert abs(float(out.get_column("importer_value_fob").sum()) - imported) <= 1e-6 * max(1.0, imported)


hub_report = st.tuples(
    st.builds(lambda m: dt.date(2023, m, 1), st.integers(1, 8)),
    st.sampled_from(["KZ"]),
    st.sampled_from(["CN", "DE", "RU"]),
    st.sampled_from(["export", "import"]),
    st.just("854231"),
    value,
)


@SETTINGS
@given(st.lists(hub_report, min_size=1, max_size=25), st.integers(0, 3), st.floats(0.05, 1.0))
def test_re_exports_never_exceed_exports_or_matched_imports(
    rows: list[tuple[Any, ...]], window: int, share: float
) -> None:
    out = hubs(build(rows, freq="M"), origin="CN", hubs=["KZ"], window_months=window, min_share=share)
    for r in out.iter_rows(named=True):
        assert 0 <= r["re_export_usd"] <= (r["hub_exports_usd"] or 0.0)
        assert r["re_export_usd"] <= r["matched_imports_usd"]


@SETTINGS
@given(reports, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(rows: list[tuple[Any, ...]], rnd: Any) -> None:
    flows = build(rows)
    shuffled = flows.sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 2**31))
    assert mirror(flows).equals(mirror(shuffled))
    assert hubs(flows, origin="CN", hubs=["KZ", "KG"]).equals(hubs(shuffled, origin="CN", hubs=["KZ", "KG"]))
    assert surge(flows).equals(surge(shuffled))
