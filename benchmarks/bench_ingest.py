"""Ingest a bill-of-lading shipments CSV into the workspace store (issue 3's performance target).

Scale 1.0 is a 5-million-line file. The file is generated once per size into the system temp
folder (``dualuse-bench/``) and reused. Figures: rows per second against polars copying the CSV to
Parquet with no mapping at all (the floor; issue 16's target: at least 0.8x of it in the same
run; issue 3's 1 M rows/s absolute), peak memory above an idle interpreter as a share of the file
size (target <= 1.5x), and the same job with pandas ``read_csv`` plus the same mapping.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from benchmarks._harness import Measurement, measure

FULL_ROWS = 5_000_000
PRESET = "bill-of-lading"
_COUNTRIES = [
    "China",
    "Kazakhstan",
    "Kyrgyzstan",
    "Hong Kong",
    "Türkiye",
    "United Arab Emirates",
    "Armenia",
    "CN",
    "KZ",
]
_NAMES = ["Asia Trade LLP", "Bishkek Elektronika OsOO", "Shenzhen Hua Tong Ltd", "Hong Kong Chip Co", "Vektor OOO"]
_BRANDS = ["TI", "IBM", "Vishay", "Analog Devices", "NXP", "Intel"]


def generate(rows: int, path: Path) -> Path:
    """Write a realistic bill-of-lading CSV with ``rows`` lines (about 0.1 % of them bad)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(2023)
    from dualuse.lists import get

    codes = np.array([item.code for item in get("chpl").items] + ["880622", "880240", "847150"])
    start = dt.date(2021, 1, 1)
    days = rng.integers(0, 3 * 365, rows)
    frame = pl.DataFrame(
        {
            "Declaration Number": pl.int_range(rows, eager=True).cast(pl.String).str.zfill(9),
            "Arrival Date": pl.Series([start], dtype=pl.Date).repeat_by(rows).explode()
            + pl.Series(days).cast(pl.Duration("ms")) * 86_400_000,
            "Importer": rng.choice(_NAMES, rows),
            "Importer Country": rng.choice(_COUNTRIES, rows),
            "Exporter": rng.choice(_NAMES, rows),
            "Exporter Country": rng.choice(_COUNTRIES, rows),
            "HS Code": rng.choice(codes, rows),
            "Product Details": rng.choice(["integrated circuits", "transistors", "routers", "ball bearings"], rows),
            "Brand": rng.choice(_BRANDS, rows),
            "Net Weight (kg)": rng.gamma(2.0, 50.0, rows).round(2),
            "Quantity": rng.integers(1, 10_000, rows),
            "USD FOB": rng.lognormal(9, 2, rows).round(2),
            "Country of Origin": rng.choice(_COUNTRIES, rows),
        }
    ).with_columns(pl.col("Declaration Number").str.replace(r"^", "BOL-"))
    bad = rng.random(rows) < 0.001
    frame = frame.with_columns(
        pl.when(pl.Series(bad)).then(pl.lit("n/a")).otherwise(pl.col("USD FOB").cast(pl.String)).alias("USD FOB")
    )
    partial = path.with_suffix(".partial")
    frame.write_csv(partial)
    partial.replace(path)
    return path


def _dataset(rows: int) -> Path:
    folder = Path(tempfile.gettempdir()) / "dualuse-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"shipments-{rows}.csv"
    if not path.exists():
        measure(generate, rows, path)  # in a child process, so this process stays small
    return path


def idle() -> int:
    """The baseline: an interpreter with dualuse and polars imported, doing nothing."""
    import polars  # noqa: F401

    import dualuse.store  # noqa: F401

    return 0


def ingest_dualuse(path: Path, workspace: Path) -> tuple[int, float, float]:
    """Ingest with dualuse into a fresh workspace: (rows accepted + rejected, seconds after imports)."""
    from dualuse.connectors import connectors
    from dualuse.store import Workspace

    connectors()  # plugin discovery is start-up, not ingest
    start, cpu = time.perf_counter(), time.process_time()
    stored = Workspace(workspace).fetch("csv", {"path": str(path), "preset": PRESET}, refresh=True)
    rows = stored.manifest.rows_accepted + stored.manifest.rows_rejected
    return rows, time.perf_counter() - start, time.process_time() - cpu


def copy_polars(path: Path, out: Path) -> tuple[int, float, float]:
    """The floor: polars reads the CSV as text and writes it to Parquet, with no mapping or checks."""
    import polars as pl

    start, cpu = time.perf_counter(), time.process_time()
    pl.scan_csv(path, infer_schema=False).sink_parquet(out / "copy.parquet", compression="lz4")
    rows = pl.scan_parquet(out / "copy.parquet").select(pl.len()).collect().item()
    return rows, time.perf_counter() - start, time.process_time() - cpu


