"""Shipment chains: 10 million lines through ``dualuse.trace.chains`` (target <= 120 s, <= 10 GB peak).

Also on a subset: the same call against a naive self-join (every inbound leg of a party joined to
every outbound leg of that party, then filtered by heading and window, with no allocation), and the
precision and recall of the chains found against the planted truth.

And on a subset with cross-script name variants (``name_variants=0.5``: half the sides without an
identifier carry the name in Cyrillic, translated, romanised another way or with its legal form
spelled out): the precision and recall of the chain *links* (consecutive shipments of a chain)
with fuzzy party resolution, against exact names only in the same run.
"""

from __future__ import annotations

import os
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import polars as pl

from benchmarks._harness import Measurement, measure

# The benchmark is a guarded main: let screening use worker processes on every core.
os.environ.setdefault("DUALUSE_WORKERS", "auto")

LINES_AT_SCALE_1 = 10_000_000
SUBSET_LINES = 200_000
VARIANTS = 0.5


def _scenario(lines: int, seed: int, name_variants: float = 0.0) -> tuple[pl.DataFrame, pl.DataFrame]:
    from dualuse.synth.shipments import generate_shipments

    # about 3.5 lines per planted lot: inbound, outbound, second hubs, splits, merges and one decoy line
    chains = max(10, int(lines / 3.9))
    scenario = generate_shipments(
        seed=seed, chains=chains, background=max(10, int(lines * 0.1)), name_variants=name_variants
    )
    return scenario.shipments, scenario.truth


def _links(paths: list[list[str]]) -> set[tuple[str, str]]:
    """The links of chains: each pair of consecutive shipment ids."""
    return {pair for ids in paths for pair in pairwise(ids)}


def run_links(path: str, truth_path: str, fuzzy: bool) -> tuple[float, float]:
    """Precision and recall of the chain links found, with or without fuzzy party resolution."""
    from dualuse.trace import chains
    from dualuse.trace.fuzzy import FUZZY_THRESHOLD

    truth = pl.read_parquet(truth_path).sort("chain_id", "hop").group_by("chain_id", maintain_order=True)
    expected = _links(truth.agg(pl.col("shipment_id"))["shipment_id"].to_list())
    result = chains(pl.read_parquet(path), target="RU", fuzzy=FUZZY_THRESHOLD if fuzzy else None)
    found = _links(result.chains["shipment_ids"].to_list())
    hits = len(found & expected)
    return hits / max(1, len(found)), hits / max(1, len(expected))


def run_chains(path: str) -> tuple[float, int, list[str]]:
    """Read the shipments and reconstruct chains; returns (seconds in chains(), lines, chain ids)."""
    from dualuse.trace import chains

    frame = pl.read_parquet(path)
    start = time.perf_counter()
    result = chains(frame, target="RU")
    return time.perf_counter() - start, frame.height, result.chains["chain_id"].to_list()


def run_naive(path: str) -> tuple[float, int]:
    """The baseline: party self-join, then filter (same party resolution, no allocation)."""
    from dualuse.trace import DEFAULT_HUBS, resolve_parties

    frame = pl.read_parquet(path)
    start = time.perf_counter()
    lines = resolve_parties(frame).shipments.with_columns(pl.col("hs_code").str.slice(0, 4).alias("heading"))
    inbound = lines.filter(pl.col("importer_country").is_in(DEFAULT_HUBS)).select(
        pl.col("importer_party").alias("party"), pl.col("shipment_id").alias("in_id"), pl.col("date").alias("in_date"),
        pl.col("heading").alias("in_heading"),
    )  # fmt: skip
    outbound = lines.filter(pl.col("exporter_country").is_in(DEFAULT_HUBS)).select(
        pl.col("exporter_party").alias("party"), pl.col("shipment_id").alias("out_id"),
        pl.col("date").alias("out_date"), pl.col("heading").alias("out_heading"),
    )  # fmt: skip
    pairs = inbound.join(outbound, on="party").filter(
        pl.col("in_heading") == pl.col("out_heading"),
        pl.col("in_date") <= pl.col("out_date"),
        (pl.col("out_date") - pl.col("in_date")).dt.total_days() <= 90,
    )
    return time.perf_counter() - start, pairs.height


def run(scale: float) -> list[Measurement]:
    lines = max(2_000, int(LINES_AT_SCALE_1 * scale))
    with tempfile.TemporaryDirectory() as tmp:
        full, truth = _scenario(lines, seed=1)
        full_path = Path(tmp) / "full.parquet"
        full.write_parquet(full_path)
        del full
        timing = measure(run_chains, str(full_path))
        seconds, n_lines, found_ids = timing.result
        true_ids = set(truth["chain_id"])
        found = set(found_ids)
        precision = len(found & true_ids) / max(1, len(found))
        recall = len(found & true_ids) / max(1, len(true_ids))

        subset, _ = _scenario(min(SUBSET_LINES, lines), seed=2)
        subset_path = Path(tmp) / "subset.parquet"
        subset.write_parquet(subset_path)
        ours = measure(run_chains, str(subset_path))
        naive = measure(run_naive, str(subset_path))

        varied, varied_truth = _scenario(min(SUBSET_LINES, lines), seed=2, name_variants=VARIANTS)
        varied_path, truth_path = Path(tmp) / "variants.parquet", Path(tmp) / "variants_truth.parquet"
        varied.write_parquet(varied_path)
        varied_truth.write_parquet(truth_path)
        fuzzy = measure(run_links, str(varied_path), str(truth_path), True)
        exact = measure(run_links, str(varied_path), str(truth_path), False)
    note = f"{n_lines:,} lines; {len(found):,} chains"
    return [
        Measurement(
            benchmark="chains",
            figure=f"seconds for {n_lines:,} lines",
            value=seconds,
            baseline="-",
            baseline_value=None,
            peak_mb=timing.peak_mb,
            target="<= 120 s and <= 10,240 MB at 10M lines",
            higher_is_better=False,
            note=note,
        ),
        Measurement(
            benchmark="chains",
            figure=f"seconds on {subset.height:,} lines",
            value=ours.result[0],
            baseline="naive self-join (no allocation)",
            baseline_value=naive.result[0],
            peak_mb=ours.peak_mb,
            higher_is_better=False,
            note=f"naive: {naive.result[1]:,} candidate pairs, {naive.peak_mb:,.0f} MB peak",
        ),
        Measurement("chains", "precision", precision, "-", None, timing.peak_mb, target=">= 0.9"),
        Measurement("chains", "recall", recall, "-", None, timing.peak_mb, target=">= 0.9"),
        *(
            Measurement(
                "chains",
                f"link {figure}, name variants ({varied.height:,} lines)",
                fuzzy.result[index],
                "exact names only",
                exact.result[index],
                fuzzy.peak_mb,
                target=">= 0.95",
                note=f"{VARIANTS:.0%} of sides without an identifier in Cyrillic, translated or re-spelled",
            )
            for index, figure in enumerate(("precision", "recall"))
        ),
    ]
