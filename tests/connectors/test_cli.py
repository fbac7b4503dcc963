"""``dualuse plugins``, ``dualuse fetch`` and ``dualuse ingest``."""

from __future__ import annotations

import json
import pathlib

import pytest

from dualuse.cli.app import run
from dualuse.store import Workspace


def test_plugins_json(fresh_manager: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plugins", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["dualuse.builtin"]["connectors"] == ["csv", "excel", "parquet"]
    assert rows["dualuse.builtin"]["hooks"] == ["register_connectors", "register_executors", "register_presets"]
    assert rows["dualuse.builtin"]["engines"] == ["local", "ray"]


def test_plugins_table(
    fresh_manager: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert run(["plugins"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "dualuse.builtin" in line)
    assert "csv, excel, parquet" in line and "flows, parties, shipments" in line


def test_ingest_with_preset(tmp_path: pathlib.Path, data_dir: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "ingest",
            str(data_dir / "declarations_cp1251.csv"),
            "--preset",
            "ru-declarations",
            "--workspace",
            str(tmp_path),
            "--name",
            "decl",
        ]
    )
    assert code == 0
    assert "stored decl (shipments): 5 rows accepted, 3 rejected" in capsys.readouterr().out
    assert Workspace(tmp_path).table("decl").read().height == 5


def test_fetch_with_set_and_config(
    tmp_path: pathlib.Path, data_dir: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            [
                "fetch",
                "csv",
                "--set",
                f"path={data_dir / 'baci_sample.csv'}",
                "--set",
                "preset=baci",
                "--workspace",
                str(tmp_path),
                "--name",
                "b1",
            ]
        )
        == 0
    )
    config = tmp_path / "baci.toml"
    config.write_text(f'path = "{data_dir / "baci_sample.csv"}"\npreset = "baci"\nbatch_rows = 2\n', encoding="utf-8")
    assert run(["fetch", "csv", "--config", str(config), "--workspace", str(tmp_path), "--name", "b2"]) == 0
    out = capsys.readouterr().out
    assert "stored b1 (flows): 4 rows accepted, 1 rejected" in out and "stored b2 (flows)" in out
    assert Workspace(tmp_path).table("b2").manifest.config["batch_rows"] == 2


def test_errors_are_one_line_and_exit_1(
    tmp_path: pathlib.Path, data_dir: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["ingest", str(data_dir / "baci_sample.csv"), "--preset", "nope", "--workspace", str(tmp_path)]) == 1
    assert "unknown preset 'nope'" in capsys.readouterr().err
    assert run(["fetch", "csv", "--set", "novalue", "--workspace", str(tmp_path)]) == 1
    assert "--set 'novalue': expected key=value" in capsys.readouterr().err
    assert run(["fetch", "nope", "--workspace", str(tmp_path)]) == 1
    assert "unknown connector 'nope'" in capsys.readouterr().err
