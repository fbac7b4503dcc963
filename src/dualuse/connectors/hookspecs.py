"""The hooks a dualuse plugin can implement: moved to :mod:`dualuse.plugins.hookspecs` (re-exported here).

Code written against ``dualuse.connectors.hookspecs`` keeps working.
"""

from __future__ import annotations

from dualuse.plugins.hookspecs import (
    PROJECT,
    hookimpl,
    hookspec,
    register_connectors,
    register_executors,
    register_legal_forms,
    register_lists,
    register_presets,
)

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
