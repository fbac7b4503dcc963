"""Partitioned and out-of-core runs (issue 15), each beside its baseline measured in the same run.

Scale 1.0: 30 million generated shipment lines written as a hive dataset of 1-million-line files
(``batch=NN/part.parquet``; each batch from its own seed, ids prefixed so they never collide).
The first third is "the 10 M subset". Figures, every one in a fresh process (time, peak memory):

- ``chains_whole_10m``: today's whole-table ``chains`` on the subset read into memory (the baseline);
- ``chains_parts_10m``: the same frame run in partitions in this process (``partitions=``);
- ``chains_ooc_10m``: the subset read out-of-core from the dataset (results compared with the baseline);
- ``chains_ooc_30m``: all 30 M lines out-of-core (target: peak <= 8 GB, time <= 1.5 x 3 x the baseline);
- the same subset against the naive self-join on 200 k lines (issue 16: >= 1.0x), and precision and
  recall on the planted chains (unchanged: the results are equal).

``python -m benchmarks scale_ray`` and ``scale_screening`` run the Ray cluster and the screening
figures (see those modules). Each row's note carries the load average when it was measured.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import Measurement, measure

LINES_AT_SCALE_1 = 30_000_000
BATCH_LINES = 1_000_000
SUBSET_SHARE = 1 / 3
NAIVE_LINES = 200_000
PARTITIONS_10M = 6
FRAMES = ("chains", "links", "unexplained", "parties", "rejected")


def load() -> str:
    """The load average now, for the note beside each figure."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def generate_dataset(folder: str, lines: int, batch_lines: int) -> dict[str, Any]:
    """Write ``lines`` generated lines as ``folder/batch=NN/part.parquet``; returns the planted truth's path."""
    import polars as pl

    from dualuse.synth.shipments import generate_shipments
    from dualuse.trace import chain_id

    batches = max(1, round(lines / batch_lines))
    truths = []
    written = 0
    for number in range(batches):
        size = batch_lines if number < batches - 1 else lines - written
        chains = max(10, int(size / 3.9))  # about 3.5 lines a planted lot, as in bench_chains
        scenario = generate_shipments(seed=1000 + number, chains=chains, background=max(10, int(size * 0.1)))
        prefix = f"b{number:02d}-"
        shipments = scenario.shipments.with_columns(
            (prefix + pl.col("shipment_id")).alias("shipment_id"), (prefix + pl.col("source")).alias("source")
        )
        target = Path(folder) / f"batch={number:02d}"
        target.mkdir(parents=True, exist_ok=True)
        shipments.write_parquet(target / "part.parquet")
        planted = (
            scenario.truth.sort("chain_id", "hop")
            .group_by("chain_id", maintain_order=True)
            .agg((prefix + pl.col("shipment_id")).alias("ids"))
        )
        # the planted chains' ids as chains names them: a digest of the (prefixed) shipment ids
        truths.append(pl.Series("id", [chain_id(ids) for ids in planted["ids"].to_list()], dtype=pl.String))
        written += shipments.height
    truth = Path(folder).parent / "truth.parquet"
    pl.concat(
        [t.to_frame().with_columns(pl.lit(number, pl.Int64).alias("batch")) for number, t in enumerate(truths)]
    ).write_parquet(truth)
    return {"lines": written, "batches": batches, "truth": str(truth)}


def subset_dataset(folder: str, target: str, batches: int) -> str:
    """The first ``batches`` batches of the dataset at ``folder`` as a dataset of their own (hard links)."""
    for number in range(batches):
        part = Path(target) / f"batch={number:02d}"
        part.mkdir(parents=True, exist_ok=True)
        if not (part / "part.parquet").exists():
            os.link(Path(folder) / f"batch={number:02d}" / "part.parquet", part / "part.parquet")
    return target


def _write(result: Any, out: str) -> dict[str, int]:
    Path(out).mkdir(parents=True, exist_ok=True)
    for name in FRAMES:
        getattr(result, name).write_parquet(Path(out) / f"{name}.parquet")
    return {name: getattr(result, name).height for name in FRAMES}


