"""The explore pages' content: search in any script and HS shape, dossiers, chains, and safe output."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from markupsafe import Markup

from dualuse.explore import pages
from dualuse.explore.text import neutralise_value

ZHARQYN = "Zharqyn Vektor LLP"


@pytest.fixture
def conn(demo_database: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{demo_database}?mode=ro", uri=True)) as connection:
        yield connection


@pytest.mark.parametrize("typed", ["Жарқын", "жаркын вектор", "Zharqyn", "ZHARKYN VECTOR", "zharq", "220341098213"])
def test_a_party_is_found_by_any_spelling_script_or_identifier(conn: sqlite3.Connection, typed: str) -> None:
    found = pages.search(conn, typed)
    assert [p["name"] for p in found["parties"]][:1] == [ZHARQYN]


@pytest.mark.parametrize("typed", ["8541.21", "8541 21", "854121", "HS 8541.21.00.00", "8541-21"])
def test_an_hs_code_in_any_printed_shape_gives_the_same_answer(conn: sqlite3.Connection, typed: str) -> None:
    found = pages.search(conn, typed)["hs"]
    assert found is not None and found["digits"].startswith("854121")
    reference = pages.search(conn, "854121")["hs"]
    assert found["totals"] == reference["totals"] and found["totals"]["shipments"] > 0
    assert {c["chain_id"] for c in found["chains"]} == {c["chain_id"] for c in reference["chains"]}
    assert all(c["hs6"].startswith("854121") for c in found["chains"]) and found["chains"]


def test_findings_are_searchable(conn: sqlite3.Connection) -> None:
    found = pages.search(conn, "kvarsol")
    assert {"screening_hit", "red_flag"} <= {f["kind"] for f in found["findings"]}
    assert pages.search(conn, "   ") == {"query": "", "hs": None, "parties": [], "records": [], "findings": []}


def _party_id(conn: sqlite3.Connection, name: str) -> str:
    row = conn.execute("select party_id from parties where name = ?", (name,)).fetchone()
    assert row is not None
    return str(row[0])


def test_the_dossier_holds_identity_trade_chains_flags_hits_and_counterparties(conn: sqlite3.Connection) -> None:
    party_id = _party_id(conn, ZHARQYN)
    found = pages.dossier(conn, party_id)
    assert found is not None
    assert {"BIN"} == {i["scheme"] for i in found["party"]["identifiers"]}
    assert ("ТОО «Жарқын Вектор»", "cyrillic") in {(n["name"], n["script"]) for n in found["names"]}
    assert {r["list_kind"] for r in found["records"]} == {"registry", "watchlist"}
    in_lines = conn.execute("select count(*) from shipments where importer_party = ?", (party_id,)).fetchone()[0]
    assert sum(y["in_shipments"] or 0 for y in found["years"]) == in_lines == found["party"]["in_shipments"]
    through = conn.execute(
        "select count(distinct chain_id) from chain_parties where party_id = ?", (party_id,)
    ).fetchone()[0]
    assert len(found["chains"]) == min(through, pages.LIMIT) and through == found["party"]["chains"]
    assert {f["flag"] for f in found["flags"]} >= {"new_importer_after_invasion", "founded_after_invasion"}
    assert all(f["evidence"]["rows"] and f["evidence"]["rows"][0]["row_id"] for f in found["flags"])
    assert found["hits"][0]["match_name"].endswith("ZHARQYN VEKTOR") and found["hits"][0]["explanation"]
    names = {c["name"] for c in found["counterparties"]}
    assert "Orlanit Komplekt LLC" in names and {c["direction"] for c in found["counterparties"]} == {
        "supplier",
        "customer",
    }
    assert pages.dossier(conn, "p-0000000000000000") is None


def test_a_chain_page_has_every_leg_with_its_shipment_line(conn: sqlite3.Connection) -> None:
    chain_id, legs = conn.execute("select chain_id, legs from chains order by legs desc, chain_id limit 1").fetchone()
    found = pages.chain(conn, chain_id)
    assert found is not None
    assert [leg["leg"] for leg in found["legs"]] == list(range(1, legs + 1))
    assert all(leg["row_id"] is not None for leg in found["legs"])
    assert len(found["parties"]) == legs + 1 and len(found["hops"]) == legs - 1
    assert str(found["svg"]).count("<rect") == 2 * (legs + 1)  # one graph across, one down
    html = pages.render("chain.html", found, pages.Links())
    assert html.count('class="du-source"') == legs and "<script" not in html


HOSTILE = 'Evil <script>alert("x")</script> \u202egpj.exe LLC'


@pytest.fixture
def hostile_database(demo_database: Path, tmp_path: Path) -> Path:
    """The demo database with one party renamed to markup and a bidi override."""
    path = tmp_path / "hostile.db"
    shutil.copy(demo_database, path)
    with closing(sqlite3.connect(path)) as connection:
        party_id = _party_id(connection, ZHARQYN)
        connection.execute("update parties set name = ? where party_id = ?", (HOSTILE, party_id))
        connection.execute("update chains set party_names = json_replace(party_names, '$[1]', ?)", (HOSTILE,))
        connection.commit()
    return path


def test_hostile_names_are_escaped_and_their_bidi_controls_shown(hostile_database: Path) -> None:
    with closing(sqlite3.connect(hostile_database)) as connection:
        party_id = connection.execute("select party_id from parties where name = ?", (HOSTILE,)).fetchone()[0]
        dossier = pages.dossier(connection, party_id)
        chain_id = connection.execute(
            "select chain_id from chain_parties where party_id = ? limit 1", (party_id,)
        ).fetchone()[0]
        chain = pages.chain(connection, chain_id)
    assert dossier is not None and chain is not None
    for html in (pages.render("party.html", dossier, pages.Links()), pages.render("chain.html", chain, pages.Links())):
        assert "<script>" not in html and "\u202e" not in html
        assert "&lt;script&gt;" in html and "⟨U+202E⟩gpj.exe" in html


def test_links_encode_keys_as_datasette_expects() -> None:
    links = pages.Links(base="/prefix/", database="dualuse")
    assert links.row("findings", "flag:p-1:new importer") == "/prefix/dualuse/findings/flag~3Ap-1~3Anew+importer"
    assert links.party("p-1/x") == "/prefix/-/dualuse/party/p-1%2Fx"
    assert links.search("a&b") == "/prefix/-/dualuse/search?q=a%26b"
    assert neutralise_value(Markup("a\u2066b")) == Markup("a⟨U+2066⟩b") and isinstance(
        neutralise_value(Markup("x")), Markup
    )


def test_the_overview_counts_what_the_tables_hold(conn: sqlite3.Connection) -> None:
    counts = pages.overview(conn)["counts"]
    for table, shown in counts.items():
        assert shown == conn.execute(f"select count(*) from {table}").fetchone()[0], table
