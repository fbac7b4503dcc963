"""Connected components of a graph given as integer edges (a union-find over numbered nodes).

The partitioned chains plan needs the groups (party, heading) that lines link together; no library
on the dependency list offers connected components, and this is twenty lines.

Examples:
    >>> import polars as pl
    >>> edges = pl.DataFrame({"a": [0, 1, 4], "b": [1, 2, 5]})
    >>> components(6, edges).to_list()
    [0, 0, 0, 3, 4, 4]
"""

from __future__ import annotations

import polars as pl

__all__ = ["components"]


def components(nodes: int, edges: pl.DataFrame) -> pl.Series:
    """The component of each node ``0..nodes-1`` (named by its lowest node) given edges ``a``-``b``."""
    parent = list(range(nodes))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # halve the path as we go
            node = parent[node]
        return node

    for a, b in zip(edges.get_column("a").to_list(), edges.get_column("b").to_list(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the lower node names the component
    return pl.Series("component", [root(node) for node in range(nodes)], dtype=pl.Int64)
