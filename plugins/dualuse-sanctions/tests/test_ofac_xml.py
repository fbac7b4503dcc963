"""OFAC SDN_ENHANCED XML: the fixture in tests/data, and hostile XML refused."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from dualuse_sanctions.ofac_xml import parse_ofac_xml
from dualuse_sanctions.reading import iter_xml
from dualuse_sanctions.records import collect

from dualuse.errors import InputError
from dualuse.schema import validate

FIXTURE = Path(__file__).parent / "data" / "SDN_ENHANCED.XML"


def test_fixture_entities() -> None:
    result = collect(parse_ofac_xml(FIXTURE))
    assert result.tally("ofac-sdn-xml:SDN_ENHANCED.XML").rows == 4
    assert validate(result.parties, "parties").ok
    rows = {r["party_id"]: r for r in result.parties.iter_rows(named=True)}
    assert list(rows) == ["ofac-sdn-xml:47950", "ofac-sdn-xml:34796", "ofac-sdn-xml:15075"]
    elem = rows["ofac-sdn-xml:47950"]
    assert elem["name"] == "LIMITED LIABILITY PARTNERSHIP ELEM GROUP"
    assert elem["aliases"] == ["ТОО ЭЛЕМ ГРУПП", "ELEM GROUP LLP"]
    assert (elem["kind"], elem["country"], elem["programs"]) == ("company", "KZ", ["RUSSIA-EO14024"])
    assert elem["identifiers"] == [{"scheme": "BIN", "value": "220340015717"}]
    assert elem["listed_on"] == dt.date(2024, 2, 23)
    assert elem["founded"] == dt.date(2022, 3, 14)
    assert elem["source_row"] == 1
    gref = rows["ofac-sdn-xml:34796"]
    assert (gref["kind"], gref["country"], gref["aliases"]) == ("person", "RU", ["GREF, German Oskarovich"])
    assert gref["identifiers"] == [
        {"scheme": "PASSPORT", "value": "760508990"},
        {"scheme": "NATIONAL_ID", "value": "4509555545"},
    ]
    naroon = rows["ofac-sdn-xml:15075"]
    assert (naroon["kind"], naroon["identifiers"]) == ("vessel", [{"scheme": "IMO", "value": "9079066"}])
    rejected = result.rejected.row(0, named=True)
    assert (rejected["row"], rejected["column"], rejected["reason"], rejected["id"]) == (
        3,
        "names",
        "no primary name",
        "99999",
    )


XXE = """<?xml version="1.0"?>
<!DOCTYPE sanctionsData [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<sanctionsData><entities><entity id="1"><names><name><isPrimary>true</isPrimary><translations><translation>
<formattedFullName>&secret;</formattedFullName></translation></translations></name></names></entity></entities></sanctionsData>
"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<sanctionsData><entities><entity id="1">&lol2;</entity></entities></sanctionsData>
"""


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["external-entity", "entity-expansion"])
def test_hostile_xml_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "SDN_ENHANCED.XML"
    path.write_text(text)
    with pytest.raises(InputError, match="unsafe XML refused") as raised:
        list(parse_ofac_xml(path))
    assert "root:" not in str(raised.value)  # nothing of /etc/passwd leaked into the message
    assert str(path) in str(raised.value)


def test_malformed_and_oversized_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<sanctionsData><entities><entity id='1'></entities>")
    with pytest.raises(InputError, match="malformed XML"):
        list(parse_ofac_xml(path))
    with pytest.raises(InputError, match="above the limit of 10"):
        list(parse_ofac_xml(FIXTURE, max_bytes=10))


def test_records_are_freed_as_they_are_read(tmp_path: Path) -> None:
    path = tmp_path / "many.xml"
    path.write_text(
        "<root><entities>" + "".join(f'<entity id="{i}"><x>{i}</x></entity>' for i in range(500)) + "</entities></root>"
    )
    kept: list[ET.Element] = []
    for element in iter_xml(path, "entity"):
        assert len(element) == 1 and element.get("id") == str(len(kept))
        kept.append(element)
    assert len(kept) == 500
    # Each record was cleared once the next was asked for: nothing of the file stays in memory.
    assert all(len(element) == 0 and element.get("id") is None for element in kept)
