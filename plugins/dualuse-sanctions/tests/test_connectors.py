"""The connectors: dualuse's contract kit, downloads from a local server, the store, and `dualuse plugins`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, ClassVar

import polars as pl
import pytest
from dualuse_sanctions.connectors import (
    CONNECTORS,
    CslConnector,
    EuFsfConnector,
    OfacSdnConnector,
    OfacSdnXmlConnector,
    OpenSanctionsConnector,
    UkSanctionsConnector,
)
from pytest_httpserver import HTTPServer

from dualuse.cli.app import run
from dualuse.connectors import FetchContext, connectors
from dualuse.errors import ConfigError, ConnectorError
from dualuse.store import Workspace
from dualuse.testing import ConnectorContract

XML_FIXTURE = Path(__file__).parent / "data" / "SDN_ENHANCED.XML"
NULLS = ",".join(["-0- "] * 7)
SDN = f'47950,"LIMITED LIABILITY PARTNERSHIP ELEM GROUP",-0- ,"RUSSIA-EO14024",{NULLS},"Identification Number 220340015717 (Kazakhstan)."\r\n\x1a'
ADD = '47950,71815,"Ulitsa Nauriyzbai Batiyra, Dom 8","Almaty","Kazakhstan",-0- \r\n9,1,-0- ,-0- ,"Russia",-0- \r\n\x1a'
ALT = '47950,1,"aka","ELEM GROUP LLP",-0- \r\n\x1a'
CSL = '_id,source,type,programs,name,addresses,start_date\ne1,Entity List (EL) - Bureau of Industry and Security,,,ACME LLP,"1 Abay Ave, Almaty, KZ",2023-12-06\n'
EU = "Entity_LogicalId;Entity_SubjectType_ClassificationCode;NameAlias_WholeName;Address_CountryIso2Code\n13;E;ACME LLP;KZ\n13;E;AKME;\n"
UK = "Report Date: 13-Feb-2026\nUnique ID,Name 6,Name type,Regime Name,Designation Type\nRUS1,ACME LLP,Primary Name,Russia,Entity\n"
SIMPLE = "id,schema,name,countries\nNK-1,Company,ACME LLP,kz\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ofac"
    folder.mkdir(exist_ok=True)
    for name, text in (("sdn.csv", SDN), ("add.csv", ADD), ("alt.csv", ALT)):
        (folder / name).write_bytes(text.encode())
    return folder


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestOfacSdnContract(ConnectorContract):
    connector = OfacSdnConnector
    bad_settings: ClassVar[list[dict[str, Any]]] = [
        {"path": "/no/such/folder"},
        {"base_url": "ftp://x"},
        {"attempts": 0},
    ]

    def get_settings(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"path": str(_folder(request.getfixturevalue("tmp_path")))}


class TestOfacSdnXmlContract(ConnectorContract):
    connector = OfacSdnXmlConnector
    settings: ClassVar[dict[str, Any]] = {"path": str(XML_FIXTURE)}
    bad_settings: ClassVar[list[dict[str, Any]]] = [{"timeout": 0}]


class TestCslContract(ConnectorContract):
    connector = CslConnector
    bad_settings: ClassVar[list[dict[str, Any]]] = [{"format": "xlsx"}]

    def get_settings(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"path": str(_file(request.getfixturevalue("tmp_path"), "consolidated.csv", CSL))}


class TestEuFsfContract(ConnectorContract):
    """Fetched from a local server, so that the secret token really travels in a download URL."""

    connector = EuFsfConnector
    bad_settings: ClassVar[list[dict[str, Any]]] = [{"format": "json"}, {"token": 5}]
    secrets: ClassVar[dict[str, str]] = {"token": "s3cret-token"}

    def get_settings(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        server: HTTPServer = request.getfixturevalue("httpserver")
        server.expect_request("/fsd/csvFullSanctionsList_1_1/content").respond_with_data(EU)
        return {"base_url": server.url_for("/fsd/")}


class TestUkContract(ConnectorContract):
    connector = UkSanctionsConnector
    bad_settings: ClassVar[list[dict[str, Any]]] = [{"batch_size": 0}]

    def get_settings(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"path": str(_file(request.getfixturevalue("tmp_path"), "UK-Sanctions-List.csv", UK))}


class TestOpenSanctionsContract(ConnectorContract):
    connector = OpenSanctionsConnector
    bad_settings: ClassVar[list[dict[str, Any]]] = [{"dataset": "../etc"}, {"format": "xml"}]

    def get_settings(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return {"path": str(_file(request.getfixturevalue("tmp_path"), "targets.simple.csv", SIMPLE))}


def test_every_connector_is_registered_once() -> None:
    registered = connectors()
    for connector in CONNECTORS:
        assert registered[connector.name] is connector
        assert connector.table == "parties"


def test_ofac_sdn_downloads_three_files(httpserver: HTTPServer, tmp_path: Path) -> None:
    for name, text in (("SDN.CSV", SDN), ("ADD.CSV", ADD), ("ALT.CSV", ALT)):
        httpserver.expect_request(f"/exports/{name}").respond_with_data(text.encode())
    connector = OfacSdnConnector.from_settings({"base_url": httpserver.url_for("/exports")})
    context = FetchContext(tmp_path / "cache")
    frames = list(connector.fetch(context))
    assert [f.height for f in frames] == [1]
    party = frames[0].row(0, named=True)
    assert (party["name"], party["aliases"], party["country"]) == (
        "LIMITED LIABILITY PARTNERSHIP ELEM GROUP",
        ["ELEM GROUP LLP"],
        "KZ",
    )
    assert sorted(p.name for p in (tmp_path / "cache").iterdir() if p.suffix == ".csv") == [
        "add.csv",
        "alt.csv",
        "sdn.csv",
    ]
    # The add.csv row of an entity that is not in sdn.csv went to the host as a reject.
    rejected = pl.concat(context.rejected)
    assert rejected.select("source", "row", "reason").rows() == [("ofac-sdn:add.csv", 1, "ent_num is not in sdn.csv")]
    assert [(t.source, t.rows, t.parties, t.merged, t.rejected) for t in connector.tallies] == [
        ("ofac-sdn:add.csv", 2, 0, 1, 1),
        ("ofac-sdn:alt.csv", 1, 0, 1, 0),
        ("ofac-sdn:sdn.csv", 1, 1, 0, 0),
    ]


def test_download_failure_is_a_connector_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/docs/UK-Sanctions-List.csv").respond_with_data("busy", status=503)
    connector = UkSanctionsConnector.from_settings(
        {"base_url": httpserver.url_for("/docs/"), "attempts": 2, "backoff": 0}
    )
    with pytest.raises(ConnectorError, match=r"UK-Sanctions-List\.csv: gave up after 2 attempts; last error: HTTP 503"):
        list(connector.fetch(FetchContext(tmp_path / "cache")))


def test_path_must_fit_the_connector(tmp_path: Path) -> None:
    # the SDN file itself is read too, with its companions when they lie beside it
    single = OfacSdnConnector.from_settings({"path": str(_file(tmp_path, "sdn.csv", SDN))})
    assert sum(frame.height for frame in single.fetch(FetchContext(tmp_path / "cache"))) >= 1
    with pytest.raises(ConfigError, match=r"no sdn\.csv in"):
        list(OfacSdnConnector.from_settings({"path": str(tmp_path / "..")}).fetch(FetchContext(tmp_path)))
    with pytest.raises(ConfigError, match="path must be a file"):
        list(UkSanctionsConnector.from_settings({"path": str(tmp_path)}).fetch(FetchContext(tmp_path)))
    with pytest.raises(ConfigError, match="path: Value error, no such file or folder"):
        CslConnector.from_settings({"path": str(tmp_path / "missing.csv")})


def test_batches_stay_bounded(tmp_path: Path) -> None:
    rows = "".join(f'{i},"PARTY {i}",-0- ,"IRAN",{NULLS},-0- \r\n' for i in range(1, 8))
    folder = tmp_path / "ofac"
    folder.mkdir()
    (folder / "sdn.csv").write_text(rows)
    connector = OfacSdnConnector.from_settings({"path": str(folder), "batch_size": 3})
    assert [f.height for f in connector.fetch(FetchContext(tmp_path / "cache"))] == [3, 3, 1]


def test_workspace_stores_parties_with_provenance(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "workspace")
    stored = workspace.fetch("ofac-sdn", {"path": str(_folder(tmp_path))})
    table = stored.read()
    assert table.select("party_id", "source", "source_row", "merged_from").rows() == [
        ("ofac-sdn:47950", "ofac-sdn:sdn.csv", 1, ["ofac-sdn:add.csv#1", "ofac-sdn:alt.csv#1"])
    ]
    assert stored.manifest.rows_accepted == 1 and stored.manifest.rows_rejected == 1
    assert stored.rejected()["reason"].to_list() == ["ent_num is not in sdn.csv"]


def test_eu_token_stays_out_of_logs_and_manifests(
    httpserver: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request("/fsd/csvFullSanctionsList_1_1/content", query_string="token=s3cret").respond_with_data(
        EU
    )
    workspace = Workspace(tmp_path / "workspace")
    stored = workspace.fetch("eu-fsf", {"base_url": httpserver.url_for("/fsd/"), "token": "s3cret"})
    assert stored.read()["aliases"].to_list() == [["AKME"]]
    assert "HTTP Request: GET" in caplog.text and "s3cret" not in caplog.text
    manifests = [p.read_text() for p in (tmp_path / "workspace").rglob("*.json")]
    assert manifests and not any("s3cret" in text for text in manifests)


def test_dualuse_plugins_lists_the_plugin(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plugins", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    entries = report if isinstance(report, list) else report["plugins"]
    ours = [p for p in entries if p.get("distribution") == "dualuse-sanctions"]
    assert len(ours) == 1
    assert sorted(ours[0]["connectors"]) == sorted(c.name for c in CONNECTORS)
    assert not ours[0].get("errors")


def test_rejects_of_different_files_and_batches_are_stored_together(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    bad_row = f'x,"NO NUMBER",-0- ,"IRAN",{NULLS},-0- \r\n'
    (folder / "sdn.csv").write_bytes((bad_row + SDN + bad_row.replace("x,", "y,")).encode())
    stored = Workspace(tmp_path / "workspace").fetch("ofac-sdn", {"path": str(folder), "batch_size": 1})
    assert stored.read()["party_id"].to_list() == ["ofac-sdn:47950"]
    rejected = stored.rejected().sort("source", "row")
    assert rejected.select("source", "row", "column", "reason").rows() == [
        ("ofac-sdn:add.csv", 1, "Ent_num", "ent_num is not in sdn.csv"),
        ("ofac-sdn:sdn.csv", 0, "ent_num", "ent_num is not a whole number"),
        ("ofac-sdn:sdn.csv", 2, "ent_num", "ent_num is not a whole number"),
    ]
    assert rejected.filter(pl.col("source") == "ofac-sdn:sdn.csv")["SDN_Name"].to_list() == ["NO NUMBER", "NO NUMBER"]


def test_workspace_stores_the_real_sample(ofac_raw: Path, tmp_path: Path) -> None:
    stored = Workspace(tmp_path / "workspace").fetch("ofac-sdn", {"path": str(ofac_raw)})
    assert (stored.manifest.rows_accepted, stored.manifest.rows_rejected) == (21, 0)
    table = stored.read()
    elem = table.filter(pl.col("party_id") == "ofac-sdn:47950").row(0, named=True)
    assert (elem["country"], elem["identifiers"]) == ("KZ", [{"scheme": "BIN", "value": "220340015717"}])
    assert (
        table["identifiers"].list.len().sum() == 32
    )  # hand-counted: the 21 Remarks name 32 identifiers of known labels
