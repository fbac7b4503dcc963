"""Mirror reconciliation on a BACI-sized year (issue 5's performance target).

Scale 1.0 is 11 million flows reported by both sides: about 11 million exporter reports and
11 million importer reports from :func:`dualuse.synth.flows.generate_flows` (seeded), written once
per size to the system temp folder (``dualuse-bench/``) and reused. Figures:

- the whole :func:`dualuse.flows.mirror` (pairing, CIF/FOB margins, reliability, reconciled values,
  evidence lists) on the full year, in seconds, with peak memory (target: <= 60 s, <= 8 GB);
- reports paired per second by ``mirror`` against a straightforward pandas implementation of the
  same pairing (group-by sum per flow key on each side, outer merge, gap and ratio), both on the
  same subset of at most 2 million flows (pandas needs several times the memory of the full year).

``mirror`` is given the file lazily (``pl.scan_parquet``) inside the measured child process, so
the time includes reading the needed columns and the peak is the child's own (input, pairing and
output together). The pandas baseline reads its input before its clock starts.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks._harness import Measurement, measure

FULL_FLOWS = 11_000_000
SUBSET_FLOWS = 2_000_000


def generate(flows: int, path: Path) -> None:
    """Write the seeded input file (run in a child process, see :func:`_input`)."""
    from dualuse.synth.flows import generate_flows

    partial = path.with_suffix(".partial")
    generate_flows(n_flows=flows, years=(2023,), seed=2023).write_parquet(partial)
    partial.replace(path)


def _input(flows: int) -> Path:
    """The input file, generated once. Generating in a child keeps this process small: on Linux a
    child's peak memory (``ru_maxrss``) starts from its parent's resident size at fork time."""
    folder = Path(tempfile.gettempdir()) / "dualuse-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"mirror-{flows}.parquet"
    if not path.exists():
        measure(generate, flows, path)
    return path


def run_dualuse(path: Path) -> tuple[float, int, int]:
    """Seconds for ``mirror`` on the file (read included), reports in, rows out."""
    import polars as pl

    from dualuse.flows import mirror

    flows = pl.scan_parquet(path)
    reports = flows.select(pl.len()).collect().item()  # from the Parquet footer: no data read
    start = time.perf_counter()
    out = mirror(flows)
    return time.perf_counter() - start, reports, out.height


def run_pandas(path: Path) -> tuple[float, int, int]:
    """The same pairing written the obvious way in pandas: seconds, reports in, rows out."""
    import pandas as pd

    flows = pd.read_parquet(path)
    start = time.perf_counter()
    key = ["freq", "exporter", "importer", "hs_code", "period"]
    exports = flows[flows["flow"].isin(["export", "re-export"])].rename(
        columns={"reporter": "exporter", "partner": "importer"}
    )
    imports = flows[flows["flow"].isin(["import", "re-import"])].rename(
        columns={"reporter": "importer", "partner": "exporter"}
    )
    exported = exports.groupby(key, as_index=False).agg(
        exporter_value_usd=("value_usd", "sum"), exporter_rows=("source_row", list)
    )
    imported = imports.groupby(key, as_index=False).agg(
        importer_value_usd=("value_usd", "sum"), importer_rows=("source_row", list)
    )
    pairs = exported.merge(imported, on=key, how="outer")
    pairs["gap_usd"] = pairs["importer_value_usd"] - pairs["exporter_value_usd"]
    pairs["ratio"] = pairs["importer_value_usd"] / pairs["exporter_value_usd"]
    return time.perf_counter() - start, len(flows), len(pairs)


def run(scale: float) -> list[Measurement]:
    """Measure at ``scale`` (1.0 = 11 million flows, 22 million reports)."""
    full = max(1_000, int(FULL_FLOWS * scale))
    subset = min(full, SUBSET_FLOWS)
    whole = measure(run_dualuse, _input(full))
    seconds, reports, _ = whole.result
    small_path = _input(subset)
    ours = measure(run_dualuse, small_path)
    theirs = measure(run_pandas, small_path)
    ours_rate = ours.result[1] / ours.result[0]
    theirs_rate = theirs.result[1] / theirs.result[0]
    return [
        Measurement(
            benchmark="mirror",
            figure=f"seconds for {reports:,} reports",
            value=seconds,
            baseline="-",
            baseline_value=None,
            peak_mb=whole.peak_mb,
            target="<= 60 s, <= 8,192 MB at scale 1.0",
            higher_is_better=False,
            note="full mirror from a lazy Parquet scan (read included): pairing, margins, reliability, reconciliation, evidence lists",
        ),
        Measurement(
            benchmark="mirror",
            figure=f"reports/s ({ours.result[1]:,} reports)",
            value=ours_rate,
            baseline="pandas groupby + merge",
            baseline_value=theirs_rate,
            peak_mb=ours.peak_mb,
            target="faster than pandas",
            note=f"pandas peak {theirs.peak_mb:,.0f} MB; pandas only pairs (no margins, reliability, reconciliation)",
        ),
    ]
