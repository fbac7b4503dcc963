"""The Ray executor: each partition is a Ray task on a cluster (``pip install 'dualuse[ray]'``).

Ray is imported here only, and only when a map runs: the rest of dualuse never imports it. The
executor connects to the cluster at ``address`` (else ``RAY_ADDRESS``, as ``ray.init`` reads it),
or starts a local one (listening on 127.0.0.1 only) when neither is set. Partitions and the shared value travel through Ray's
object store (which spills to disk when it is full); a task whose worker dies is run again by
Ray (``max_retries``), never by dualuse. Why tasks and not Ray Data: see "Scaling out" in the docs
(measured: the partitions here are few and large, and each task needs its whole partition at once).

Examples:
    >>> RayExecutor(address="ray://head:10001", max_retries=5)
    RayExecutor(address='ray://head:10001', max_retries=5)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from dualuse.errors import ConfigError
from dualuse.execution.executor import Executor, Progress, Task

__all__ = ["RayExecutor"]

P = TypeVar("P")
S = TypeVar("S")
R = TypeVar("R")

_lock = threading.Lock()


def _run(task: Task[P, S, R], partition: P, shared: S) -> R:
    """What runs on a worker: Ray has already fetched ``partition`` and ``shared`` from the object store."""
    return task(partition, shared)


class RayExecutor(Executor):
    """Run partitions as Ray tasks (see the module documentation).

    ``address``: the cluster (``auto``, ``ray://host:10001``, ``host:6379``); default
    ``RAY_ADDRESS``, else a local cluster started on first use and left running for this process.
    ``num_cpus``: CPUs each task reserves (polars inside a task uses the threads it finds).
    ``memory``: bytes each task reserves, so Ray never packs more partitions on a node than fit.
    ``max_retries``: how often Ray runs a task again when its worker or node is lost.
    ``init``: further keyword arguments for ``ray.init`` when this executor starts Ray.
    """

    name: ClassVar[str] = "ray"

    def __init__(
        self,
        *,
        address: str | None = None,
        num_cpus: float = 1,
        memory: int | None = None,
        max_retries: int = 3,
        init: dict[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(progress=progress)
        if max_retries < 0:
            raise ConfigError(f"engine 'ray': max_retries must be 0 or more, not {max_retries}")
        self.address = address
        self.num_cpus = num_cpus
        self.memory = memory
        self.max_retries = max_retries
        self.init = dict(init or {})
        self._started = False

    def __repr__(self) -> str:
        shown = {"address": self.address, "max_retries": self.max_retries}
        if self.memory is not None:
            shown["memory"] = self.memory
        return f"RayExecutor({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    def _ray(self) -> Any:
        """The ``ray`` module, connected to the cluster."""
        address = self.address or os.environ.get("RAY_ADDRESS") or None
        if address is None:
            # A cluster started here listens on 127.0.0.1 only (Ray reads this when it is imported):
            # nothing of it is reachable from the network.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        try:
            import ray
        except ImportError:
            raise ConfigError("engine 'ray' needs Ray: pip install 'dualuse[ray]' (or choose engine='local')") from None
        with _lock:
            if not ray.is_initialized():
                options = {"include_dashboard": False, "log_to_driver": True} | self.init
                ray.init(address=address, **options)
                self._started = True
        return ray

    def map(self, task: Task[P, S, R], partitions: Sequence[P], shared: S, *, label: str = "") -> list[R]:
        """One Ray task per partition; results in the order of ``partitions`` as they all finish."""
        ray = self._ray()
        options: dict[str, Any] = {"num_cpus": self.num_cpus, "max_retries": self.max_retries}
        if self.memory is not None:
            options["memory"] = self.memory
        remote = ray.remote(_run).options(**options)
        shared_ref = ray.put(shared)  # sent to the object store once, read by every task
        refs = [remote.remote(task, partition, shared_ref) for partition in partitions]
        pending = list(refs)
        done = 0
        try:
            while pending:
                finished, pending = ray.wait(pending, num_returns=1)
                done += len(finished)
                ray.get(finished)  # raise a task's error as soon as it happens
                self._tick(done, len(refs), label)
            return list(ray.get(refs))
        except ray.exceptions.RayTaskError as error:
            for ref in pending:
                ray.cancel(ref)
            cause = error.cause if isinstance(getattr(error, "cause", None), BaseException) else None
            if cause is not None:
                raise cause from None  # the task's own error (a DualuseError names the row), not Ray's wrapper
            raise

    def close(self) -> None:
        """Disconnect from the cluster if this executor connected (stopping a local one it started).

        Ray left running by dualuse otherwise stays up for the next call, and stops with the process.
        """
        if not self._started:
            return
        import ray

        with _lock:
            if ray.is_initialized():
                ray.shutdown()
            self._started = False
