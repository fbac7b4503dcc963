from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from dualuse.cli import main


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("dualuse ")
    assert main(["--help"]) == 0
    assert "lists" in capsys.readouterr().out


def test_lists_show_chpl_csv_prints_50_codes_with_tiers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lists", "show", "chpl", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 50
    assert {r["tier"] for r in rows} == {"Tier 1", "Tier 2", "Tier 3.A", "Tier 3.B", "Tier 4.A", "Tier 4.B"}


def test_lists_match_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lists", "match", "8541.21.0000", "0101.21", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == [
        {"code": "8541210000", "item": "854121", "tier": "Tier 3.A", "matched_on": "HS2022"},
        {"code": "010121", "item": None, "tier": None, "matched_on": None},
    ]


def test_errors_are_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lists", "match", "85x"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: HS code '85x'") and "\n" not in err and "Traceback" not in err


def test_usage_error_exits_2() -> None:
    assert main(["lists", "show"]) == 2


def test_console_script_and_light_import() -> None:
    out = subprocess.run([sys.executable, "-m", "dualuse", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("dualuse ")
    probe = "import sys, dualuse; print(sorted(m for m in ('polars', 'pydantic', 'typer') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"  # `import dualuse` does no heavy work
