"""The local executor: partitions one after another in this process.

Memory follows the largest partition (plus what the reduce keeps), not the input: this is how a
table larger than memory is processed on one machine, each partition read from a partitioned
Parquet dataset when the input is one. polars already uses every core inside a partition.

Examples:
    >>> def square(x: int, _: None) -> int:
    ...     return x * x
    >>> seen = []
    >>> LocalExecutor(progress=lambda done, total, label: seen.append(f"{label} {done}/{total}")).map(
    ...     square, [1, 2, 3], None, label="squares")
    [1, 4, 9]
    >>> seen
    ['squares 1/3', 'squares 2/3', 'squares 3/3']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, TypeVar

from dualuse.execution.executor import Executor, Progress, Task

__all__ = ["LocalExecutor"]

P = TypeVar("P")
S = TypeVar("S")
R = TypeVar("R")


class LocalExecutor(Executor):
    """Run partitions in this process, one at a time (see the module documentation)."""

    name: ClassVar[str] = "local"

    def __init__(self, *, progress: Progress | None = None) -> None:
        super().__init__(progress=progress)

    def map(self, task: Task[P, S, R], partitions: Sequence[P], shared: S, *, label: str = "") -> list[R]:
        """``task(partition, shared)`` for each partition in turn."""
        results: list[R] = []
        for done, partition in enumerate(partitions, start=1):
            results.append(task(partition, shared))
            self._tick(done, len(partitions), label)
        return results
