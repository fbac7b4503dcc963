"""Reading what real files hold: whole-file encodings, ragged records, sniffing, literal paths, long fields.

Each test here is a case that used to be read wrongly in silence (issue 14).
"""

from __future__ import annotations

import pathlib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualuse.connectors import FetchContext
from dualuse.connectors.builtin import CsvConnector
from dualuse.connectors.builtin.csv import detect_delimiter
from dualuse.connectors.builtin.encoding import decide_encoding, detect_encoding
from dualuse.connectors.builtin.shape import ragged_records
from dualuse.errors import InputError
from dualuse.store import Workspace

PARTIES = "party_id,name,country\n"
CYRILLIC = ["ООО ВЕКТОР", "ТОО АЗИЯ ТРЕЙД", "АО КВАРСОЛ", "ОсОО БИШКЕК ЭЛЕКТРОНИКС", "ПАО МИКРОН"]


def _ingest(tmp_path: pathlib.Path, path: pathlib.Path, **settings: object) -> tuple[pl.DataFrame, pl.DataFrame]:
    stored = Workspace(tmp_path / "ws").fetch("csv", {"path": str(path), **settings}, refresh=True)
    return stored.read(), stored.rejected()


def _parties(rows: list[str]) -> str:
    return PARTIES + "".join(f"p{i},{name},KZ\n" for i, name in enumerate(rows))


# --- encodings ---------------------------------------------------------------------------------


def test_utf8_with_one_stray_cp1252_byte_is_refused_naming_its_row_not_read_as_cp1251(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "parties.csv"
    rows = [CYRILLIC[i % 5] for i in range(50)]
    path.write_bytes(
        _parties(rows[:20]).encode()
        + "p99,CAFÉ NOIR,FR\n".encode("cp1252")
        + _parties(rows[20:])[len(PARTIES) :].encode()
    )
    with pytest.raises(InputError) as caught:
        _ingest(tmp_path, path, table="parties")
    assert (caught.value.file, caught.value.row) == (str(path), 22)
    assert "byte 0xc9 is not UTF-8, though the rest of the file is" in str(caught.value)


def test_stray_byte_far_beyond_the_first_block_is_still_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "big.csv"
    body = _parties([CYRILLIC[i % 5] for i in range(3000)])  # well past 64 KiB
    path.write_bytes(body.encode() + "p-x,MÜLLER,DE\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        _ingest(tmp_path, path, table="parties")
    assert caught.value.row == 3002


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("latin-1", ["MÜLLER GMBH", "SOCIÉTÉ GÉNÉRALE", "KÖHLER & SÖHNE"]),
        ("cp1252", ["MÜLLER GMBH", "ŠKODA EXPORT", "STRAßE – WERK"]),
        ("cp1254", ["ÇELİK DIŞ TİCARET A.Ş.", "ÖZTÜRK LOJİSTİK", "YILDIZ İTHALAT"]),
        ("cp1251", CYRILLIC),
    ],
)
def test_single_byte_files_are_read_in_their_own_encoding(
    tmp_path: pathlib.Path, encoding: str, names: list[str]
) -> None:
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(_parties(names * 3).encode(encoding))
    accepted, rejected = _ingest(tmp_path, path, table="parties")
    assert rejected.height == 0
    assert accepted["name"].to_list()[: len(names)] == names


def test_a_file_whose_words_read_well_in_two_scripts_is_refused_and_encoding_is_the_way_out(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "doubt.csv"
    # one Cyrillic word and one Latin word: as plausible in cp1251 as in cp1252
    path.write_bytes(PARTIES.encode() + "p1,ВЕКТОР,RU\n".encode("cp1251") + "p2,MÜLLER,DE\n".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        _ingest(tmp_path, path, table="parties")
    assert caught.value.row == 2 and "cannot detect the encoding" in str(caught.value)
    assert "pass encoding=" in str(caught.value)
    accepted, _ = _ingest(tmp_path, path, table="parties", encoding="cp1251")
    assert accepted["name"].to_list()[0] == "ВЕКТОР"


def test_utf8_decision_covers_the_whole_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"a\n" + b"x\n" * 40_000 + "Ромашка\n".encode("cp1251") * 5)
    assert decide_encoding(path) == "cp1251"  # the first 64 KiB are ASCII; the rest decides


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(CYRILLIC), min_size=2, max_size=30))
def test_cyrillic_names_always_round_trip_through_cp1251(names: list[str]) -> None:
    data = _parties(names).encode("cp1251")
    assert detect_encoding(data) == "cp1251"


# --- ragged records ----------------------------------------------------------------------------


