"""The explore database: every fetched row and result is there, keys hold, a refresh equals a rebuild."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.errors import ConfigError
from dualuse.results import result_tables
from dualuse.store import Workspace

pytest.importorskip("sqlite_utils", reason="the explore extra is not installed")

from dualuse.explore import TABLES, build_database


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        yield conn


def _content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, sorted, without the columns that depend on load order or time."""
    skip = {"row_id", "record_id", "fetched_at"}
    found = {}
    with _open(path) as conn:
        for table in TABLES.values():
            columns = [c for c in table.columns if c not in skip]
            rows = conn.execute(f"select {', '.join(columns)} from [{table.name}]").fetchall()
            # sums of money are added in whatever order the threads finish: equal to the cent, not the bit
            rounded = [tuple(round(v, 4) if isinstance(v, float) else v for v in row) for row in rows]
            found[table.name] = sorted(rounded, key=repr)
    return found


def test_every_fetched_row_and_result_is_in_the_database(demo_workspace: Path, demo_database: Path) -> None:
    workspace = Workspace(demo_workspace)
    tables = workspace.tables()
    expected = {
        "shipments": sum(t.manifest.rows_accepted for t in tables if t.manifest.table == "shipments"),
        "flows": sum(t.manifest.rows_accepted for t in tables if t.manifest.table == "flows"),
        "party_records": sum(t.manifest.rows_accepted for t in tables if t.manifest.table == "parties"),
    }
    results = result_tables(workspace)
    expected |= {
        kind: results[source].manifest.rows_accepted
        for kind, source in (("chains", "chains"), ("chain_links", "chain_links"), ("red_flags", "red_flags"),
                             ("screening_hits", "screening_hits"), ("parties", "resolved_parties"))
    }  # fmt: skip
    findings = results["findings"].read()
    expected["findings"] = findings.filter(pl.col("kind") != "shipment_chain").height  # chains stand for those
    with _open(demo_database) as conn:
        for table, rows in expected.items():
            assert conn.execute(f"select count(*) from {table}").fetchone()[0] == rows, table
        assert conn.execute("select count(*) from manifests").fetchone()[0] == len(tables)
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        unresolved = conn.execute("select count(*) from shipments where importer_party is null").fetchone()[0]
        assert unresolved == 0
        legs = conn.execute("select count(*), sum(s.row_id is not null) from chain_legs l left join shipments s "
                            "on s.source = l.source and s.source_row = l.source_row").fetchone()  # fmt: skip
        assert legs[0] == legs[1] > 0  # every leg finds its shipment line
        chains_legs = conn.execute("select sum(legs) from chains").fetchone()[0]
        assert legs[0] == chains_legs
        fks = {(t, row[3], row[2]) for t in ("shipments", "chain_links", "screening_hits")
               for row in conn.execute(f"pragma foreign_key_list({t})")}  # fmt: skip
        assert ("shipments", "importer_party", "parties") in fks and (
            "screening_hits",
            "match_record",
            "party_records",
        ) in fks
        indexes = {row[1] for row in conn.execute("pragma index_list(shipments)")}
        assert "idx_shipments_importer_party_date" in indexes


def test_party_totals_agree_with_the_stored_results(demo_workspace: Path, demo_database: Path) -> None:
    sides = result_tables(Workspace(demo_workspace))["shipment_parties"].read()
    chains = result_tables(Workspace(demo_workspace))["chains"].read()
    expected_in = sides.group_by("importer_party").len().rename({"importer_party": "party_id", "len": "in_shipments"})
    expected_chains = chains.select("chain_id", pl.col("parties").alias("party_id")).explode("party_id")
    expected_chains = expected_chains.group_by("party_id").agg(pl.col("chain_id").n_unique().alias("chains"))
    with _open(demo_database) as conn:
        stored = dict(conn.execute("select party_id, in_shipments from parties where in_shipments > 0").fetchall())
        stored_chains = dict(conn.execute("select party_id, chains from parties where chains > 0").fetchall())
    assert stored == dict(expected_in.iter_rows())
    assert stored_chains == dict(expected_chains.iter_rows())


