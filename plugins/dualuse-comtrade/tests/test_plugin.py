"""The plugin is discoverable: its entry point, its hook, and the host's registry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy
from dualuse.connectors import PLUGIN_API_VERSION, Connector, get_connector

from dualuse_comtrade import ComtradeConnector, plugin


def test_entry_point_names_the_plugin_module() -> None:
    (point,) = [p for p in entry_points(group="dualuse") if p.name == "comtrade"]
    assert point.value == "dualuse_comtrade.plugin"
    assert point.load() is plugin


def test_hook_registers_the_connector() -> None:
    manager = pluggy.PluginManager("dualuse")
    manager.register(plugin)
    registered: list[type[Connector[Any]]] = []
    manager.hook.register_connectors(register=registered.append)
    assert registered == [ComtradeConnector]
    assert plugin.DUALUSE_PLUGIN_API == PLUGIN_API_VERSION


def test_the_host_finds_the_connector() -> None:
    found = get_connector("comtrade")
    assert found is ComtradeConnector
    assert (found.name, found.table) == ("comtrade", "flows")


def test_dualuse_plugins_lists_it() -> None:
    command = shutil.which("dualuse", path=str(Path(sys.executable).parent)) or shutil.which("dualuse")
    assert command is not None, "the dualuse command is not installed"
    done = subprocess.run([command, "plugins", "--json"], capture_output=True, text=True, check=True, timeout=60)
    (entry,) = [p for p in json.loads(done.stdout) if p["distribution"] == "dualuse-comtrade"]
    assert (entry["connectors"], entry["tables"], entry["errors"]) == (["comtrade"], ["flows"], [])
    assert entry["hooks"] == ["register_connectors"]
