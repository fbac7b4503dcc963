"""The benchmark harness: run a function in a fresh process, measure its time and peak memory.

Each ``benchmarks/bench_<name>.py`` defines ``run(scale: float) -> list[Measurement]``; ``scale``
1.0 is the size the issue's target is stated for, smaller values give a quick run.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

__all__ = ["Measurement", "Timing", "measure"]


@dataclass(frozen=True)
class Timing:
    """Wall time and peak resident memory of one call, and what it returned."""

    seconds: float
    peak_mb: float
    result: Any


@dataclass(frozen=True)
class Measurement:
    """One row of the benchmark table: a figure for dualuse and the same figure for a baseline."""

    benchmark: str
    figure: str
    value: float
    baseline: str
    baseline_value: float | None
    peak_mb: float
    target: str = ""
    higher_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline (>1 is better), ``None`` without a baseline."""
        if not self.baseline_value or not self.value:
            return None
        return self.value / self.baseline_value if self.higher_is_better else self.baseline_value / self.value


def _peak_mb() -> float:
    """This process's own peak resident memory.

    ``VmHWM`` belongs to the process's address space, which is new after exec; ``ru_maxrss`` is
    not reset by exec on Linux and would report the parent's peak when the parent was larger.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(fn: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    start = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - start
    queue.put((seconds, _peak_mb(), result))


def measure(fn: Callable[..., Any], *args: Any) -> Timing:
    """Call ``fn(*args)`` in a fresh (spawned) process; ``fn`` must be a module-level function.

    Peak memory is the child's maximum resident set, so each measurement stands alone.
    """
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    while True:  # a child that dies without an answer must not leave us waiting forever
        try:
            seconds, peak_mb, result = queue.get(timeout=5)
            break
        except Empty:
            if not proc.is_alive():
                raise RuntimeError(f"benchmark process for {fn.__name__} exited with {proc.exitcode}") from None
    proc.join()
    if proc.exitcode:
        raise RuntimeError(f"benchmark process for {fn.__name__} exited with {proc.exitcode}")
    return Timing(seconds, peak_mb, result)
