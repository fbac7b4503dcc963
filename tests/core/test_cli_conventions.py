"""Conventions every ``dualuse`` command keeps: an example in its help, flags as flags, readable types and
defaults, one option name per concept (old spellings as hidden aliases), ``--json``, batches that go on."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from dualuse.cli import _progress, commands_trace, main
from dualuse.cli.app import app
from dualuse.synth.shipments import demo_cases, generate_shipments


def _commands() -> Iterator[tuple[str, Any]]:
    """Every command and group, by its full name (``lists match``)."""

    def walk(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        yield " ".join(path), command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


COMMANDS = dict(_commands())
LEAVES = {name: c for name, c in COMMANDS.items() if name and not getattr(c, "commands", None)}


def _help(name: str) -> str:
    result = CliRunner().invoke(app, [*name.split(), "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_help_has_an_example_and_readable_types(name: str) -> None:
    text = _help(name)
    assert "Example" in text, f"`dualuse {name} --help` has no example"
    assert re.findall(r"<(bool|str|int|float|path|list\[[a-z]+\])>", text) == []
    assert re.findall(r"\d\.\d{5,}", text) == [], "a default printed with all its decimals"


@pytest.mark.parametrize("name", sorted(LEAVES))
def test_every_command_that_prints_results_has_json(name: str) -> None:
    options = {opt for param in LEAVES[name].params for opt in getattr(param, "opts", [])}
    assert "--json" in options
    assert "-v" not in options  # -v means nothing but what it means everywhere (it is not a list version)


def test_one_name_per_concept_with_the_old_spellings_hidden() -> None:
    assert "--hubs" in _help("hubs") and "--hub " not in _help("hubs")
    assert "--watchlist" in _help("trace") and "--sanctioned" not in _help("trace")
    assert "--watchlist" in _help("screen names") and "--against" not in _help("screen names")
    assert "--list-version" in _help("lists show")


def test_old_spellings_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lists", "show", "chpl", "--version", "2023", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 45


def test_a_batch_reports_bad_items_and_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lists", "match", "8806.22", "abc", "854231", "--json"]) == 1
    out, err = capsys.readouterr()
    assert [row["code"] for row in json.loads(out)] == ["880622", "854231"]
    assert err.count("error:") == 1 and "'abc'" in err


def test_json_of_a_summary_command(tmp_path: Path) -> None:
    flows = tmp_path / "flows.csv"
    flows.write_text(
        "period,freq,reporter,partner,flow,hs_code,value_usd,source,source_row\n"
        "2023-01-01,A,KZ,CN,import,880622,5900000,t,1\n2023-01-01,A,KZ,RU,export,880622,2700000,t,2\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["hubs", str(flows), "--origin", "CN", "--hubs", "KZ", "--out", str(tmp_path / "h.parquet"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "rows": 1,
        "out": str(tmp_path / "h.parquet"),
        "re_export_usd": 2_700_000.0,
        "findings": None,
        "findings_file": None,
    }


@pytest.fixture
def shipments_file(tmp_path: Path) -> Path:
    path = tmp_path / "shipments.parquet"
    generate_shipments(seed=2, chains=12, background=30, planted=demo_cases()).shipments.write_parquet(path)
    return path


def test_trace_shows_the_strongest_chains_first_and_names_its_steps(
    shipments_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[str] = []

    @contextmanager
    def recorded(first: str, *, enabled: bool = True) -> Iterator[Callable[[str], None]]:
        steps.append(first)
        yield steps.append

    monkeypatch.setattr(commands_trace, "status", recorded)
    args = ["trace", str(shipments_file), "--out", str(tmp_path / "out"), "--hubs", "KZ,KG,AM,AE,TR"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    scores = [c["score"] for c in json.loads(result.stdout)["top_chains"]]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)
    assert [s.split(" ")[0] for s in steps] == ["reading", "tracing", "red", "writing"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "strongest first" in result.stdout


def test_progress_draws_nothing_for_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = io.StringIO()
    monkeypatch.setattr(_progress, "_stderr", lambda: Console(file=seen, force_terminal=False))
    with _progress.status("reading") as step:
        step("writing")
    with _progress.step_progress(enabled=False, total=3) as advance:
        assert advance is None
    assert seen.getvalue() == ""


def test_screen_eval_is_a_subcommand_and_names_the_default() -> None:
    assert "eval" in _help("screen") and "names" in _help("screen")
    result = CliRunner().invoke(app, ["screen", "eval", "--json", "--folds", "2", "--no-tune"])
    assert result.exit_code == 0 and {s["set"] for s in json.loads(result.stdout)["sets"]}
    from dualuse.screening.evaluate import regional_pairs

    result = CliRunner().invoke(app, ["screen", "eval", str(regional_pairs()), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["best"]["f1"] > 0.9
