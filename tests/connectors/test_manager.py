"""The plugin host: safe loading, limits, tracing, duplicates, API version."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from dualuse.connectors import (
    Connector,
    ConnectorConfig,
    FetchContext,
    connectors,
    get_connector,
    hookimpl,
    load_errors,
    plugin_report,
)
from dualuse.errors import ConfigError

DistWriter = Callable[..., pathlib.Path]

GOOD_PLUGIN = """
import polars as pl
from dualuse.connectors import Connector, ConnectorConfig, hookimpl

class HelloConfig(ConnectorConfig):
    who: str = "world"

class Hello(Connector[HelloConfig]):
    name = "{name}"
    table = "parties"
    config_model = HelloConfig
    def fetch(self, context):
        yield pl.DataFrame({{"party_id": ["p1"], "name": [self.config.who], "source": ["hello"], "source_row": [1]}})

@hookimpl
def register_connectors(register):
    register(Hello)
"""


def test_builtins_are_default_plugins(fresh_manager: None) -> None:
    assert {"csv", "parquet", "excel"} <= set(connectors())
    builtin = next(p for p in plugin_report() if p.name == "dualuse.builtin")
    assert builtin.distribution == "dualuse"
    assert builtin.hooks == ("register_connectors", "register_executors", "register_presets")


def test_entry_point_plugin_is_discovered(install_dist: DistWriter) -> None:
    install_dist("dualuse-hello", "dualuse_hello", GOOD_PLUGIN.format(name="hello"))
    assert get_connector("hello").name == "hello"
    row = next(p for p in plugin_report() if p.name == "dualuse_hello")
    assert (row.distribution, row.version, row.connectors, row.tables, row.errors) == (
        "dualuse-hello",
        "1.2.3",
        ("hello",),
        ("parties",),
        (),
    )


def test_broken_import_is_recorded_and_the_rest_works(install_dist: DistWriter) -> None:
    install_dist("dualuse-broken", "dualuse_broken", "import no_such_module_anywhere\n")
    install_dist("dualuse-hello", "dualuse_hello", GOOD_PLUGIN.format(name="hello"))
    assert {"csv", "hello"} <= set(connectors())
    (error,) = [e for e in load_errors() if e.plugin == "dualuse_broken"]
    assert error.distribution == "dualuse-broken"
    assert "ModuleNotFoundError" in error.error and "no_such_module_anywhere" in error.error


def test_hook_that_raises_is_recorded(install_dist: DistWriter) -> None:
    install_dist(
        "dualuse-raises",
        "dualuse_raises",
        "from dualuse.connectors import hookimpl\n@hookimpl\ndef register_connectors(register):\n    raise RuntimeError('boom')\n",
    )
    assert "csv" in connectors()
    (row,) = [p for p in plugin_report() if p.name == "dualuse_raises"]
    assert row.errors == ("hook register_connectors raised RuntimeError: boom",)
    assert row.distribution == "dualuse-raises"


def test_incompatible_api_version_is_reported_not_loaded(install_dist: DistWriter) -> None:
    install_dist("dualuse-future", "dualuse_future", "DUALUSE_PLUGIN_API = 99\n" + GOOD_PLUGIN.format(name="future"))
    assert "future" not in connectors()
    (error,) = [e for e in load_errors() if e.plugin == "dualuse_future"]
    assert "DUALUSE_PLUGIN_API = 99" in error.error


def test_unknown_hook_is_reported(install_dist: DistWriter) -> None:
    install_dist(
        "dualuse-typo",
        "dualuse_typo",
        "from dualuse.connectors import hookimpl\n@hookimpl\ndef register_conectors(register):\n    pass\n",
    )
    (error,) = [e for e in load_errors() if e.plugin == "dualuse_typo"]
    assert "register_conectors" in error.error
    assert "plugin 'dualuse_typo' (dualuse_typo" in error.error and "object at 0x" not in error.error


def test_two_connectors_with_one_name_name_both_distributions(install_dist: DistWriter) -> None:
    install_dist("dualuse-one", "dualuse_one", GOOD_PLUGIN.format(name="twin"))
    install_dist("dualuse-two", "dualuse_two", GOOD_PLUGIN.format(name="twin"))
    assert "twin" in connectors() and "csv" in connectors()  # the first registration works
    errors = [(p.name, e) for p in plugin_report() for e in p.errors]
    ((later, message),) = [(n, e) for n, e in errors if "registered twice" in e]
    assert re.search(r"by distribution 'dualuse-(one|two)'.*by distribution 'dualuse-(two|one)'", message)
    assert later in ("dualuse_one", "dualuse_two") and "the later one is refused" in message


def test_dualuse_plugins_limits_loading(install_dist: DistWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    install_dist("dualuse-one", "dualuse_one", GOOD_PLUGIN.format(name="one"))
    install_dist("dualuse-two", "dualuse_two", GOOD_PLUGIN.format(name="two"))
    from dualuse.connectors import reset_plugin_manager

    monkeypatch.setenv("DUALUSE_PLUGINS", "dualuse_two")
    reset_plugin_manager()
    assert "two" in connectors() and "one" not in connectors()
    monkeypatch.setenv("DUALUSE_PLUGINS", "")
    reset_plugin_manager()
    assert set(connectors()) == {"csv", "excel", "parquet"}


def test_trace_hooks_writes_calls_to_stderr(
    fresh_manager: None, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DUALUSE_TRACE_HOOKS", "1")
    from dualuse.connectors import get_plugin_manager, reset_plugin_manager

    reset_plugin_manager()
    get_plugin_manager().hook.register_presets(register=lambda preset: None)
    connectors()
    err = capfd.readouterr().err
    assert "register_presets" in err
    assert "register_connectors [plugin dualuse.builtin]" in err


def test_invalid_connector_class_is_recorded(fresh_manager: None, register_plugin: Any) -> None:
    class NotAConnector:
        name = "bogus"

    class Plugin:
        @staticmethod
        @hookimpl
        def register_connectors(register: Any) -> None:
            register(NotAConnector)

    register_plugin(Plugin, "bogus-plugin")
    assert "bogus" not in connectors()
    assert any("is not a subclass of dualuse.connectors.Connector" in e.error for e in load_errors())


def test_plugin_registered_inside_a_test(fresh_manager: None, register_plugin: Any, tmp_path: Any) -> None:
    class EchoConfig(ConnectorConfig):
        text: str

    class Echo(Connector[EchoConfig]):
        name = "echo"
        table = "parties"
        config_model = EchoConfig

        def fetch(self, context: FetchContext) -> list[pl.DataFrame]:
            return [
                pl.DataFrame({"party_id": ["e1"], "name": [self.config.text], "source": ["echo"], "source_row": [1]})
            ]

    class Plugin:
        @staticmethod
        @hookimpl
        def register_connectors(register: Any) -> None:
            register(Echo)

    register_plugin(Plugin, "echo-plugin")
    from dualuse.store import Workspace

    stored = Workspace(tmp_path).fetch("echo", {"text": "ТОО Ромашка"})
    assert stored.read()["name"].to_list() == ["ТОО Ромашка"]


def test_unknown_connector_lists_known_names(fresh_manager: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUALUSE_PLUGINS", "")
    with pytest.raises(ConfigError, match=r"unknown connector 'nope'; known connectors: .*csv, excel, parquet"):
        get_connector("nope")


def _run_cli(site: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("DUALUSE_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-m", "dualuse", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_broken_plugin_installed_for_real_does_not_break_the_cli(install_dist: DistWriter) -> None:
    site = install_dist("dualuse-broken", "dualuse_broken", "raise ImportError('this plugin is broken')\n")
    help_run = _run_cli(site, "--help")
    assert help_run.returncode == 0, help_run.stderr
    assert "plugins" in help_run.stdout
    listing = _run_cli(site, "plugins", "--json")
    assert listing.returncode == 0, listing.stderr
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["dualuse_broken"]["distribution"] == "dualuse-broken"
    assert rows["dualuse_broken"]["errors"] == ["ImportError: this plugin is broken"]
    assert rows["dualuse.builtin"]["connectors"] == ["csv", "excel", "parquet"]
