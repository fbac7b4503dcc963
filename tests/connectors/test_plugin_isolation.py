"""One plugin never takes the host down: sys.exit at import, a hanging import, a duplicate name (issue 14)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from dualuse.cli import main
from dualuse.connectors import connectors, get_connector, plugin_report

from .conftest import DistWriter

HELLO = """
import polars as pl
from dualuse.connectors import Connector, ConnectorConfig, hookimpl

class Config(ConnectorConfig):
    pass

class Csv(Connector[Config]):
    name = "{name}"
    table = "parties"
    config_model = Config
    def fetch(self, context):
        yield pl.DataFrame({{"party_id": ["p"], "name": ["n"], "source": ["s"], "source_row": [1]}})

@hookimpl
def register_connectors(register):
    register(Csv)
"""


def test_a_plugin_calling_sys_exit_at_import_is_reported_and_the_rest_works(
    install_dist: DistWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    install_dist("dualuse-quitter", "dualuse_quitter", "import sys\nsys.exit(3)\n")
    install_dist("dualuse-hello", "dualuse_hello", HELLO.format(name="hello"))
    assert main(["plugins", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["dualuse_quitter"]["errors"] == ["PluginError: called sys.exit(3) while importing"]
    assert rows["dualuse_hello"]["connectors"] == ["hello"] and "csv" in rows["dualuse.builtin"]["connectors"]


def test_a_hook_that_raises_base_exception_is_reported(install_dist: DistWriter) -> None:
    install_dist(
        "dualuse-exits",
        "dualuse_exits",
        "import sys\nfrom dualuse.connectors import hookimpl\n@hookimpl\ndef register_connectors(register):\n"
        "    sys.exit(4)\n",
    )
    assert "csv" in connectors()
    (row,) = [p for p in plugin_report() if p.name == "dualuse_exits"]
    assert row.errors == ("hook register_connectors raised SystemExit: 4",)


def test_a_plugin_whose_import_hangs_is_timed_out_and_named_by_trace(
    install_dist: DistWriter, tmp_path: pathlib.Path
) -> None:
    site = install_dist("dualuse-hangs", "dualuse_hangs", "import threading\nthreading.Event().wait()\n")
    install_dist("dualuse-hello", "dualuse_hello", HELLO.format(name="hello"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path]), "DUALUSE_PLUGIN_TIMEOUT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "dualuse", "plugins", "--json", "--trace"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert rows["dualuse_hangs"]["errors"] == [
        "PluginError: import did not finish within 1 s (set DUALUSE_PLUGIN_TIMEOUT to wait longer)"
    ]
    assert rows["dualuse_hello"]["connectors"] == ["hello"]
    assert "dualuse: importing plugin dualuse_hangs (dualuse-hangs 1.2.3) ..." in done.stderr


def test_a_duplicate_connector_name_refuses_only_the_later_registration(
    install_dist: DistWriter, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_dist("dualuse-clash", "dualuse_clash", HELLO.format(name="csv"))  # clashes with the built-in
    install_dist("dualuse-hello", "dualuse_hello", HELLO.format(name="hello"))
    assert get_connector("csv").__module__ == "dualuse.connectors.builtin.csv"
    assert {"csv", "excel", "parquet", "hello"} <= set(connectors())
    source = tmp_path / "parties.csv"
    source.write_text("party_id,name\np1,ACME\n", encoding="utf-8")
    assert main(["ingest", str(source), "--set", "table=parties", "-w", str(tmp_path / "ws")]) == 0
    rows = {p.name: p.errors for p in plugin_report()}
    assert any("the later one is refused" in e for e in rows["dualuse_clash"])
    assert rows["dualuse.builtin"] == () and rows["dualuse_hello"] == ()
