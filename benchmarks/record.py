"""Every benchmark run kept: its figures, commit, date, machine and load, in ``benchmarks/results.jsonl``.

``python -m benchmarks`` (and ``make bench``) appends one JSON line per figure unless given
``--no-record``, and warns about each figure more than 20 % worse than in the previous run of
the same benchmark, figure and scale on the same machine. A figure measured against a baseline
in the same run is compared by its ratio to that baseline (the machines are shared: the ratio
survives other people's load, the raw figure does not); peak memory is compared as it is.

The docs' Performance page is made from the file (:func:`page`, through the mkdocs hook in
``scripts/docs_hooks.py``), so it always shows the latest figures and their history.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks._harness import Measurement

__all__ = ["RESULTS", "THRESHOLD", "Run", "machine", "page", "read", "record", "regressions", "rows"]

RESULTS = Path(__file__).with_name("results.jsonl")
THRESHOLD = 0.20
"""A figure this much worse than in the previous run on the same machine is a regression."""


@dataclass(frozen=True)
class Run:
    """What is written beside every figure of one run of ``python -m benchmarks``."""

    run: str
    commit: str
    date: str
    machine: str
    scale: float
    python: str
    polars: str

    @classmethod
    def now(cls, scale: float) -> Run:
        """This run: its start time (also its id), the checked-out commit, this machine."""
        import polars

        started = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return cls(
            run=started.isoformat(),
            commit=_commit(),
            date=started.date().isoformat(),
            machine=machine(),
            scale=scale,
            python=platform.python_version(),
            polars=polars.__version__,
        )


def machine() -> str:
    """The processor, core count and memory of this machine: what makes two runs comparable."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
        kib = next(int(line.split()[1]) for line in lines if line.startswith("MemTotal:"))
        memory = f", {round(kib / 2**20)} GiB"
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores{memory}"


def _commit() -> str:
    """The short commit hash, ``-dirty`` when tracked files differ from it, ``unknown`` outside git."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "src", "benchmarks", "plugins"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}-dirty" if changed else head


def rows(run: Run, measurements: Iterable[Measurement], loads: Sequence[tuple[float, float]]) -> list[dict[str, Any]]:
    """One record per figure: the run, the figure, its ratio, and the load average before and after it."""
    return [
        asdict(run) | asdict(m) | {"ratio": m.ratio, "load_before": before, "load_after": after}
        for m, (before, after) in zip(measurements, loads, strict=True)
    ]


def record(records: Iterable[dict[str, Any]], path: Path = RESULTS) -> None:
    """Append ``records`` to ``path``, one JSON line each."""
    with path.open("a", encoding="utf-8") as out:
        for row in records:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def read(path: Path = RESULTS) -> list[dict[str, Any]]:
    """Every recorded figure, oldest first (an absent file is no runs)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _key(row: dict[str, Any]) -> tuple[str, str, float, str]:
    return row["benchmark"], row["figure"], row["scale"], row["machine"]


def _goodness(row: dict[str, Any]) -> float | None:
    """The figure as a number where higher is better: the ratio to the baseline when there is one."""
    if row.get("ratio"):
        return float(row["ratio"])
    value = float(row["value"])
    if not value:
        return None
    return value if row.get("higher_is_better", True) else 1.0 / value


