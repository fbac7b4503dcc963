"""``dualuse explore`` on the command line, and the demo pointing at it."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from dualuse.cli import main
from dualuse.demo import DemoResult


def test_build_only_writes_the_database_and_says_so(
    demo_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sqlite_utils", reason="the explore extra is not installed")
    copy = tmp_path / "ws"
    shutil.copytree(demo_workspace, copy, ignore=shutil.ignore_patterns("explore"))
    target = tmp_path / "out" / "demo.db"
    assert main(["explore", str(copy), "--build-only", "--db", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"built {target}" in out and "shipment lines" in out
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("select count(*) from chains").fetchone()[0] > 0
    assert main(["explore", str(copy), "--build-only", "--db", str(target)]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_a_workspace_without_results_builds_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sqlite_utils", reason="the explore extra is not installed")
    data = tmp_path / "s.csv"
    data.write_text(
        "shipment_id,date,hs_code,exporter_name,importer_name,source,source_row\nS1,2023-06-01,854231,A,B,s.csv,2\n"
    )
    assert main(["fetch", "csv", "--set", f"path={data}", "--workspace", str(tmp_path / "ws")]) == 0
    capsys.readouterr()
    assert main(["explore", str(tmp_path / "ws"), "--build-only"]) == 0
    assert "no analysis results" in capsys.readouterr().out


def test_an_empty_workspace_is_one_line_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", str(tmp_path), "--build-only"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: workspace") and "fetch data first" in err


def test_the_demo_summary_names_the_explore_command(demo_run: DemoResult, capsys: pytest.CaptureFixture[str]) -> None:
    from dualuse.cli.commands_report import _print_summary as print_summary

    assert demo_run.workspace is not None
    assert demo_run.explore_command == f"dualuse explore {demo_run.workspace.path}"
    assert demo_run.summary()["explore_command"] == demo_run.explore_command
    print_summary(demo_run)
    assert f"dualuse explore {demo_run.workspace.path}" in capsys.readouterr().out.replace("\n", "")


def test_without_the_extra_the_command_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name, *a))
    assert main(["explore", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "needs datasette" in err and "pip install 'dualuse[explore]'" in err
