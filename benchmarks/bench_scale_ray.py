"""The partitioned plans on a local Ray cluster of two nodes, against the local run in the same run.

Scale 1.0: chains on 10 M generated lines (read out-of-core from a dataset, as on a cluster) and
screening 1 M names against 100 k watch-list entries. The cluster is ``ray.cluster_utils.Cluster``:
two nodes of one CPU and 2 GB of object store each, on 127.0.0.1, on this one machine, so the
overhead measured is Ray's (scheduling, serialising partitions through the object store), not the
network's. Results must equal the local run's. Also the choice between Ray core tasks and Ray Data:
the same screening partitions as tasks (``RayExecutor``) and as a Ray Data ``map_batches``.

The dataset is shared with ``bench_scale`` when ``DUALUSE_BENCH_KEEP`` names a folder that holds it.
Peak memory is the driver's (Ray's workers are other processes); each note has the load average.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import Measurement, measure
from benchmarks.bench_scale import BATCH_LINES, generate_dataset, load, run_chains, same_results, subset_dataset

LINES_AT_SCALE_1 = 10_000_000
QUERIES_AT_SCALE_1 = 1_000_000
WATCH_AT_SCALE_1 = 100_000
STORE = 2 * 1024**3


def _cluster() -> Any:
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # every node on 127.0.0.1
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": STORE, "include_dashboard": False},
    )
    cluster.add_node(num_cpus=1, object_store_memory=STORE)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    return cluster


def run_chains_on_ray(source: str, out: str) -> dict[str, Any]:
    from dualuse.execution import RayExecutor

    cluster = _cluster()
    try:
        started = time.perf_counter()
        result = run_chains(source, out, "ooc", None, RayExecutor(address=cluster.address))
        result["with_start"] = time.perf_counter() - started
        return result
    finally:
        import ray

        ray.shutdown()
        cluster.shutdown()


def run_screen(queries: int, watch: int, out: str, engine: str) -> dict[str, Any]:
    """Screen generated names locally (whole-table), on Ray core tasks, or through Ray Data."""
    from benchmarks.bench_screening import THRESHOLD, generate
    from dualuse.screening import screen

    query_frame, watch_frame, *_ = generate(queries, watch)
    cluster: Any = _cluster() if engine != "local" else None
    try:
        start = time.perf_counter()
        if engine == "local":
            result = screen(query_frame, watch_frame, threshold=THRESHOLD)
        elif engine == "ray":
            from dualuse.execution import RayExecutor

            result = screen(
                query_frame, watch_frame, threshold=THRESHOLD, engine=RayExecutor(address=cluster.address), partitions=4
            )
        else:
            result = _screen_with_ray_data(query_frame, watch_frame, THRESHOLD)
        seconds = time.perf_counter() - start
        result.write_parquet(out)
        return {"seconds": seconds, "rows": result.height, "load": load()}
    finally:
        if cluster is not None:
            import ray

            ray.shutdown()
            cluster.shutdown()


def _screen_with_ray_data(queries: Any, watch: Any, threshold: float) -> Any:
    """The same plan through Ray Data: the queries as a dataset, screened batch by batch by an actor pool."""
    import polars as pl
    import ray

    from dualuse.screening.api import ScreenSettings, in_result_order, party_table, prepare_watchlist, screen_prepared

    settings = ScreenSettings(threshold=threshold)
    prepared = ray.put(prepare_watchlist(watch, settings))

    class Screener:
        def __init__(self, watch_ref: Any) -> None:
            self.watch = ray.get(watch_ref)  # Ray Data hands constructor arguments over as they are

        def __call__(self, batch: Any) -> Any:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            found = screen_prepared(party_table(frame, "query", "name", "unknown"), self.watch, settings)
            return found.to_arrow()

    data = ray.data.from_arrow(queries.to_arrow())
    per_batch = -(-queries.height // 4)
    screened = data.map_batches(
        Screener, fn_constructor_args=(prepared,), batch_size=per_batch, batch_format="pyarrow", concurrency=2
    )
    tables = [pl.from_arrow(block) for block in screened.iter_batches(batch_format="pyarrow", batch_size=None)]
    frames = [t for t in tables if isinstance(t, pl.DataFrame) and t.height]
    return in_result_order(pl.concat(frames))


def run(scale: float) -> list[Measurement]:
    import polars as pl

    lines = max(20_000, int(LINES_AT_SCALE_1 * scale))
    keep = os.environ.get("DUALUSE_BENCH_KEEP")
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="dualuse-bench-ray-"))
    folder = work / "shipments"
    if not folder.exists():
        measure(generate_dataset, str(folder), lines, max(10_000, min(BATCH_LINES, lines // 6)))
    per_batch = int(pl.scan_parquet(folder / "batch=00" / "part.parquet").select(pl.len()).collect().item())
    subset = subset_dataset(str(folder), str(work / "ray-subset"), max(1, round(lines / max(1, per_batch))))
    queries, watch = max(2_000, int(QUERIES_AT_SCALE_1 * scale)), max(200, int(WATCH_AT_SCALE_1 * scale))
    small_q, small_w = max(2_000, queries // 5), max(200, watch // 5)
    try:
        local = measure(run_chains, subset, str(work / "ray-local"), "ooc", None)
        on_ray = measure(run_chains_on_ray, subset, str(work / "ray-chains"))
        chains_equal = same_results(str(work / "ray-local"), str(work / "ray-chains"))
        screen_local = measure(run_screen, queries, watch, str(work / "s-local.parquet"), "local")
        screen_ray = measure(run_screen, queries, watch, str(work / "s-ray.parquet"), "ray")
        screen_equal = pl.read_parquet(work / "s-ray.parquet").equals(pl.read_parquet(work / "s-local.parquet"))
        tasks = measure(run_screen, small_q, small_w, str(work / "t-ray.parquet"), "ray")
        ray_data = measure(run_screen, small_q, small_w, str(work / "t-data.parquet"), "data")
        data_equal = pl.read_parquet(work / "t-data.parquet").equals(pl.read_parquet(work / "t-ray.parquet"))
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    n = local.result["lines"]
    return [
        Measurement(
            "scale_ray",
            f"chains on a 2-node Ray cluster, {n:,} lines, out-of-core (seconds)",
            on_ray.result["seconds"],
            "local out-of-core, same run",
            local.result["seconds"],
            on_ray.peak_mb,
            target="completes, equal to local; overhead reported",
            higher_is_better=False,
            note=f"equal: {chains_equal}; with cluster start {on_ray.result['with_start']:,.0f} s; "
            f"{on_ray.result['load']} (local: {local.result['load']}, {local.peak_mb:,.0f} MB)",
        ),
        Measurement(
            "scale_ray",
            f"screening {queries:,} x {watch:,} on the Ray cluster, 4 partitions (seconds)",
            screen_ray.result["seconds"],
            "local whole-table, same run",
            screen_local.result["seconds"],
            screen_ray.peak_mb,
            target="completes, equal to local; overhead reported",
            higher_is_better=False,
            note=f"equal: {screen_equal}; {screen_ray.result['rows']:,} rows; {screen_ray.result['load']} "
            f"(local: {screen_local.result['load']}, {screen_local.peak_mb:,.0f} MB)",
        ),
        Measurement(
            "scale_ray",
            f"screening {small_q:,} x {small_w:,}: Ray Data map_batches (seconds)",
            ray_data.result["seconds"],
            "Ray core tasks (RayExecutor), same run",
            tasks.result["seconds"],
            ray_data.peak_mb,
            target="the faster one is the engine's",
            higher_is_better=False,
            note=f"equal: {data_equal}; {ray_data.result['load']} (tasks: {tasks.result['load']}, "
            f"{tasks.peak_mb:,.0f} MB)",
        ),
    ]
