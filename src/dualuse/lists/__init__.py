"""Dual-use lists: the bundled CHPL versions and UAV watch list, user lists, vectorised matching, diffs.

Examples:
    >>> from dualuse import lists
    >>> chpl = lists.get("chpl")
    >>> item = chpl.lookup("8541.21.0000")
    >>> item.tier, item.code, str(chpl.version)
    ('Tier 3.A', '854121', '2024-02-23')
    >>> lists.get("chpl", version="2023").lookup("8457.10") is None
    True
"""

from dualuse.lists.model import DualUseList, ListDiff, ListItem, ListVersion, combine, diff
from dualuse.lists.registry import ListSpec, available, get, load, register, resolve

__all__ = [
    "DualUseList",
    "ListDiff",
    "ListItem",
    "ListSpec",
    "ListVersion",
    "available",
    "combine",
    "diff",
    "get",
    "load",
    "register",
    "resolve",
]
