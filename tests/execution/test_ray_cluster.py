"""The partitioned plans on a local Ray cluster of two nodes with small object stores.

Started once for this module (``ray.cluster_utils.Cluster``: a head and a second node, one CPU and
80 MB of object store each, listening on 127.0.0.1 only): the equality tests of chains, screening,
mirror and hubs run on it; a worker is killed mid-run and Ray's own retry gives the same result; an
input far larger than the object stores goes through by spilling to disk. Skipped without Ray
(``pip install 'dualuse[ray]'``); every test of the module runs in one pytest worker (xdist group).
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
import pytest

from dualuse.execution import RayExecutor
from dualuse.execution.executor import P, R, S, Task
from dualuse.flows import hubs, mirror
from dualuse.screening import screen
from dualuse.synth.scenario import build_scenario
from dualuse.synth.shipments import demo_cases, generate_shipments
from dualuse.trace import chains

pytestmark = [pytest.mark.xdist_group("ray"), pytest.mark.filterwarnings("ignore::DeprecationWarning")]

STORE = 80 * 1024**2  # bytes of object store per node: Ray's minimum is about 75 MB


@pytest.fixture(scope="module")
def spill_folder(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("spilled")


@pytest.fixture(scope="module")
def cluster(spill_folder: pathlib.Path) -> Iterator[Any]:
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # every node on 127.0.0.1 (read when Ray is imported)
    cluster_utils = pytest.importorskip("ray.cluster_utils")
    import ray

    spilling = {"type": "filesystem", "params": {"directory_path": str(spill_folder)}}
    local = cluster_utils.Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 1,
            "object_store_memory": STORE,
            "include_dashboard": False,
            "_system_config": {"object_spilling_config": json.dumps(spilling)},
        },
    )
    local.add_node(num_cpus=1, object_store_memory=STORE)
    local.wait_for_nodes()
    ray.init(address=local.address, include_dashboard=False, log_to_driver=False)
    yield local
    ray.shutdown()
    local.shutdown()


@pytest.fixture
def engine(cluster: Any) -> RayExecutor:
    return RayExecutor(address=cluster.address)


def test_the_cluster_has_two_nodes(cluster: Any) -> None:
    import ray

    alive = [node for node in ray.nodes() if node["Alive"]]  # type: ignore[no-untyped-call]
    assert len(alive) == 2 and {node["NodeManagerAddress"] for node in alive} == {"127.0.0.1"}


def test_chains_on_the_cluster_equal_the_local_whole_table_run(engine: RayExecutor) -> None:
    shipments = generate_shipments(seed=9, chains=400, background=300, planted=demo_cases()).shipments
    whole = chains(shipments, dual_use="chpl")
    found = chains(shipments, dual_use="chpl", engine=engine, partitions=4)
    for name in ("chains", "links", "unexplained", "parties", "shipments", "rejected"):
        assert getattr(found, name).equals(getattr(whole, name)), name
    assert whole.chains.height > 0


def test_screening_mirror_and_hubs_on_the_cluster_equal_the_local_run(engine: RayExecutor) -> None:
    scenario = build_scenario()
    watch = pl.DataFrame(
        {"party_id": ["w1", "w2"], "name": ["Elem Group LLP", "Kazakhtelecom JSC"], "country": ["KZ"] * 2}
    )
    mine = pl.DataFrame({"name": ["ТОО Элем Групп", "Kazahtelekom", "Orion LLC"] * 4, "country": ["KZ"] * 12})
    assert screen(mine, watch, engine=engine, partitions=3).equals(screen(mine, watch))
    assert mirror(scenario.flows, engine=engine, partitions=3).equals(mirror(scenario.flows))
    route: dict[str, Any] = {"origin": "CN", "hubs": ["KZ", "KG"], "dual_use": "chpl"}
    assert hubs(scenario.flows, engine=engine, partitions=3, **route).equals(hubs(scenario.flows, **route))


def test_a_task_error_comes_back_as_the_dualuse_error_it_is(engine: RayExecutor) -> None:
    from dualuse.errors import InputError

    bad = pl.DataFrame({"company": ["x", "y"]})
    with pytest.raises(InputError, match="no column 'name'"):
        screen(bad, pl.DataFrame({"name": ["x"]}), engine=engine, partitions=2)


class _KillsOnce:
    """Wraps a task: its first run on partition ``victim`` kills its own worker (SIGKILL), mid-run."""

    def __init__(self, task: Task[Any, Any, Any], victim: int, marker: pathlib.Path) -> None:
        self.task, self.victim, self.marker = task, victim, marker

    def __call__(self, partition: Any, shared: Any) -> Any:
        if isinstance(partition, tuple) and partition[0] == self.victim:
            with self.marker.open("a") as runs:
                runs.write(f"{os.getpid()}\n")
            if len(self.marker.read_text().split()) == 1:  # the first run only: the retry finishes
                os.kill(os.getpid(), signal.SIGKILL)
        return self.task(partition, shared)


class _Killing(RayExecutor):
    def __init__(self, marker: pathlib.Path, **options: Any) -> None:
        super().__init__(**options)
        self.marker = marker

    def map(self, task: Task[P, S, R], partitions: Sequence[P], shared: S, *, label: str = "") -> list[R]:
        if label == "chains":  # the plan's last map: one task per partition of lines
            task = _KillsOnce(task, 1, self.marker)
        return super().map(task, partitions, shared, label=label)


def test_a_worker_killed_mid_run_is_retried_by_ray_with_the_same_result(cluster: Any, tmp_path: pathlib.Path) -> None:
    shipments = generate_shipments(seed=4, chains=300, background=200).shipments
    whole = chains(shipments)
    marker = tmp_path / "runs"
    found = chains(shipments, engine=_Killing(marker, address=cluster.address, max_retries=2), partitions=3)
    runs = marker.read_text().split()
    assert len(runs) == 2 and runs[0] != runs[1]  # killed once, run again in another worker process
    assert found.chains.equals(whole.chains) and found.links.equals(whole.links)


def _checksum(frame: pl.DataFrame, _: None) -> tuple[int, float]:
    return frame.height, float(frame.get_column("x").sum())


def _spilled_bytes(folder: pathlib.Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_an_input_far_above_the_object_stores_spills_to_disk(
    cluster: Any, engine: RayExecutor, spill_folder: pathlib.Path
) -> None:
    import ray

    # eight partitions of 48 MB, all in the object store at once: 384 MB for stores of 80 MB a node
    parts = [pl.DataFrame({"x": pl.arange(0, 6_000_000, eager=True).cast(pl.Float64) + i}) for i in range(8)]
    expected = [_checksum(part, None) for part in parts]
    held: list[Any] = [ray.put(part) for part in parts]  # partitions already in the store, as a plan's would be
    del parts
    assert _spilled_bytes(spill_folder) > 200 * 1024**2  # what did not fit went to disk
    assert engine.map(_checksum, held, None, label="spill") == expected  # Ray hands each task its frame
