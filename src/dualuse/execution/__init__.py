"""Execution: where the partitions of a plan run (see :mod:`dualuse.execution.executor`).

Algorithms describe what is closed under which key; an executor runs the partitions (``local``:
one after another in this process; ``ray``: as Ray tasks on a cluster) and the plan reduces their
results. Inputs may be partitioned Parquet datasets (:class:`Dataset`), read chunk by chunk.

Examples:
    >>> from dualuse.execution import get_executor
    >>> get_executor("local")
    LocalExecutor()
"""

from __future__ import annotations

from dualuse.execution.datasets import Chunk, Dataset, as_dataset, is_dataset
from dualuse.execution.executor import Executor, Progress, Task
from dualuse.execution.local import LocalExecutor
from dualuse.execution.ray_engine import RayExecutor
from dualuse.execution.registry import Engine, engine_plugins, executors, get_executor

__all__ = [
    "Chunk",
    "Dataset",
    "Engine",
    "Executor",
    "LocalExecutor",
    "Progress",
    "RayExecutor",
    "Task",
    "as_dataset",
    "engine_plugins",
    "executors",
    "get_executor",
    "is_dataset",
]
