"""``dualuse explore`` at scale: build time, database size, p95 page latency (target: minutes at 10 M lines, < 1 s).

Run: ``python -m benchmarks explore --scale 1.0``; with ``DUALUSE_BENCH_WORKSPACE=FOLDER`` it measures
a workspace that :func:`make_workspace` made before (generating 10 M lines and tracing them takes
about as long as the rest).

At scale 1.0 the workspace holds 10 million shipment lines and the chains, links, red flags,
findings and resolved parties that ``dualuse.trace`` finds in them (stored with
:func:`dualuse.results.save_results`). Measured, each beside a baseline of the same run:

- the database build (:func:`dualuse.explore.build_database`: rows, derived tables, full-text index,
  indexes) against a plain ``sqlite-utils`` ``insert_all`` of the same shipment, chain and link rows
  with no index at all;
- the size of the file against the baseline's file;
- a scripted crawl over HTTP of 100 party dossiers (the parties with most chains first, then a
  random sample) and 100 chain pages, against Datasette's generic row pages of the same parties and
  chains: median and 95th-percentile latency.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks._harness import Measurement, measure

os.environ.setdefault("DUALUSE_WORKERS", "auto")

LINES_AT_SCALE_1 = 10_000_000
PAGES = 100  # of each kind: dossiers and chains


def make_workspace(folder: str, lines: int) -> dict[str, int]:
    """Generate shipments, fetch them into a workspace, trace chains and flags, store the results."""
    from dualuse import trace
    from dualuse.results import save_results
    from dualuse.store import Workspace
    from dualuse.synth.shipments import generate_shipments

    scenario = generate_shipments(seed=7, chains=max(10, int(lines / 3.9)), background=max(10, int(lines * 0.1)))
    path = Path(folder) / "shipments.parquet"
    scenario.shipments.write_parquet(path)
    del scenario
    workspace = Workspace(Path(folder) / "ws")
    stored = workspace.fetch("parquet", {"path": str(path), "table": "shipments"}, name="shipments")
    result = trace.chains(stored.read(), target="RU")
    flags = trace.red_flags(result.shipments, parties=result.parties, target="RU")
    findings = trace.to_findings(result)
    sides = ["source", "source_row", "exporter_party", "exporter_by", "importer_party", "importer_by"]
    save_results(
        workspace,
        {
            "resolved_parties": result.parties,
            "shipment_parties": result.shipments.select(sides),
            "chains": result.chains,
            "chain_links": result.links,
            "red_flags": flags,
            "findings": findings,
        },
    )
    return {"lines": stored.manifest.rows_accepted, "chains": result.chains.height, "flags": flags.height}


def build(workspace: str, database: str) -> float:
    """Our build; returns its seconds."""
    from dualuse.explore import build_database

    return build_database(Path(workspace), Path(database), full=True).seconds


def baseline_insert(workspace: str, database: str) -> float:
    """The baseline: the same shipment, chain and link rows through sqlite-utils ``insert_all``, no index.

    Lists become ``;``-joined text; dates are left to sqlite-utils. The same pragmas as our build
    (no journal, no fsync), so the comparison is of the work, not of durability.
    """
    import sqlite_utils

    from dualuse.store import Workspace

    started = time.perf_counter()
    db = sqlite_utils.Database(database)
    for pragma in ("journal_mode = off", "synchronous = off", "cache_size = -262144"):  # as our build: no fsync
        db.execute(f"pragma {pragma}")
    ws = Workspace(workspace)
    for name, table in (
        ("shipments", "shipments"),
        ("analysis-chains", "chains"),
        ("analysis-chain_links", "chain_links"),
    ):
        for batch in ws.table(name).scan().collect_batches(chunk_size=100_000):
            flat = batch.with_columns(
                [
                    pl.col(c).cast(pl.List(pl.String)).list.join(";")
                    for c, d in batch.schema.items()
                    if isinstance(d, pl.List)
                ]
            )
            # list mode (column names first, then tuples): sqlite-utils' fastest way in
            rows = itertools.chain([flat.columns], flat.iter_rows())
            db.table(table).insert_all(rows, batch_size=10_000)
    db.conn.close()
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sample(conn: Any, table: str, column: str, n: int, rng: random.Random) -> list[str]:
    """``n`` values of ``column`` from rows of ``table`` picked at random (by rowid)."""
    count = conn.execute(f"select count(*) from {table}").fetchone()[0]
    rowids = ",".join(str(rng.randrange(1, count + 1)) for _ in range(n))
    return [r[0] for r in conn.execute(f"select {column} from {table} where rowid in ({rowids})")]


def _pages(database: str) -> tuple[list[str], list[str]]:
    """The parties with most chains, then parties and chains at random."""
    import sqlite3

    rng = random.Random(3)
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        busy = [r[0] for r in conn.execute("select party_id from parties order by chains desc limit ?", (PAGES // 4,))]
        parties = busy + _sample(conn, "parties", "party_id", PAGES, rng)
        return parties[:PAGES], _sample(conn, "chains", "chain_id", PAGES, rng)[:PAGES]


def crawl(workspace: str, database: str) -> dict[str, list[float]]:
    """Serve the database with ``dualuse explore`` in its own process and time each page over HTTP."""
    import httpx

    parties, chains = _pages(database)
    port = _free_port()
    command = [sys.executable, "-m", "dualuse", "-q", "explore", workspace, "--db", database, "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = {"ours": [], "datasette": []}
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 600
            while True:
                try:
                    if client.get("/-/dualuse/").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("explore server did not start")
                time.sleep(0.2)
            ours = [f"/-/dualuse/party/{p}" for p in parties] + [f"/-/dualuse/chain/{c}" for c in chains]
            name = Path(database).stem  # Datasette names a database after its file
            generic = [f"/{name}/parties/{p}" for p in parties] + [f"/{name}/chains/{c}" for c in chains]
            for kind, paths in (("ours", ours), ("datasette", generic)):
                for path in paths:
                    start = time.perf_counter()
                    response = client.get(path)
                    timings[kind].append(time.perf_counter() - start)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return timings


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _counts(workspace: str) -> dict[str, int]:
    from dualuse.results import result_tables
    from dualuse.store import Workspace

    ws = Workspace(workspace)
    results = result_tables(ws)
    lines = sum(t.manifest.rows_accepted for t in ws.tables() if t.manifest.table == "shipments")
    return {"lines": lines, "chains": results["chains"].manifest.rows_accepted,
            "flags": results["red_flags"].manifest.rows_accepted}  # fmt: skip


def run(scale: float) -> list[Measurement]:
    """Measure at ``scale`` (``DUALUSE_BENCH_WORKSPACE``: reuse a workspace made by :func:`make_workspace`)."""
    lines = max(5_000, int(LINES_AT_SCALE_1 * scale))
    load = os.getloadavg()[0]
    reuse = os.environ.get("DUALUSE_BENCH_WORKSPACE")
    with tempfile.TemporaryDirectory() as folder:
        if reuse:  # making 10 M lines and their chains takes longer than what is measured here
            workspace, made = reuse, _counts(reuse)
        else:
            made = measure(make_workspace, folder, lines).result
            workspace = f"{folder}/ws"
        database, plain = f"{folder}/dualuse.db", f"{folder}/plain.db"
        ours = measure(build, workspace, database)
        base = measure(baseline_insert, workspace, plain)
        size, plain_size = Path(database).stat().st_size / 1e6, Path(plain).stat().st_size / 1e6
        timings = measure(crawl, workspace, database).result
    note = f"{made['lines']:,} lines, {made['chains']:,} chains, {made['flags']:,} flags; load {load:.2f}"
    p95, base_p95 = _quantile(timings["ours"], 0.95), _quantile(timings["datasette"], 0.95)
    return [
        Measurement("explore", "build seconds (rows, derived tables, FTS, indexes)", ours.result, "sqlite-utils insert_all, same rows, no index",
                    base.result, ours.peak_mb, target="minutes at 10M lines", higher_is_better=False, note=note),
        Measurement("explore", "database MB", size, "plain insert MB", plain_size, ours.peak_mb, higher_is_better=False),
        Measurement("explore", f"p95 seconds, {len(timings['ours'])} dossier and chain pages", p95,
                    "Datasette row pages of the same parties and chains", base_p95, 0.0, target="< 1 s",
                    higher_is_better=False, note=f"median {_quantile(timings['ours'], 0.5):.3f} s vs "
                    f"{_quantile(timings['datasette'], 0.5):.3f} s; max {max(timings['ours']):.3f} s"),
    ]  # fmt: skip
