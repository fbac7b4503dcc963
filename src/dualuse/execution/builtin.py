"""The built-in executors, registered as part of the default plugin ``dualuse.builtin``.

Registering the Ray executor imports nothing from Ray: Ray is imported when a map first runs.
"""

from __future__ import annotations

from collections.abc import Callable

from dualuse.execution.executor import Executor
from dualuse.execution.local import LocalExecutor
from dualuse.execution.ray_engine import RayExecutor
from dualuse.plugins.hookspecs import hookimpl

__all__ = ["register_executors"]


@hookimpl
def register_executors(register: Callable[[type[Executor]], None]) -> None:
    """Register ``local`` and ``ray``."""
    register(LocalExecutor)
    register(RayExecutor)