def run_chains(source: Any, out: str, how: str, partitions: int | None, engine: Any = None) -> dict[str, Any]:
    """Chains on ``source`` (``whole``: read into memory; ``parts``: same, partitioned; ``ooc``: the dataset)."""
    import polars as pl

    from dualuse.execution import Dataset
    from dualuse.trace import chains

    start = time.perf_counter()
    if how == "ooc":
        from dualuse.execution import LocalExecutor

        ticks: list[tuple[str, int, int, float]] = []
        if engine is None:  # record when each partition of each stage finishes, for the projection
            engine = LocalExecutor(
                progress=lambda done, total, label: ticks.append((label, done, total, time.perf_counter()))
            )
        scratch = Path(out) / "scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        os.environ["DUALUSE_SCRATCH"] = str(scratch)
        result = chains(Dataset(source), target="RU", partitions=partitions, engine=engine)
        lines = Dataset(source).rows()
        _write_stages(Path(out) / "stages.json", start, ticks, scratch)
    else:
        frame = pl.read_parquet(source, hive_partitioning=True)
        lines = frame.height
        start = time.perf_counter()  # the chains call alone, as bench_chains times it
        result = chains(frame, target="RU", partitions=partitions, engine=engine)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "lines": lines, "rows": _write(result, out), "load": load()}


def _write_stages(path: Path, start: float, ticks: list[tuple[str, int, int, float]], scratch: Path) -> None:
    """Each stage's seconds and partitions, and the bytes the stages wrote to the scratch folder."""
    import json

    stages: dict[str, dict[str, float]] = {}
    last = start
    for label, _done, total, when in ticks:
        stage = stages.setdefault(label, {"seconds": 0.0, "partitions": float(total)})
        stage["seconds"] += when - last
        stage["slowest"] = max(stage.get("slowest", 0.0), when - last)
        last = when
    written = sum(f.stat().st_size for f in scratch.rglob("*") if f.is_file())
    path.write_text(json.dumps({"stages": stages, "scratch_bytes": written, "total": last - start}, indent=2))


def same_results(one: str, other: str) -> bool:
    import polars as pl

    return all(
        pl.read_parquet(Path(one) / f"{n}.parquet").equals(pl.read_parquet(Path(other) / f"{n}.parquet"))
        for n in FRAMES
    )


def precision_recall(out: str, truth: str, batches: int) -> tuple[float, float]:
    """Of the chains found, the share planted; of the chains planted in the first ``batches``, the share found."""
    import polars as pl

    found = set(pl.read_parquet(Path(out) / "chains.parquet")["chain_id"].to_list())
    true = set(pl.read_parquet(truth).filter(pl.col("batch") < batches)["id"].to_list())
    return len(found & true) / max(1, len(found)), len(found & true) / max(1, len(true))


