"""dualuse: track dual-use goods flowing to Russia around export controls.

The top level stays light: submodules load on first use.

Examples:
    >>> import dualuse
    >>> dualuse.HSCode.parse("8542.31").hs6
    '854231'
    >>> dualuse.lists.get("chpl").lookup("8542.31").tier
    'Tier 1'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dualuse._version import __version__

if TYPE_CHECKING:
    from dualuse import flows, geo, hs, inputs, lists, report, schema, screening, store, synth, trace
    from dualuse.errors import DualuseError
    from dualuse.frames import output, set_output
    from dualuse.hs import HSCode
    from dualuse.inputs import read as validate
    from dualuse.route import Route

__all__ = [
    "DualuseError",
    "HSCode",
    "Route",
    "__version__",
    "flows",
    "geo",
    "hs",
    "inputs",
    "lists",
    "output",
    "report",
    "schema",
    "screening",
    "set_output",
    "store",
    "synth",
    "trace",
    "validate",
]

_ATTRS = {
    "DualuseError": ("dualuse.errors", "DualuseError"),
    "HSCode": ("dualuse.hs", "HSCode"),
    "Route": ("dualuse.route", "Route"),
    "output": ("dualuse.frames", "output"),
    "set_output": ("dualuse.frames", "set_output"),
    "validate": ("dualuse.inputs", "read"),
}
_MODULES = {"flows", "geo", "hs", "inputs", "lists", "report", "schema", "screening", "store", "synth", "trace"}


def __getattr__(name: str) -> Any:
    if name in _ATTRS:
        module, attr = _ATTRS[name]
        return getattr(importlib.import_module(module), attr)
    if name in _MODULES:
        return importlib.import_module(f"dualuse.{name}")
    raise AttributeError(f"module 'dualuse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
