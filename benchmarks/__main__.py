"""Run named benchmarks and print one table: figure, baseline, ratio, peak memory, target."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

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
    args = parser.parse_args()
    results: list[Measurement] = []
    for name in args.names or _available():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        results.extend(module.run(args.scale))
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
    ):
        table.add_column(column)
    for m in results:
        ratio = f"{m.ratio:.1f}x" if m.ratio else "-"
        base = _figure(m.baseline_value) if m.baseline_value is not None else "-"
        table.add_row(
            m.benchmark, m.figure, _figure(m.value), m.baseline, base, ratio, f"{m.peak_mb:,.0f}", m.target, m.note
        )
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps([m.__dict__ | {"ratio": m.ratio} for m in results], indent=2))


if __name__ == "__main__":
    main()
