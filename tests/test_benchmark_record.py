"""The benchmark record: every run kept with its context, regressions warned about, the Performance page built from it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks/ lives beside src/, as the docs hook finds it

harness = importlib.import_module("benchmarks._harness")
record = importlib.import_module("benchmarks.record")


def _run(commit: str, machine: str = "EPYC, 2 cores, 24 GiB", scale: float = 1.0) -> Any:
    return record.Run(
        run=f"2026-01-0{commit[-1]}T00:00:00+00:00",
        commit=commit,
        date=f"2026-01-0{commit[-1]}",
        machine=machine,
        scale=scale,
        python="3.11",
        polars="2.1",
    )


def _ingest(rate: float, floor: float, peak: float = 900.0) -> Any:
    return harness.Measurement("ingest", "rows/s", rate, "polars floor", floor, peak, target=">= 0.8x")


def _seconds(seconds: float) -> Any:
    return harness.Measurement("mirror", "seconds", seconds, "-", None, 4000.0, higher_is_better=False)


def test_a_run_is_appended_with_its_commit_date_machine_and_load(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    record.record(record.rows(_run("aaa0001"), [_ingest(1e6, 2e6)], [(1.1, 1.3)]), path)
    record.record(record.rows(_run("bbb0002"), [_ingest(1.2e6, 2e6), _seconds(20.0)], [(0.9, 1.0)] * 2), path)
    rows = record.read(path)
    assert [(r["commit"], r["benchmark"]) for r in rows] == [
        ("aaa0001", "ingest"),
        ("bbb0002", "ingest"),
        ("bbb0002", "mirror"),
    ]
    first = rows[0]
    assert (first["date"], first["machine"], first["load_before"], first["load_after"]) == (
        "2026-01-01",
        "EPYC, 2 cores, 24 GiB",
        1.1,
        1.3,
    )
    assert first["ratio"] == pytest.approx(0.5) and rows[2]["ratio"] is None


def test_a_ratio_more_than_20_percent_worse_than_the_previous_run_on_the_machine_is_a_warning() -> None:
    history = record.rows(_run("aaa0001"), [_ingest(1e6, 2e6)], [(1.0, 1.0)])
    worse = record.rows(_run("bbb0002"), [_ingest(0.7e6, 2e6)], [(1.0, 1.0)])
    (warning,) = record.regressions(worse, history)
    assert "ingest, rows/s (scale 1.0): 0.350 against 0.500 at aaa0001" in warning and "-30 %" in warning


def test_a_slower_figure_on_a_slower_day_is_no_regression_when_its_ratio_holds() -> None:
    history = record.rows(_run("aaa0001"), [_ingest(1e6, 2e6)], [(1.0, 1.0)])
    loaded = record.rows(_run("bbb0002"), [_ingest(0.6e6, 1.25e6)], [(9.0, 9.0)])  # both slowed: 0.48 vs 0.50
    assert record.regressions(loaded, history) == []


def test_only_the_same_figure_at_the_same_scale_on_the_same_machine_is_compared() -> None:
    history = record.rows(_run("aaa0001"), [_ingest(1e6, 2e6)], [(1.0, 1.0)])
    other_machine = record.rows(_run("bbb0002", machine="laptop"), [_ingest(0.2e6, 2e6)], [(1.0, 1.0)])
    other_scale = record.rows(_run("bbb0002", scale=0.1), [_ingest(0.2e6, 2e6)], [(1.0, 1.0)])
    assert record.regressions(other_machine + other_scale, history) == []


def test_the_latest_previous_run_is_the_reference() -> None:
    history = record.rows(_run("aaa0001"), [_ingest(1e6, 2e6)], [(1.0, 1.0)])
    history += record.rows(_run("bbb0002"), [_ingest(0.5e6, 2e6)], [(1.0, 1.0)])
    now = record.rows(_run("ccc0003"), [_ingest(0.45e6, 2e6)], [(1.0, 1.0)])  # -10 % on bbb, -55 % on aaa
    assert record.regressions(now, history) == []


def test_seconds_and_memory_regress_upwards() -> None:
    history = record.rows(_run("aaa0001"), [_seconds(20.0)], [(1.0, 1.0)])
    slower = record.rows(_run("bbb0002"), [_seconds(26.0)], [(1.0, 1.0)])
    assert any("the figure itself" in w for w in record.regressions(slower, history))
    bigger = [r | {"peak_mb": 5000.0} for r in record.rows(_run("bbb0002"), [_seconds(20.0)], [(1.0, 1.0)])]
    assert record.regressions(bigger, history) == [
        "mirror, seconds (scale 1.0): peak memory 5,000 MB against 4,000 MB at aaa0001 on 2026-01-01 (+25 %)"
    ]


def test_the_page_shows_each_figures_latest_run_then_every_run_newest_first() -> None:
    rows = record.rows(_run("aaa0001"), [_ingest(1e6, 2e6), _seconds(20.0)], [(1.0, 1.5)] * 2)
    rows += record.rows(_run("bbb0002"), [_ingest(1.6e6, 2e6)], [(0.5, 0.7)])
    page = record.page(rows)
    latest, history = page.split("## History")
    assert "| ingest | rows/s | 1.0 | 1,600,000.0 | polars floor | 2,000,000.0 | 0.80x |" in latest
    assert "aaa0001" not in latest.split("| mirror")[0] and "| mirror | seconds |" in latest
    ingest = history.split("### ingest")[1].split("### mirror")[0]
    assert ingest.index("bbb0002") < ingest.index("aaa0001")
    assert "| 0.5-0.7 |" in ingest and "| 1.0-1.5 |" in ingest


def test_the_docs_hook_puts_the_recorded_runs_on_the_performance_page() -> None:
    hooks = importlib.import_module("scripts.docs_hooks")
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    built = hooks.on_page_markdown(page)
    assert "<!-- benchmarks -->" not in built
    assert ("## Latest figures" in built) == bool(record.read())
