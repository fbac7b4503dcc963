"""Screening out-of-core: 10 M names against a 1 M-entry watch list on this 24 GB machine (issue 15).

The names are generated as ``bench_screening`` generates them and written as a dataset of
1-million-name files; the watch list is prepared and indexed once and shared by the slices. The
baseline, in the same run, is the whole-table screening of the first slice (1 M names) against the
same watch list: the out-of-core run should cost about ten of it, within 24 GB. Each note has the
load average.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import Measurement, measure
from benchmarks.bench_scale import load

QUERIES_AT_SCALE_1 = 10_000_000
WATCH_AT_SCALE_1 = 1_000_000
SLICE = 1_000_000


def generate_names(folder: str, queries: int, watch: int, per_file: int) -> dict[str, int]:
    """The watch list as ``watch.parquet`` and the names as ``names/part-NNN.parquet``."""
    from benchmarks.bench_screening import generate

    names, watchlist, *_ = generate(queries, watch)
    Path(folder, "names").mkdir(parents=True, exist_ok=True)
    watchlist.write_parquet(Path(folder, "watch.parquet"))
    for number, piece in enumerate(names.iter_slices(per_file)):
        piece.write_parquet(Path(folder, "names", f"part-{number:03d}.parquet"))
    return {"names": names.height, "watch": watchlist.height}


def run_screen(names: str, watch: str, partitions: int | None) -> dict[str, Any]:
    import polars as pl

    from benchmarks.bench_screening import THRESHOLD
    from dualuse.execution import Dataset
    from dualuse.screening import screen

    watchlist = pl.read_parquet(watch)
    if names.endswith(".parquet"):
        data: Any = pl.read_parquet(names)
        count = data.height
    else:
        data = Dataset(names)
        count = data.rows()
    start = time.perf_counter()
    result = screen(data, watchlist, threshold=THRESHOLD, partitions=partitions)
    return {"seconds": time.perf_counter() - start, "names": count, "rows": result.height, "load": load()}


def run(scale: float) -> list[Measurement]:
    queries, watch = max(20_000, int(QUERIES_AT_SCALE_1 * scale)), max(2_000, int(WATCH_AT_SCALE_1 * scale))
    per_file = max(2_000, min(SLICE, queries // 10))
    keep = os.environ.get("DUALUSE_BENCH_KEEP")
    work = Path(keep) / "screening" if keep else Path(tempfile.mkdtemp(prefix="dualuse-bench-screen-"))
    try:
        if not (work / "watch.parquet").exists():
            measure(generate_names, str(work), queries, watch, per_file)
        first = str(work / "names" / "part-000.parquet")
        baseline = measure(run_screen, first, str(work / "watch.parquet"), None)
        ooc = measure(run_screen, str(work / "names"), str(work / "watch.parquet"), None)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    per_name = ooc.result["seconds"] / ooc.result["names"] * baseline.result["names"]
    return [
        Measurement(
            "scale_screening",
            f"screening {ooc.result['names']:,} x {watch:,} out-of-core (seconds)",
            ooc.result["seconds"],
            f"whole-table {baseline.result['names']:,} x {watch:,}, same run",
            baseline.result["seconds"],
            ooc.peak_mb,
            target="completes within 24 GB",
            higher_is_better=False,
            note=f"{ooc.result['rows']:,} rows; per {baseline.result['names']:,} names {per_name:,.0f} s; "
            f"{ooc.result['load']} (baseline: {baseline.result['load']}, {baseline.peak_mb:,.0f} MB)",
        )
    ]