def ingest_pandas(path: Path, out: Path) -> tuple[int, float, float]:
    """The baseline: pandas read_csv and the same mapping (dates, numbers, countries, HS codes), to Parquet."""
    import pandas as pd

    from dualuse.errors import CountryError
    from dualuse.geo import country

    country("China")  # build the country index before the clock starts, as dualuse's start-up does
    start, cpu = time.perf_counter(), time.process_time()
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)

    def countries(column: pd.Series) -> pd.Series:
        table: dict[str, str | None] = {}
        for value in column.unique():
            try:
                table[value] = country(value)
            except CountryError:
                table[value] = None
        return column.map(table)

    hs = raw["HS Code"].str.replace(r"[\s.\-]", "", regex=True)
    mapped = pd.DataFrame(
        {
            "shipment_id": raw["Declaration Number"],
            "date": pd.to_datetime(raw["Arrival Date"], format="%Y-%m-%d", errors="coerce"),
            "hs_code": hs,
            "description": raw["Product Details"],
            "importer_name": raw["Importer"],
            "importer_country": countries(raw["Importer Country"]),
            "exporter_name": raw["Exporter"],
            "exporter_country": countries(raw["Exporter Country"]),
            "brand": raw["Brand"],
            "origin_country": countries(raw["Country of Origin"]),
            "value_usd": pd.to_numeric(raw["USD FOB"], errors="coerce"),
            "quantity": pd.to_numeric(raw["Quantity"], errors="coerce"),
            "net_weight_kg": pd.to_numeric(raw["Net Weight (kg)"], errors="coerce"),
            "source": path.name,
            "source_row": range(2, len(raw) + 2),
        }
    )
    bad = (
        mapped["date"].isna()
        | ~hs.str.fullmatch(r"(\d\d){1,6}")
        | mapped["value_usd"].isna()
        | (mapped["value_usd"] < 0)
        | mapped[["importer_country", "exporter_country", "origin_country"]].isna().any(axis=1)
    )
    accepted, rejected = mapped[~bad], mapped[bad]
    accepted.to_parquet(out / "data.parquet")
    rejected.to_parquet(out / "rejected.parquet")
    return len(accepted) + len(rejected), time.perf_counter() - start, time.process_time() - cpu


def run(scale: float) -> list[Measurement]:
    """Rows per second, memory per file size, and the pandas ratio, at ``scale`` x 5 M lines."""
    rows = max(1000, int(FULL_ROWS * scale))
    path = _dataset(rows)
    size_mb = path.stat().st_size / 2**20
    work = Path(tempfile.mkdtemp(prefix="dualuse-bench-"))
    base = measure(idle)
    ours = measure(ingest_dualuse, path, work / "workspace")
    (work / "pandas").mkdir()
    theirs = measure(ingest_pandas, path, work / "pandas")
    floor = measure(copy_polars, path, work)
    (our_rows, our_seconds, our_cpu), (their_rows, their_seconds, their_cpu) = ours.result, theirs.result
    if our_rows != rows or their_rows != rows or floor.result[0] != rows:
        raise RuntimeError(f"rows not conserved: dualuse {our_rows}, pandas {their_rows}, file {rows}")
    extra_ours = max(ours.peak_mb - base.peak_mb, 0.0)
    extra_theirs = max(theirs.peak_mb - base.peak_mb, 0.0)
    load = os.getloadavg()[0]
    note = (
        f"{rows:,} lines, {size_mb:,.0f} MB file; {os.cpu_count()} cores, load average {load:.1f}; timed after imports"
    )
    return [
        Measurement(
            "ingest",
            "rows/s (CSV -> store)",
            rows / our_seconds,
            "pandas read_csv + mapping",
            rows / their_seconds,
            ours.peak_mb,
            target=">= 1,000,000 rows/s",
            note=note,
        ),
        Measurement(
            "ingest",
            "rows per CPU-second",
            rows / our_cpu,
            "pandas read_csv + mapping",
            rows / their_cpu,
            ours.peak_mb,
            note="all threads' CPU time: less sensitive to other people's load than wall time",
        ),
        Measurement(
            "ingest",
            "rows/s (CSV -> store)",
            rows / our_seconds,
            "polars CSV -> Parquet, no mapping",
            rows / floor.result[1],
            floor.peak_mb,
            target=">= 0.8x the floor",
            note=f"the floor: reading and writing alone take {floor.result[2] / rows * 1e6:.2f} CPU-s per million rows",
        ),
        Measurement(
            "ingest",
            "peak memory above idle / file size",
            extra_ours / size_mb,
            "pandas read_csv + mapping",
            extra_theirs / size_mb,
            theirs.peak_mb,
            target="<= 1.5",
            higher_is_better=False,
            note=f"idle interpreter peak {base.peak_mb:,.0f} MB",
        ),
    ]
