"""The hooks a dualuse plugin can implement (pluggy project ``dualuse``, entry-point group ``dualuse``).

Every hook receives a ``register`` callback, as in ``llm``: a plugin calls it once per thing it
adds. Hook arguments are only ever added, never renamed or removed, so a plugin written against
an older version keeps working. Each hook is documented, with its full signature, in
``docs/how-to/write-a-plugin.md`` (a test checks it). The argument types are imported only for type
checking, so the host never imports the parts of dualuse that register through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from dualuse.connectors.base import Connector
    from dualuse.connectors.mapping import MappingPreset
    from dualuse.execution.executor import Executor
    from dualuse.lists.model import DualUseList

__all__ = [
    "PROJECT",
    "hookimpl",
    "hookspec",
    "register_connectors",
    "register_executors",
    "register_legal_forms",
    "register_lists",
    "register_presets",
]

PROJECT = "dualuse"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_connectors(register: Callable[[type[Connector[Any]]], None]) -> None:
    """Register connector classes: call ``register(MyConnector)`` once per connector."""


@hookspec
def register_lists(register: Callable[[DualUseList], None]) -> None:
    """Register dual-use lists: call ``register(dual_use_list)`` once per list version."""


@hookspec
def register_presets(register: Callable[[MappingPreset], None]) -> None:
    """Register column-mapping presets for the file connectors: ``register(preset)``."""


@hookspec
def register_legal_forms(register: Callable[..., None]) -> None:
    """Register legal forms for screening: ``register(form, tag, *, country=None)``.

    For example ``register("ТОО", "llp", country="KZ")``: the form is stripped from names before
    matching and never counts as evidence on its own.
    """


@hookspec
def register_executors(register: Callable[[type[Executor]], None]) -> None:
    """Register execution engines: call ``register(MyExecutor)`` once per :class:`~dualuse.execution.Executor` class.

    The class's ``name`` is what ``engine=`` (and ``dualuse --engine``, ``DUALUSE_ENGINE``) selects;
    it is built with the options the user gives (``get_executor("dask", address=...)``).
    """
