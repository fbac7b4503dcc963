"""Each connector recognises its published files by their first bytes, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

from dualuse_sanctions.connectors import (
    CONNECTORS,
    CslConnector,
    EuFsfConnector,
    OfacSdnConnector,
    OpenSanctionsConnector,
    UkSanctionsConnector,
)

from dualuse.connectors import FetchContext

DATA = Path(__file__).parent / "data"


def _which(path: Path) -> list[str]:
    return [c.name for c in CONNECTORS if c.recognises(path) is not None]


def test_the_real_ofac_files_are_told_apart(ofac_raw: Path, tmp_path: Path) -> None:
    assert _which(ofac_raw / "sdn.csv") == ["ofac-sdn"]
    assert _which(ofac_raw / "add.csv") == []  # a companion, not a list of its own
    assert _which(ofac_raw / "alt.csv") == []
    assert OfacSdnConnector.recognises(ofac_raw) == {"path": ofac_raw}
    # renamed, the SDN file is still told by its rows, and read with its companions beside it
    folder = tmp_path / "lists"
    folder.mkdir()
    for name in ("sdn.csv", "add.csv", "alt.csv"):
        shutil.copy(ofac_raw / name, folder / name.replace("sdn", "ofac-2024"))
    renamed = folder / "ofac-2024.csv"
    settings = OfacSdnConnector.recognises(renamed)
    assert settings == {"path": renamed}
    parties = list(OfacSdnConnector.from_settings(settings).fetch(FetchContext(tmp_path / "cache")))
    names = {n for frame in parties for n in frame["name"].to_list()}
    assert "LIMITED LIABILITY PARTNERSHIP ELEM GROUP" in names


def test_xml_and_headered_lists(tmp_path: Path) -> None:
    assert _which(DATA / "SDN_ENHANCED.XML") == ["ofac-sdn-xml"]
    csl = tmp_path / "consolidated.csv"
    csl.write_text("_id,source,entity_number,type,programs,name\n1,Entity List,,Entity,,ELEM GROUP\n")
    eu = tmp_path / "eu.csv"
    eu.write_text("fileGenerationDate;Entity_LogicalId;NameAlias_WholeName\n2024-01-01;1;ELEM GROUP\n")
    uk = tmp_path / "UK-Sanctions-List.csv"
    uk.write_text("Report Date: 13-Feb-2026\nLast Updated,Unique ID,OFSI Group ID,Name 6\n")
    simple = tmp_path / "targets.simple.csv"
    simple.write_text("id,schema,name,aliases\nNK-1,Company,ELEM GROUP,\n")
    ftm = tmp_path / "entities.ftm.json"
    ftm.write_text('{"id": "NK-1", "schema": "Company", "properties": {"name": ["ELEM GROUP"]}}\n')
    assert CslConnector.recognises(csl) == {"path": csl, "format": "csv"}
    assert EuFsfConnector.recognises(eu) == {"path": eu, "format": "csv"}
    assert UkSanctionsConnector.recognises(uk) == {"path": uk}
    assert OpenSanctionsConnector.recognises(simple) == {"path": simple, "format": "simple"}
    assert OpenSanctionsConnector.recognises(ftm) == {"path": ftm, "format": "ftm"}
    for path in (csl, eu, uk, simple, ftm):
        assert len(_which(path)) == 1, path


def test_an_ordinary_table_is_nobodys(tmp_path: Path) -> None:
    table = tmp_path / "partners.csv"
    table.write_text("party_id,name,country\np1,ТОО «Элем Групп»,KZ\n")
    assert _which(table) == []
    assert _which(tmp_path) == []  # a folder without sdn.csv
