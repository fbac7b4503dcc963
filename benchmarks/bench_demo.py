"""The main job: ``dualuse demo`` end to end (target: well under a minute on a 2-core machine).

The demo has one size (the bundled scenario), so ``scale`` is ignored. Reported: the whole run and
each step, in a fresh process (imports included, as a user would see it).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks._harness import Measurement, measure


def run_demo_once(folder: str) -> list[tuple[str, float]]:
    """Run the demo into ``folder``; return (step, seconds) pairs, the whole run first."""
    start = time.perf_counter()
    from dualuse.demo import run_demo

    result = run_demo(Path(folder))
    return [("total, with imports", time.perf_counter() - start)] + [(s.name, s.seconds) for s in result.steps]


def run(scale: float) -> list[Measurement]:
    """Measure one demo run (``scale`` does not apply: the scenario has one size)."""
    with tempfile.TemporaryDirectory() as folder:
        timing = measure(run_demo_once, folder)
    steps: list[tuple[str, float]] = timing.result
    return [
        Measurement(
            benchmark="demo",
            figure=f"seconds: {name}",
            value=seconds,
            baseline="-",
            baseline_value=None,
            peak_mb=timing.peak_mb,
            target="< 60 s" if name.startswith("total") else "",
            higher_is_better=False,
        )
        for name, seconds in steps
    ]
