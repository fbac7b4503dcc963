"""Every benchmark runs to its table at a tiny scale, and every equality it checks holds.

The benchmarks are run on demand, for minutes or hours; one that crashes at its last step (as
``scale_ray`` did, after ten minutes) wastes the run. Here each runs as a user runs it, at a scale
that takes seconds, without recording its figures. Nothing is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TINY = {
    "chains": 0.0002,
    "demo": 1.0,  # one size only
    "explore": 0.0002,
    "ingest": 0.0005,
    "mirror": 0.0002,
    "sanctions": 0.001,
    "scale": 0.0005,
    "scale_ray": 0.002,
    "scale_screening": 0.0001,
    "screening": 0.0002,
}


def test_every_benchmark_has_a_tiny_scale() -> None:
    found = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "benchmarks").glob("bench_*.py"))
    assert found == sorted(TINY)


@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_runs_to_its_table(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUALUSE_BENCH")}
    env["COLUMNS"] = "250"  # temporary folders stay in the default place: Ray's socket paths are short
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", name, "--scale", str(TINY[name]), "--no-record"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "dualuse benchmarks" in done.stdout
    assert "equal: False" not in done.stdout and "equal to whole-table: False" not in done.stdout