def test_a_row_with_extra_cells_deep_in_a_large_file_is_rejected_alone(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "flows.csv"
    good = "2023,156,398,854231,1.5,2\n"
    lines = [good] * 30_000
    lines[24_999] = "2023,156,398,854231,1.5,2,surplus\n"
    path.write_text("t,i,j,k,v,q\n" + "".join(lines), encoding="utf-8")
    accepted, rejected = _ingest(tmp_path, path, preset="baci")
    assert (accepted.height, rejected.height) == (29_999, 1)
    row = rejected.row(0, named=True)
    assert row["source_row"] == "25001" and row["column"] == "(record)" and row["value"] == "7"
    assert row["reason"].startswith("7 cells where the header has 6")


def test_short_rows_are_rejected_not_filled_with_nulls(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "parties.csv"
    path.write_text(PARTIES + "p1,ACME,KZ\np2,ROMASHKA\np3,AZIA,KG\n", encoding="utf-8")
    accepted, rejected = _ingest(tmp_path, path, table="parties")
    assert accepted["party_id"].to_list() == ["p1", "p3"]
    assert rejected.select("source_row", "reason").rows() == [
        ("3", "2 cells where the header has 3: a cell is missing, so the cells may be shifted")
    ]


def test_fetch_in_batches_rejects_the_same_ragged_rows(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "parties.csv"
    path.write_text(PARTIES + "p1,ACME,KZ\np2,ROMASHKA,KZ,extra\n" + "p3,AZIA,KG\n" * 50, encoding="utf-8")
    context = FetchContext(tmp_path / "cache")
    connector = CsvConnector.from_settings({"path": path, "table": "parties", "batch_rows": 7})
    accepted = pl.concat(list(connector.fetch(context)))
    rejected = pl.concat(context.rejected)
    assert accepted.height == 51 and rejected["source_row"].to_list() == ["3"]


def test_quoted_delimiters_and_line_breaks_are_not_ragged(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(PARTIES + 'p1,"ACME, LLC",KZ\np2,"TWO\nLINES",KZ\np3,"SAY ""HI""",KG\n', encoding="utf-8")
    accepted, rejected = _ingest(tmp_path, path, table="parties")
    assert rejected.height == 0 and accepted["name"].to_list() == ["ACME, LLC", "TWO\nLINES", 'SAY "HI"']


def test_a_file_where_most_rows_disagree_with_the_header_is_refused_as_misread(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("a;b;c\n" + "1;2\n" * 20, encoding="utf-8")
    with pytest.raises(InputError, match=r"20 of 20 records have a different number of cells"):
        _ingest(tmp_path, path, table="parties", delimiter=";")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["a", "", "x,y", 'q"q', "l1\nl2", "12"]), min_size=1, max_size=5),
        min_size=1,
        max_size=25,
    )
)
def test_cell_counts_match_the_csv_module(rows: list[list[str]]) -> None:
    import csv
    import io
    import tempfile

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["h1", "h2", "h3"])
    writer.writerows(rows)
    path = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    expected = {i: len(r) for i, r in enumerate(rows) if len(r) != 3}
    if len(expected) > 10 and len(expected) * 2 > len(rows):
        return  # refused as misread, tested above
    assert ragged_records(path, ",").ragged == expected


# --- delimiter ---------------------------------------------------------------------------------


def test_a_short_row_near_the_top_does_not_fool_the_delimiter(tmp_path: pathlib.Path) -> None:
    sample = "t;i;j;k;v;q\n2023;156\n" + "2023;156;398;854231;1.5;2\n" * 10
    assert detect_delimiter(sample) == ";"
    path = tmp_path / "semicolon.csv"
    path.write_text(sample, encoding="utf-8")
    accepted, rejected = _ingest(tmp_path, path, preset="baci")
    assert (accepted.height, rejected.height) == (10, 1)
    assert rejected["source_row"].to_list() == ["2"]


# --- literal paths -----------------------------------------------------------------------------


def test_a_path_with_brackets_reads_that_file_only(tmp_path: pathlib.Path) -> None:
    named = tmp_path / "flows [2023].csv"
    named.write_text("t,i,j,k,v,q\n2023,156,398,854231,1,2\n", encoding="utf-8")
    (tmp_path / "flows 2.csv").write_text("t,i,j,k,v,q\n2023,156,398,854231,99,2\n", encoding="utf-8")
    accepted, _ = _ingest(tmp_path, named, preset="baci")
    assert accepted["value_usd"].to_list() == [1000.0]
    assert accepted["source"].to_list() == ["flows [2023].csv"]


def test_a_pattern_is_not_expanded(tmp_path: pathlib.Path) -> None:
    for n in (1, 2, 3):
        (tmp_path / f"flows{n}.csv").write_text("t,i,j,k,v,q\n2023,156,398,854231,1,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="no such file"):
        _ingest(tmp_path, tmp_path / "flows*.csv", preset="baci")


def test_parquet_paths_are_literal_too(tmp_path: pathlib.Path) -> None:
    named = tmp_path / "flows [2023].parquet"
    frame = pl.DataFrame({"t": ["2023"], "i": ["156"], "j": ["398"], "k": ["854231"], "v": ["1"], "q": ["2"]})
    frame.write_parquet(named)
    frame.with_columns(pl.lit("99").alias("v")).write_parquet(tmp_path / "flows 2.parquet")
    stored = Workspace(tmp_path / "ws").fetch("parquet", {"path": str(named), "preset": "baci"})
    assert stored.read()["value_usd"].to_list() == [1000.0]


# --- long fields -------------------------------------------------------------------------------


def test_a_field_longer_than_131072_characters_is_read(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "long.csv"
    long_name = "ALIAS " * 40_000  # 240,000 characters
    path.write_text(PARTIES + f'p1,"{long_name}",KZ\np2,ACME,KZ\n', encoding="utf-8")
    accepted, rejected = _ingest(tmp_path, path, table="parties")
    assert rejected.height == 0 and accepted["name"].str.len_chars().to_list() == [len(long_name.strip()), 4]
