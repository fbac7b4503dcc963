"""The workspace store: round-trip, manifest, reuse, refresh, atomic writes, secrets, read_table."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from pydantic import SecretStr

from dualuse.connectors import Connector, ConnectorConfig, FetchContext, hookimpl
from dualuse.errors import ConfigError, ConnectorError, InputError
from dualuse.store import Workspace, default_workspace, read_table


class FlakyConfig(ConnectorConfig):
    rows: int = 3
    fail_after: int | None = None
    api_key: SecretStr | None = None


class Flaky(Connector[FlakyConfig]):
    """Yields one row per batch and can fail midway."""

    name = "flaky"
    table = "parties"
    config_model = FlakyConfig

    def fetch(self, context: FetchContext) -> Iterator[pl.DataFrame]:
        for i in range(self.config.rows):
            if self.config.fail_after is not None and i >= self.config.fail_after:
                raise RuntimeError("connection reset")
            context.progress(1, self.config.rows, "flaky")
            yield pl.DataFrame(
                {
                    "party_id": [f"p{i}"],
                    "name": [f"Firm {i}" if i != 1 else None],
                    "source": ["flaky"],
                    "source_row": [i + 1],
                }
            )


@pytest.fixture
def flaky(fresh_manager: None, register_plugin: Any) -> None:
    class Plugin:
        @staticmethod
        @hookimpl
        def register_connectors(register: Any) -> None:
            register(Flaky)

    register_plugin(Plugin, "flaky-plugin")


def test_round_trip_and_manifest(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    workspace = Workspace(tmp_path)
    stored = workspace.fetch("csv", {"path": str(data_dir / "baci_sample.csv"), "preset": "baci"})
    assert stored.read()["value_usd"].sum() == pytest.approx(1_234_567 + 10_000 + 500 + 5_900_000)
    assert stored.scan().select(pl.len()).collect().item() == 4
    assert stored.rejected().select("row", "reason").rows() == [(4, "unknown country: '999'")]
    manifest = json.loads((stored.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["connector"] == "csv" and manifest["table"] == "flows"
    assert (manifest["rows_accepted"], manifest["rows_rejected"]) == (4, 1)
    assert manifest["config"]["preset"] == "baci"
    assert manifest["content_hash"].startswith("sha256:") and len(manifest["content_hash"]) == 71
    assert manifest["schema"]["value_usd"] == "Float64" and manifest["schema"]["period"] == "Date"
    assert manifest["library_version"] and manifest["connector_distribution"] == "dualuse"
    assert [t.name for t in workspace.tables()] == [stored.name]


def test_same_query_reuses_unless_refresh(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    workspace = Workspace(tmp_path)
    settings = {"path": str(data_dir / "baci_sample.csv"), "preset": "baci"}
    first = workspace.fetch("csv", settings)
    again = workspace.fetch("csv", settings)
    assert again.manifest.fetched_at == first.manifest.fetched_at
    refreshed = workspace.fetch("csv", settings, refresh=True)
    assert refreshed.manifest.fetched_at > first.manifest.fetched_at
    assert refreshed.manifest.content_hash == first.manifest.content_hash
    other = workspace.fetch("csv", {**settings, "batch_rows": 2})
    assert other.name != first.name


def test_a_fetch_that_fails_midway_leaves_nothing(tmp_path: pathlib.Path, flaky: None) -> None:
    workspace = Workspace(tmp_path)
    good = workspace.fetch("flaky", {"rows": 3}, name="firms")
    with pytest.raises(ConnectorError, match="connector 'flaky' failed: RuntimeError: connection reset"):
        workspace.fetch("flaky", {"rows": 3, "fail_after": 2}, name="firms", refresh=True)
    assert [p.name for p in (tmp_path / "tables").iterdir()] == ["firms"]
    kept = workspace.table("firms")
    assert kept.manifest == good.manifest and kept.read().height == 2
    with pytest.raises(ConnectorError):
        workspace.fetch("flaky", {"rows": 3, "fail_after": 1})
    assert [t.name for t in workspace.tables()] == ["firms"]


def test_rejected_rows_beside_the_table_with_stream_rows(tmp_path: pathlib.Path, flaky: None) -> None:
    stored = Workspace(tmp_path).fetch("flaky", {"rows": 3})
    assert stored.read()["party_id"].to_list() == ["p0", "p2"]
    assert stored.rejected().select("row", "column", "reason", "source_row").rows() == [
        (1, "name", "name is required", "2")
    ]
    assert (stored.manifest.rows_accepted, stored.manifest.rows_rejected) == (2, 1)


def test_progress_is_reported(tmp_path: pathlib.Path, flaky: None) -> None:
    seen: list[tuple[int, int | None, str]] = []
    Workspace(tmp_path).fetch("flaky", {"rows": 2}, progress=lambda a, t, d: seen.append((a, t, d)))
    assert seen == [(1, 2, "flaky"), (1, 2, "flaky")]


def test_secrets_stay_out_of_the_manifest(tmp_path: pathlib.Path, flaky: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUALUSE_FLAKY_API_KEY", "s3cret-from-env")
    stored = Workspace(tmp_path).fetch("flaky", {"rows": 1})
    text = (stored.path / "manifest.json").read_text(encoding="utf-8")
    assert "s3cret" not in text and "api_key" not in text
    assert Flaky.from_settings({}).config.api_key == SecretStr("s3cret-from-env")


def test_table_lookup_and_read_table(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    workspace = Workspace(tmp_path)
    stored = workspace.fetch("csv", {"path": str(data_dir / "baci_sample.csv"), "preset": "baci"}, name="baci")
    assert read_table("baci", workspace=workspace).equals(stored.read())
    with pytest.raises(ConfigError, match=r"no table 'nope' in workspace .*; stored tables: baci"):
        workspace.table("nope")
    csv_path = tmp_path / "out.csv"
    stored.read().write_csv(csv_path)
    assert read_table(csv_path).height == 4
    with pytest.raises(InputError, match=r"missing.parquet: no such file"):
        read_table(tmp_path / "missing.parquet")


def test_incomplete_folders_are_not_tables(tmp_path: pathlib.Path) -> None:
    (tmp_path / "tables" / "half").mkdir(parents=True)
    (tmp_path / "tables" / "half" / "data.parquet").write_bytes(b"PAR1")
    assert Workspace(tmp_path).tables() == []


def test_default_workspace_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv("DUALUSE_WORKSPACE", str(tmp_path / "ws"))
    assert Workspace().path == tmp_path / "ws" == default_workspace()
    monkeypatch.delenv("DUALUSE_WORKSPACE")
    assert default_workspace().name == "workspace"


def test_store_and_fetch_quarantine_the_same_rows(tmp_path: pathlib.Path) -> None:
    """The store's streaming path and the connector's batch path give the same rows and reasons."""
    from dualuse.connectors.builtin import CsvConnector

    path = tmp_path / "mixed.csv"
    path.write_text(
        "t,i,j,k,v,q\n2023,156,398,854231,1.5,2\n2023,156,398,854231,abc,2\n2023,156,398,854231,-1,2\n",
        encoding="utf-8",
    )
    settings = {"path": str(path), "preset": "baci", "batch_rows": 1}
    stored = Workspace(tmp_path / "ws").fetch("csv", settings)
    context = FetchContext(tmp_path / "cache")
    fetched = pl.concat(list(CsvConnector.from_settings(settings).fetch(context)))
    assert stored.read().equals(fetched)
    expected = [
        (1, "v", "abc", "not a number: 'abc'", "3", "abc"),
        (2, "value_usd", "-1000.0", "below 0.0: -1000.0", "4", "-1"),
    ]
    columns = ["row", "column", "value", "reason", "source_row", "v"]
    assert stored.rejected().sort("row").select(columns).rows() == expected
    assert pl.concat(context.rejected).sort("row").select(columns).rows() == expected
