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

from dualuse.lists.model import DualUseList, ListDiff, ListItem, ListVersion, diff
from dualuse.lists.registry import available, get, load, register

__all__ = [
    "DualUseList",
    "ListDiff",
    "ListItem",
    "ListVersion",
    "available",
    "diff",
    "get",
    "load",
    "register",
]
