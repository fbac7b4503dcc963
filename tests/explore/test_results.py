"""Analysis results stored in the workspace: listed like fetched tables, replaced whole, never read as inputs."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from dualuse.demo import DemoResult, frames_from_workspace
from dualuse.results import RESULT_KINDS, result_tables, save_results
from dualuse.store import Workspace


def test_the_demo_stores_every_result_with_a_manifest_naming_its_inputs(demo_run: DemoResult) -> None:
    assert demo_run.workspace is not None
    stored = result_tables(demo_run.workspace)
    assert sorted(stored) == sorted(RESULT_KINDS)
    assert (
        stored["chains"].manifest.rows_accepted
        == demo_run.report.findings.filter(pl.col("kind") == "shipment_chain").height
    )
    inputs = stored["chains"].manifest.config["inputs"]
    assert set(inputs) == {"trade-statistics", "shipments-kz", "shipments-kg", "shipments-ru", "company-registry",
                           "watchlist-ofac-sdn"}  # fmt: skip
    assert inputs["shipments-kz"] == demo_run.workspace.table("shipments-kz").manifest.content_hash
    assert stored["findings"].read().height == demo_run.report.findings.height
    lines = sum(demo_run.workspace.table(f"shipments-{c}").manifest.rows_accepted for c in ("kz", "kg", "ru"))
    assert stored["shipment_parties"].read().height == lines


def test_results_are_not_read_back_as_inputs(demo_run: DemoResult) -> None:
    assert demo_run.workspace is not None
    frames = frames_from_workspace(demo_run.workspace)
    assert set(frames) == {"flows", "shipments", "registry", "watchlist"}


def test_a_new_result_replaces_the_old_one_whole(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    save_results(workspace, {"chains": pl.DataFrame({"chain_id": ["a", "b"]})}, settings={"target": "RU"})
    save_results(workspace, {"chains": pl.DataFrame({"chain_id": ["c"]})}, settings={"target": "BY"})
    table = result_tables(workspace)["chains"]
    assert table.read()["chain_id"].to_list() == ["c"]
    assert table.manifest.config["settings"] == {"target": "BY"}
    assert json.loads((table.path / "manifest.json").read_text())["rows_accepted"] == 1
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["analysis-chains"]  # no staging left behind