def run(scale: float) -> list[Measurement]:
    from benchmarks.bench_chains import run_naive

    lines = max(30_000, int(LINES_AT_SCALE_1 * scale))
    batch_lines = max(10_000, min(BATCH_LINES, lines // 6))
    keep = os.environ.get("DUALUSE_BENCH_KEEP")
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="dualuse-bench-scale-"))
    folder = str(work / "shipments")
    made = measure(generate_dataset, folder, lines, batch_lines) if not Path(folder).exists() else None
    batches = len(list(Path(folder).glob("batch=*")))
    subset_batches = max(1, round(batches * SUBSET_SHARE))
    subset = subset_dataset(folder, str(work / "subset"), subset_batches)
    truth = str(work / "truth.parquet")
    try:
        whole = measure(run_chains, subset, str(work / "whole"), "whole", None)
        parts = measure(run_chains, subset, str(work / "parts"), "parts", PARTITIONS_10M)
        ooc = measure(run_chains, subset, str(work / "ooc10"), "ooc", None)
        ooc30 = measure(run_chains, folder, str(work / "ooc30"), "ooc", None)
        equal_parts = same_results(str(work / "whole"), str(work / "parts"))
        equal_ooc = same_results(str(work / "whole"), str(work / "ooc10"))
        precision, recall = precision_recall(str(work / "ooc10"), truth, subset_batches)
        whole_precision, whole_recall = precision_recall(str(work / "whole"), truth, subset_batches)
        naive_file = str(work / "naive.parquet")
        import polars as pl

        pl.read_parquet(Path(folder) / "batch=00" / "part.parquet").head(NAIVE_LINES).write_parquet(naive_file)
        naive = measure(run_naive, naive_file)
        ours_small = measure(run_chains, naive_file, str(work / "small"), "parts", 4)
        whole_small = measure(run_chains, naive_file, str(work / "small-whole"), "whole", None)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    base = whole.result
    n10, n30 = base["lines"], ooc30.result["lines"]
    target_30 = 1.5 * 3 * base["seconds"] * (n30 / (3 * n10))
    note_made = f"generated in {made.seconds:,.0f} s; " if made else ""
    rows = [
        Measurement(
            "scale",
            f"chains whole-table, {n10:,} lines (seconds)",
            base["seconds"],
            "-",
            None,
            whole.peak_mb,
            target="baseline of the rows below",
            higher_is_better=False,
            note=f"{note_made}{base['rows']['chains']:,} chains; {base['load']}",
        ),
        Measurement(
            "scale",
            f"chains in {PARTITIONS_10M} partitions, frame in memory, {n10:,} lines (seconds)",
            parts.result["seconds"],
            "whole-table, same run",
            base["seconds"],
            parts.peak_mb,
            target="<= 6,144 MB at ~10 M lines, time not worse (issue 16)",
            higher_is_better=False,
            note=f"equal to whole-table: {equal_parts}; {parts.result['load']}",
        ),
        Measurement(
            "scale",
            f"chains out-of-core from the dataset, {n10:,} lines (seconds)",
            ooc.result["seconds"],
            "whole-table, same run",
            base["seconds"],
            ooc.peak_mb,
            target="equal to whole-table; <= 6,144 MB",
            higher_is_better=False,
            note=f"equal to whole-table: {equal_ooc}; {ooc.result['load']}",
        ),
        Measurement(
            "scale",
            f"chains out-of-core, {n30:,} lines (seconds)",
            ooc30.result["seconds"],
            "1.5 x 3 x whole-table 10 M, same run",
            target_30,
            ooc30.peak_mb,
            target="<= 8,192 MB and time <= 1.5 x 3 x the 10 M whole-table time",
            higher_is_better=False,
            note=f"{ooc30.result['rows']['chains']:,} chains; {ooc30.result['load']}",
        ),
        Measurement(
            "scale",
            f"chains partitioned on {NAIVE_LINES:,} lines (seconds)",
            ours_small.result["seconds"],
            "naive self-join (no allocation)",
            naive.result[0],
            ours_small.peak_mb,
            target=">= 1.0x (issue 16)",
            higher_is_better=False,
            note=f"{ours_small.result['load']}",
        ),
        Measurement(
            "scale",
            f"chains whole-table on {NAIVE_LINES:,} lines (seconds)",
            whole_small.result["seconds"],
            "naive self-join (no allocation)",
            naive.result[0],
            whole_small.peak_mb,
            target=">= 1.0x (issue 16)",
            higher_is_better=False,
            note=f"{whole_small.result['load']}",
        ),
    ]
    rows += [
        Measurement("scale", "precision, out-of-core 10 M", precision, "whole-table", whole_precision, ooc.peak_mb,
                    target=">= 0.9, unchanged"),
        Measurement("scale", "recall, out-of-core 10 M", recall, "whole-table", whole_recall, ooc.peak_mb,
                    target=">= 0.9, unchanged"),
    ]  # fmt: skip
    return rows
