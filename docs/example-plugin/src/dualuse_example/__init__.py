"""Example dualuse plugin: the ``jsonl-parties`` connector."""

from __future__ import annotations

from dualuse_example.connector import JsonlParties, JsonlPartiesConfig

__all__ = ["JsonlParties", "JsonlPartiesConfig"]
