"""The executor seam: run a task over partitions, then reduce the results.

An algorithm that can run partitioned describes *what* is closed under which key (its plan: the
partitions, the task run on each, the reduce over their results); an :class:`Executor` decides
*where* the partitions run. Two are built in: ``local`` (one partition after another in this
process, so memory follows the largest partition) and ``ray`` (Ray tasks on a cluster, with the
``dualuse[ray]`` extra). Another engine (Dask, Spark) is a subclass registered by a plugin through
the ``register_executors`` hook; nothing else in dualuse changes.

A task is ``task(partition, shared)``: a module-level function (an engine may send it to another
process), the partition (anything picklable: a frame, a file list), and ``shared``, one value
every task reads (a watch list and its index, the resolved parties), sent once per map.

Examples:
    >>> from dualuse.execution import LocalExecutor
    >>> def scaled(x: int, factor: int) -> int:
    ...     return x * factor
    >>> with LocalExecutor() as engine:
    ...     engine.reduce(sum, engine.map(scaled, [1, 2, 3], 10))
    60
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

__all__ = ["Executor", "Progress", "Task"]

P = TypeVar("P")
S = TypeVar("S")
R = TypeVar("R")
T = TypeVar("T")

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called as each partition finishes (``label`` names the step)."""

Task = Callable[[P, S], R]
"""``task(partition, shared) -> result``: the work done on one partition."""


class Executor(ABC):
    """Where the partitions of a plan run. Subclasses implement :meth:`map`; :meth:`reduce` runs here.

    ``progress`` is called once per finished partition; ``options`` are the engine's own (an
    address, a number of CPUs) and are refused by engines that take none.
    """

    name: ClassVar[str] = ""
    """What ``engine=`` selects (``local``, ``ray``)."""

    def __init__(self, *, progress: Progress | None = None) -> None:
        self.progress = progress

    @abstractmethod
    def map(self, task: Task[P, S, R], partitions: Sequence[P], shared: S, *, label: str = "") -> list[R]:
        """``task(partition, shared)`` for every partition; the results in the order of ``partitions``.

        An exception raised by a task is raised here, as it was raised (after the engine's own
        retries for lost workers, which are not the task's fault).
        """

    def reduce(self, combine: Callable[[list[R]], T], results: list[R]) -> T:
        """The final step over all partitions' results, in this process.

        Examples:
            >>> from dualuse.execution import LocalExecutor
            >>> LocalExecutor().reduce(max, [3, 9, 4])
            9
        """
        return combine(results)

    def close(self) -> None:  # noqa: B027 - optional: most engines hold nothing
        """Release what the engine holds (a connection to a cluster). The executor may be used again."""

    def _tick(self, done: int, total: int, label: str) -> None:
        if self.progress is not None:
            self.progress(done, total, label)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def check_options(name: str, options: dict[str, Any], accepted: Sequence[str]) -> None:
    """Refuse options an engine does not take, naming the ones it does."""
    from dualuse.errors import ConfigError

    unknown = sorted(set(options) - set(accepted))
    if unknown:
        known = ", ".join(accepted) or "none"
        raise ConfigError(f"engine {name!r}: unknown option(s) {', '.join(unknown)} (it takes: {known})")
