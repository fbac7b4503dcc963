"""The CSV connector: encodings, delimiters, missing columns, quarantine and row numbers."""

from __future__ import annotations

import pathlib

import polars as pl
import pytest

from dualuse.connectors import FetchContext
from dualuse.connectors.builtin import CsvConnector
from dualuse.connectors.builtin.csv import detect_delimiter, detect_encoding
from dualuse.errors import ConfigError, InputError
from dualuse.store import Workspace

BACI_HEADER = "t,i,j,k,v,q\n"


def _fetch(tmp_path: pathlib.Path, **settings: object) -> tuple[pl.DataFrame, pl.DataFrame]:
    context = FetchContext(tmp_path / "cache")
    frames = list(CsvConnector.from_settings(settings).fetch(context))
    accepted = pl.concat(frames) if frames else pl.DataFrame()
    rejected = pl.concat(context.rejected, how="diagonal_relaxed") if context.rejected else pl.DataFrame()
    return accepted, rejected


def test_detects_cp1251_with_russian_headers(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    accepted, rejected = _fetch(tmp_path, path=data_dir / "declarations_cp1251.csv", preset="ru-declarations")
    assert accepted.height == 5 and rejected.height == 3
    first = accepted.row(0, named=True)
    assert first["shipment_id"] == "10005030/150623/3012345/1"
    assert first["manufacturer"] == "TEXAS INSTRUMENTS"
    assert first["importer_name"] == 'ООО "ВЕКТОР"'
    assert first["importer_id"] == "7701234567"
    assert (first["dispatch_country"], first["origin_country"]) == ("KZ", "CN")
    assert (first["value_usd"], first["value_original"], first["currency"], first["net_weight_kg"]) == (
        172413.79,
        1250000.0,
        "CNY",
        12.5,
    )
    assert accepted["source_row"].to_list() == [2, 3, 4, 5, 6]
    assert set(accepted["source"]) == {"declarations_cp1251.csv"}


def test_explicit_encoding_overrides_detection(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    with pytest.raises(InputError, match=r"declarations_cp1251.csv, row 1: byte 0x\w\w cannot be decoded as utf-8"):
        _fetch(tmp_path, path=data_dir / "declarations_cp1251.csv", preset="ru-declarations", encoding="utf-8")


def test_undecodable_byte_names_file_and_row(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes("Код товара;Страна\n8542310000;Китай\n".encode("cp1251") + b"8542320000;\x98\n")
    with pytest.raises(InputError) as caught:
        _fetch(tmp_path, path=path, encoding="cp1251", table="flows")
    assert (caught.value.file, caught.value.row) == (str(path), 3)
    assert "byte 0x98 cannot be decoded as cp1251" in str(caught.value)


def test_utf8_sig_and_semicolon_and_tab(tmp_path: pathlib.Path) -> None:
    for name, content, delimiter in (
        ("bom.csv", "\ufefft;i;j;k;v;q\n2023;156;398;854231;1;2\n", ";"),
        ("tab.tsv", "t\ti\tj\tk\tv\tq\n2023\t156\t398\t854231\t1\t2\n", "\t"),
        ("pipe.txt", "t|i|j|k|v|q\n2023|156|398|854231|1|2\n", "|"),
    ):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        accepted, rejected = _fetch(tmp_path, path=path, preset="baci")
        assert accepted.select("reporter", "partner", "value_usd").row(0) == ("CN", "KZ", 1000.0), delimiter
        assert rejected.height == 0


def test_delimiter_override(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("t;i;j;k;v;q\n2023;156;398;854231;1,5;2\n", encoding="utf-8")
    # forced to ',' the header is one column and the mapping cannot find "i"
    with pytest.raises(InputError, match="column t: mapped column missing"):
        _fetch(tmp_path, path=path, preset="baci", delimiter=",")


def test_missing_mapped_column_names_file_and_column(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("t,i,j,k,v\n2023,156,398,854231,1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        _fetch(tmp_path, path=path, preset="baci")
    assert (caught.value.file, caught.value.column) == (str(path), "q")


def test_bad_rows_are_quarantined_with_reasons(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        BACI_HEADER
        + "2023,156,398,854231,1.5,2\n"
        + "2023,156,398,854231,abc,2\n"
        + "20x3,156,398,854231,1,2\n"
        + "2023,156,398,85x,1,2\n"
        + "2023,156,12345,854231,1,2\n"
        + "2023,156,398,854231,-1,2\n",
        encoding="utf-8",
    )
    accepted, rejected = _fetch(tmp_path, path=path, preset="baci")
    assert accepted.height == 1 and accepted["value_usd"].to_list() == [1500.0]
    reasons = rejected.sort("row").select("row", "column", "value", "reason").rows()
    assert reasons == [
        (1, "v", "abc", "not a number: 'abc'"),
        (2, "t", "20x3", "not a period (YYYY, YYYY-MM or the first day of a month): '20x3'"),
        (3, "k", "85x", "not an HS code (digits with optional separators): '85x'"),
        (4, "j", "12345", "unknown country: '12345'"),
        (5, "value_usd", "-1000.0", "below 0.0: -1000.0"),
    ]
    assert rejected.sort("row")["source_row"].to_list() == ["3", "4", "5", "6", "7"]


def test_identity_mapping_reads_canonical_columns(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(
        "period,freq,reporter,partner,flow,hs_code,value_usd,note\n2023-01-01,A,CN,KZ,export,854231,10,hello\n",
        encoding="utf-8",
    )
    accepted, rejected = _fetch(tmp_path, path=path, table="flows")
    assert accepted.select("reporter", "value_usd", "note", "source_row").row(0) == ("CN", 10.0, "hello", 2)
    assert rejected.height == 0


def test_bad_settings_are_config_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError, match="path: Value error, no such file"):
        CsvConnector.from_settings({"path": tmp_path / "nope.csv"})
    with pytest.raises(ConfigError, match="unknown preset 'nope'"):
        CsvConnector.from_settings({"path": __file__, "preset": "nope"})
    with pytest.raises(ConfigError, match="unknown encoding 'klingon'"):
        CsvConnector.from_settings({"path": __file__, "encoding": "klingon"})
    with pytest.raises(ConfigError, match="a delimiter is one character"):
        CsvConnector.from_settings({"path": __file__, "delimiter": ";;"})


def test_detect_encoding_refuses_binary_noise() -> None:
    with pytest.raises(InputError, match="cannot detect the encoding"):
        detect_encoding(bytes([0x81, 0x83, 0x98, 0x88]) * 10, file="noise.csv")
    assert detect_encoding(b"\xef\xbb\xbfa,b") == "utf-8-sig"


def test_detect_delimiter_on_single_column() -> None:
    assert detect_delimiter("only\n1\n2\n") == ","


def test_detect_delimiter_ignores_commas_inside_headers_and_quotes() -> None:
    assert detect_delimiter("Код;Вес нетто, кг\n8542310000;1 200,50\n8542320000;3,2\n") == ";"
    assert detect_delimiter('name,note\n"OOO Vektor; Moscow",x\n"TOO Azia",y\n') == ","


def test_cp1251_transcode_is_cached(tmp_path: pathlib.Path, data_dir: pathlib.Path) -> None:
    _fetch(tmp_path, path=data_dir / "declarations_cp1251.csv", preset="ru-declarations")
    cached = list((tmp_path / "cache").glob("*.utf8.csv"))
    assert len(cached) == 1
    assert cached[0].read_text(encoding="utf-8").startswith("Номер декларации;")


def test_quoted_line_breaks_survive_chunking(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "parties.csv"
    path.write_text('party_id,name\np1,"ТОО ""Азия""\nТрейд"\np2,Vektor\np3,"Line\nbreak"\np4,Last\n', encoding="utf-8")
    for batch_rows in (1, 2, 100):
        accepted, rejected = _fetch(tmp_path, path=path, table="parties", batch_rows=batch_rows)
        assert accepted.select("party_id", "name", "source_row").rows() == [
            ("p1", 'ТОО "Азия"\nТрейд', 2),
            ("p2", "Vektor", 3),
            ("p3", "Line\nbreak", 4),
            ("p4", "Last", 5),
        ], batch_rows
        assert rejected.height == 0


def test_a_row_is_reported_once_with_its_first_problem_in_file_order(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "twice-bad.csv"
    path.write_text(
        BACI_HEADER
        + "2023,156,398,854231,-1,2\n"  # passes the mapping, fails validation (negative value)
        + "2023,156,398,85x,-1,2\n"  # unreadable HS code and a negative value: the mapping's reason wins
        + "2023,156,398,854231,1.5,2\n",
        encoding="utf-8",
    )
    workspace = Workspace(tmp_path / "ws")
    stored = workspace.fetch("csv", {"path": str(path), "preset": "baci"})
    assert stored.manifest.rows_accepted == 1 and stored.manifest.rows_rejected == 2
    assert stored.rejected().select("row", "column").rows() == [(0, "value_usd"), (1, "k")]


def test_blank_text_cells_become_null(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(
        "Declaration Number,Arrival Date,HS Code,Importer,Brand\nB-1,2023-01-02,854231,  Asia Trade LLP ,   \n",
        encoding="utf-8",
    )
    accepted, rejected = _fetch(tmp_path, path=path, preset="bill-of-lading")
    assert rejected.height == 0
    assert accepted.select("importer_name", "brand").row(0) == ("Asia Trade LLP", None)
