"""Run named benchmarks and print one table: figure, baseline, ratio, peak memory, target.

Each run is appended to ``benchmarks/results.jsonl`` (figures, commit, date, machine, load
average; see :mod:`benchmarks.record`) unless ``--no-record``, and a figure more than 20 % worse
than in the previous run on the same machine is printed as a warning.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import record
from benchmarks._harness import Measurement


def _available() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name.removeprefix("bench_") for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )


def _figure(value: float) -> str:
    """Small figures (precision, ratios) with three decimals, large ones with one."""
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(_available())}")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the size the target is stated for")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--no-record", action="store_true", help=f"do not append this run to {record.RESULTS.name}")
    args = parser.parse_args()
    run = record.Run.now(args.scale)
    results: list[Measurement] = []
    loads: list[tuple[float, float]] = []
    for name in args.names or _available():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        before = os.getloadavg()[0]
        measured = module.run(args.scale)
        after = os.getloadavg()[0]
        results.extend(measured)
        loads.extend([(before, after)] * len(measured))
    table = Table(title=f"dualuse benchmarks (scale {args.scale})")
    for column in (
        "benchmark",
        "figure",
        "dualuse",
        "baseline",
        "baseline figure",
        "ratio",
        "peak MB",
        "target",
        "load",
    ):
        table.add_column(column)
    for m, (before, after) in zip(results, loads, strict=True):
        ratio = f"{m.ratio:.2f}x" if m.ratio else "-"
        base = _figure(m.baseline_value) if m.baseline_value is not None else "-"
        table.add_row(
            m.benchmark,
            m.figure,
            _figure(m.value),
            m.baseline,
            base,
            ratio,
            f"{m.peak_mb:,.0f}",
            m.target,
            f"{before:.1f}-{after:.1f}",
            m.note,
        )
    console = Console()
    console.print(table)
    console.print(f"{run.machine}; commit {run.commit}; load average {loads[0][0]:.1f} to {loads[-1][1]:.1f}")
    records = record.rows(run, results, loads)
    for warning in record.regressions(records, record.read()):
        console.print(f"[bold yellow]warning: regression[/] {warning}", markup=True, highlight=False)
    if not args.no_record:
        record.record(records)
        console.print(f"recorded in {record.RESULTS}")
    if args.json:
        args.json.write_text(json.dumps([m.__dict__ | {"ratio": m.ratio} for m in results], indent=2))


if __name__ == "__main__":
    main()
