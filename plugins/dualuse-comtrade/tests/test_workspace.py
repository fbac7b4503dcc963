"""End to end through dualuse's workspace store, against :class:`dualuse_comtrade.fake.FakeComtrade`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dualuse.errors import ConnectorError
from dualuse.store import Workspace

from dualuse_comtrade.fake import FakeComtrade

KEY = "workspace-s3cret"


def _record(partner: int, flow: str, cmd: str, value: float) -> dict[str, Any]:
    valued = {"cifvalue": value, "fobvalue": None} if flow == "M" else {"cifvalue": None, "fobvalue": value}
    return {
        "freqCode": "A",
        "period": "2023",
        "reporterCode": 398,
        "partnerCode": partner,
        "flowCode": flow,
        "cmdCode": cmd,
        "classificationCode": "H6",
        "primaryValue": value,
        "isReported": True,
        "isAggregate": False,
        **valued,
    }


@pytest.fixture
def server() -> Iterator[FakeComtrade]:
    records = [
        _record(156, "M", "880622", 5_900_000.0),
        _record(643, "X", "880622", 2_700_000.0),
        _record(472, "X", "880622", 9_000.0),  # "Africa CAMEU region, nes": no ISO code
    ]
    with FakeComtrade(records, api_key=KEY) as fake:
        yield fake


def test_fetch_into_the_workspace(server: FakeComtrade, tmp_path: Path) -> None:
    settings = {
        "base_url": server.url,
        "reporters": "KZ",
        "hs_codes": "880622",
        "periods": "2023",
        "api_key": KEY,
    }
    workspace = Workspace(tmp_path / "ws")
    table = workspace.fetch("comtrade", settings)
    flows = table.read().sort("source_row")
    assert flows.select("partner", "flow", "hs_code", "value_usd", "valuation", "source_row").rows() == [
        ("CN", "import", "880622", 5_900_000.0, "CIF", 0),
        ("RU", "export", "880622", 2_700_000.0, "FOB", 1),
    ]
    assert table.manifest.rows_accepted == 2
    assert table.manifest.rows_rejected == 1
    assert table.rejected().select("row", "column", "value").rows() == [(2, "partner", "472")]
    manifest_text = (tmp_path / "ws" / "tables" / table.name / "manifest.json").read_text(encoding="utf-8")
    assert KEY not in manifest_text
    assert json.loads(manifest_text)["config"]["reporters"] == [398]
    assert workspace.fetch("comtrade", settings).name == table.name
    assert len(server.requests) == 1  # the stored table was reused


def test_wrong_key_is_reported(server: FakeComtrade, tmp_path: Path) -> None:
    settings = {"base_url": server.url, "reporters": "KZ", "hs_codes": "880622", "periods": "2023", "api_key": "nope"}
    with pytest.raises(ConnectorError, match=r"HTTP 401 \(is the API key right\?\)"):
        Workspace(tmp_path / "ws").fetch("comtrade", settings)
    assert not (tmp_path / "ws" / "tables").exists() or not any((tmp_path / "ws" / "tables").iterdir())


def test_fake_server_queues_failures(server: FakeComtrade, tmp_path: Path) -> None:
    server.fail(429, headers={"Retry-After": "0"})
    server.fail(500, times=2)
    settings = {"base_url": server.url, "reporters": "KZ", "hs_codes": "880622", "periods": "2023", "api_key": KEY}
    table = Workspace(tmp_path / "ws").fetch("comtrade", {**settings, "backoff": 0})
    assert table.manifest.rows_accepted == 2
    assert len(server.requests) == 4