def _csv_table(workspace: Workspace, folder: Path, name: str, rows: int, *, seed: int = 0) -> None:
    lines = ["period,freq,reporter,partner,flow,hs_code,value_usd,source,source_row"]
    lines += [f"2023-0{1 + i % 9}-01,M,CN,KZ,export,8542{31 + seed},{100 + i},{name}.csv,{i + 2}" for i in range(rows)]
    path = folder / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    workspace.fetch("csv", {"path": str(path), "table": "flows"}, name=name, refresh=True)


def test_a_refresh_reloads_only_what_changed_and_equals_a_rebuild(demo_workspace: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ws"
    shutil.copytree(demo_workspace, copy, ignore=shutil.ignore_patterns("explore"))
    workspace = Workspace(copy)
    first = build_database(workspace)
    assert first.fresh and "shipments-kz" in first.loaded
    modified = first.path.stat().st_mtime_ns
    again = build_database(workspace)
    assert (again.loaded, again.removed, again.fresh) == ([], [], False)
    assert first.path.stat().st_mtime_ns == modified  # nothing changed: nothing written
    _csv_table(workspace, tmp_path, "extra-flows", 5)
    refreshed = build_database(workspace)
    assert refreshed.loaded == ["extra-flows"] and not refreshed.fresh
    assert refreshed.stale == ["extra-flows"]  # the stored results predate it
    assert refreshed.rows["flows"] == first.rows["flows"] + 5
    rebuilt = build_database(workspace, tmp_path / "rebuilt.db", full=True)
    assert _content(refreshed.path) == _content(rebuilt.path)
    shutil.rmtree(copy / "tables" / "extra-flows")
    removed = build_database(workspace)
    assert removed.removed == ["extra-flows"] and removed.rows["flows"] == first.rows["flows"]


def test_new_results_reload_the_shipments_they_resolve(demo_workspace: Path, tmp_path: Path) -> None:
    copy = tmp_path / "ws"
    shutil.copytree(demo_workspace, copy, ignore=shutil.ignore_patterns("explore"))
    workspace = Workspace(copy)
    build_database(workspace)
    from dualuse.results import save_results

    flags = result_tables(workspace)["red_flags"].read()
    save_results(workspace, {"red_flags": flags.head(3)})
    refreshed = build_database(workspace)
    assert {"analysis-red_flags", "shipments-kz", "shipments-kg", "shipments-ru"} <= set(refreshed.loaded)
    assert "trade-statistics" not in refreshed.loaded
    assert refreshed.rows["red_flags"] == 3


def test_an_empty_workspace_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="holds no table"):
        build_database(Workspace(tmp_path))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.sets(st.sampled_from(["a", "b", "c"]), min_size=1), min_size=1, max_size=3),
    sizes=st.lists(st.integers(min_value=0, max_value=4), min_size=3, max_size=3),
)
def test_any_sequence_of_fetches_and_removals_refreshes_to_a_rebuild(
    steps: list[set[str]], sizes: list[int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("seq")
    workspace = Workspace(folder / "ws")
    for number, present in enumerate(steps):
        for name, size in zip("abc", sizes, strict=True):
            stored = workspace.tables_dir / name
            if name in present:
                _csv_table(workspace, folder, name, size + number, seed=number)
            elif stored.exists():
                shutil.rmtree(stored)
        refreshed = build_database(workspace)
        rebuilt = build_database(workspace, folder / f"full-{number}.db", full=True)
        assert _content(refreshed.path) == _content(rebuilt.path)
        assert refreshed.rows["flows"] == sum(size + number for name, size in zip("abc", sizes, strict=True)
                                              if name in present)  # fmt: skip