def regressions(rows: Sequence[dict[str, Any]], history: Sequence[dict[str, Any]]) -> list[str]:
    """A warning for each of ``rows`` more than :data:`THRESHOLD` worse than the same figure's previous run.

    ``history`` is what was recorded before (the previous run of a figure is its latest line
    there with the same benchmark, figure, scale and machine).

    Examples:
        >>> old = {"benchmark": "ingest", "figure": "rows/s", "scale": 1.0, "machine": "m", "value": 100.0,
        ...        "ratio": 0.5, "peak_mb": 1000.0, "commit": "abc1234", "date": "2026-01-01"}
        >>> regressions([old | {"ratio": 0.35, "commit": "def5678"}], [old])
        ['ingest, rows/s (scale 1.0): 0.350 against 0.500 at abc1234 on 2026-01-01 (-30 %, ratio to the baseline)']
        >>> regressions([old | {"ratio": 0.45}], [old])
        []
    """
    previous: dict[tuple[str, str, float, str], dict[str, Any]] = {}
    for row in history:
        previous[_key(row)] = row
    warnings = []
    for row in rows:
        before = previous.get(_key(row))
        if before is None:
            continue
        where = f"{row['benchmark']}, {row['figure']} (scale {row['scale']})"
        since = f"at {before['commit']} on {before['date']}"
        now, then = _goodness(row), _goodness(before)
        if now is not None and then and now < then * (1 - THRESHOLD):
            what = "ratio to the baseline" if row.get("ratio") else "the figure itself"
            shown_now = row["ratio"] if row.get("ratio") else row["value"]
            shown_then = before["ratio"] if before.get("ratio") else before["value"]
            change = (now / then - 1) * 100
            warnings.append(f"{where}: {shown_now:.3f} against {shown_then:.3f} {since} ({change:+.0f} %, {what})")
        if before.get("peak_mb") and row.get("peak_mb", 0) > before["peak_mb"] * (1 + THRESHOLD):
            change = (row["peak_mb"] / before["peak_mb"] - 1) * 100
            warnings.append(
                f"{where}: peak memory {row['peak_mb']:,.0f} MB against {before['peak_mb']:,.0f} MB {since} "
                f"({change:+.0f} %)"
            )
    return warnings


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def page(rows: Sequence[dict[str, Any]]) -> str:
    """The Performance page's tables: the latest run of every figure, then every run, newest first.

    Examples:
        >>> row = {"benchmark": "ingest", "figure": "rows/s", "scale": 1.0, "machine": "m", "value": 9.5e5,
        ...        "baseline": "polars", "baseline_value": 2e6, "ratio": 0.475, "peak_mb": 800.0, "target": ">= 0.8x",
        ...        "load_before": 1.0, "load_after": 1.2, "commit": "abc1234", "date": "2026-01-01", "note": ""}
        >>> print(page([row]).splitlines()[4])
        | ingest | rows/s | 1.0 | 950,000.0 | polars | 2,000,000.0 | 0.47x | 800 | >= 0.8x | 1.0-1.2 | 2026-01-01 | abc1234 | m |
    """
    if not rows:
        return "No run recorded yet: `make bench` records one.\n"
    latest: dict[tuple[str, str, float, str], dict[str, Any]] = {}
    for row in rows:
        latest.pop(_key(row), None)
        latest[_key(row)] = row  # keep the order of each figure's latest run
    header = (
        "| benchmark | figure | scale | dualuse | baseline | baseline figure | ratio | peak MB | target "
        "| load | date | commit | machine |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )

    def line(row: dict[str, Any]) -> str:
        ratio = f"{row['ratio']:.2f}x" if row.get("ratio") else "-"
        load = f"{row['load_before']:.1f}-{row['load_after']:.1f}"
        cells = [
            row["benchmark"],
            row["figure"],
            row["scale"],
            _figure(row["value"]),
            row.get("baseline") or "-",
            _figure(row.get("baseline_value")),
            ratio,
            f"{row['peak_mb']:,.0f}",
            row.get("target") or "",
            load,
            row["date"],
            row["commit"],
            row["machine"],
        ]
        return "| " + " | ".join(_cell(c) for c in cells) + " |\n"

    out = ["## Latest figures\n\n", header, *(line(r) for r in latest.values())]
    out.append("\n## History\n\nEvery recorded run of every figure, newest first.\n")
    for benchmark in dict.fromkeys(r["benchmark"] for r in rows):
        out.append(f"\n### {benchmark}\n\n{header}")
        out.extend(line(r) for r in reversed(rows) if r["benchmark"] == benchmark)
    return "".join(out)
