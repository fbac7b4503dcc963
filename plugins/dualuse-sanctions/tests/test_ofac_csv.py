"""OFAC legacy CSV: the real byte-exact sample, crafted bad rows, and the rows-in invariant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from dualuse_sanctions.ofac_csv import parse_ofac_csv
from dualuse_sanctions.records import collect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualuse.schema import validate


def _line_count(path: Path) -> int:
    """Records in a no-header OFAC file: CRLF lines, minus the 0x1A end-of-file marker."""
    data = path.read_bytes()
    assert data.endswith(b"\x1a")
    return data.count(b"\r\n")


def test_real_sample_every_row_is_accounted_for(ofac_raw: Path) -> None:
    result = collect(parse_ofac_csv(ofac_raw / "sdn.csv", ofac_raw / "add.csv", ofac_raw / "alt.csv"))
    sdn, add, alt = (result.tally(f"ofac-sdn:{name}") for name in ("sdn.csv", "add.csv", "alt.csv"))
    # Counted by hand in the files: 21 entries, 23 addresses, 30 aliases, all joined.
    assert (sdn.rows, sdn.parties, sdn.merged, sdn.rejected) == (21, 21, 0, 0)
    assert (add.rows, add.merged, add.rejected) == (23, 23, 0)
    assert (alt.rows, alt.merged, alt.rejected) == (30, 30, 0)
    for tally, name in ((sdn, "sdn.csv"), (add, "add.csv"), (alt, "alt.csv")):
        assert tally.rows == _line_count(ofac_raw / name)
    assert result.parties.height == 21 and result.rejected.height == 0
    assert validate(result.parties, "parties").ok
    merged = result.parties["merged_from"].explode().drop_nulls()
    assert merged.len() == 23 + 30 and merged.n_unique() == 53


def test_real_sample_elem_group(ofac_raw: Path) -> None:
    result = collect(parse_ofac_csv(ofac_raw / "sdn.csv", ofac_raw / "add.csv", ofac_raw / "alt.csv"))
    elem = result.parties.filter(pl.col("name") == "LIMITED LIABILITY PARTNERSHIP ELEM GROUP").row(0, named=True)
    assert elem["party_id"] == "ofac-sdn:47950"
    assert elem["kind"] == "company"
    assert elem["country"] == "KZ"
    # BIN, not a generic REG_NO: a Kazakh 12-digit number with a valid check digit, 5th digit 4
    # (a resident legal entity), registered 2022-03 (the first four digits).
    assert elem["identifiers"] == [{"scheme": "BIN", "value": "220340015717"}]
    assert elem["identifier_details"] == [
        {"scheme": "BIN", "value": "220340015717", "country": "KZ", "label": "Identification Number"}
    ]
    assert elem["programs"] == ["RUSSIA-EO14024"]
    assert (elem["source"], elem["source_row"]) == ("ofac-sdn:sdn.csv", 18)
    assert elem["merged_from"] == ["ofac-sdn:add.csv#19"]


def test_real_sample_other_rows(ofac_raw: Path) -> None:
    parties = collect(parse_ofac_csv(ofac_raw / "sdn.csv", ofac_raw / "add.csv", ofac_raw / "alt.csv")).parties
    by_id = {row["party_id"]: row for row in parties.iter_rows(named=True)}
    vtb = by_id["ofac-sdn:18723"]
    assert vtb["programs"] == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert vtb["identifiers"] == [{"scheme": "SWIFT_BIC", "value": "VTBAKZKZ"}]
    assert vtb["aliases"] == [
        "BANK VTB KAZAKHSTAN JSC",
        "SUBSIDIARY JSC BANK VTB KAZAKHSTAN",
        "JOINT STOCK COMPANY VTB BANK KAZAKHSTAN",
    ]
    gref = by_id["ofac-sdn:34796"]
    assert (gref["kind"], gref["country"]) == ("person", "RU")
    assert gref["identifiers"] == [
        {"scheme": "PASSPORT", "value": "760508990"},
        {"scheme": "NATIONAL_ID", "value": "4509555545"},
    ]
    tanker = by_id["ofac-sdn:15075"]
    assert (tanker["kind"], tanker["country"]) == ("vessel", "IR")  # no address country: the flag
    assert tanker["identifiers"] == [{"scheme": "IMO", "value": "9079066"}]
    assert tanker["aliases"] == ["NOOR", "MAHARLIKA", "BELEMA LIGHT CRUDE"]
    bso = by_id["ofac-sdn:41962"]
    assert bso["identifiers"] == [
        {"scheme": "INN", "value": "7724317936"},
        {"scheme": "OGRN", "value": "1157746419082"},
    ]
    assert bso["aliases"] == ["BSO"] and bso["country"] == "RU"
    assert bso["merged_from"] == ["ofac-sdn:add.csv#22", "ofac-sdn:add.csv#23"]
    aeromotus = by_id["ofac-sdn:41478"]
    assert [i["value"] for i in aeromotus["identifiers"]] == ["10951485", "775265", "1268139"]
    assert aeromotus["founded"] == dt.date(2017, 1, 31)
    ucon = by_id["ofac-sdn:47614"]
    assert ucon["aliases"] == ["UCON COMPANY", "UCON LLC"]  # Remarks a.k.a. first, then alt.csv
    assert by_id["ofac-sdn:36427"]["identifiers"] == [{"scheme": "BIN", "value": "110140012405"}]
    assert by_id["ofac-sdn:38660"]["identifiers"] == [
        {"scheme": "TAX_ID", "value": "02298191"},
        {"scheme": "REG_NO", "value": "269.110.1228684"},
    ]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode() + b"\x1a")
    return path


NULLS = ",".join(["-0- "] * 7)


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    sdn = _write(
        tmp_path / "sdn.csv",
        [
            f'1,"GOOD LLP",-0- ,"RUSSIA-EO14024",{NULLS},"Tax ID No. 7724317936 (Russia)."',
            f'x,"BAD NUMBER",-0- ,"IRAN",{NULLS},-0- ',
            f'1,"DUPLICATE",-0- ,"IRAN",{NULLS},-0- ',
            f'3,-0- ,-0- ,"IRAN",{NULLS},-0- ',
            f'4,"ODD TYPE","submarine","IRAN",{NULLS},-0- ',
            '5,"TOO SHORT"',
        ],
    )
    add = _write(
        tmp_path / "add.csv",
        ['1,10,"Street 1","Moscow","Russia",-0- ', '9,11,-0- ,-0- ,"Kazakhstan",-0- ', '1,12,-0- ,-0- ,"Narnia",-0- '],
    )
    alt = _write(tmp_path / "alt.csv", ['1,20,"aka","GOOD",-0- ', '1,21,"aka",-0- ,-0- ', "1,22"])
    result = collect(parse_ofac_csv(sdn, add, alt))
    assert result.parties["name"].to_list() == ["GOOD LLP"]
    good = result.parties.row(0, named=True)
    assert good["country"] == "RU" and good["identifiers"] == [{"scheme": "INN", "value": "7724317936"}]
    reasons = {(r["source"], r["row"]): (r["column"], r["reason"]) for r in result.rejected.iter_rows(named=True)}
    assert reasons == {
        ("ofac-sdn:sdn.csv", 1): ("ent_num", "ent_num is not a whole number"),
        ("ofac-sdn:sdn.csv", 2): ("ent_num", "ent_num already listed in an earlier row"),
        ("ofac-sdn:sdn.csv", 3): ("SDN_Name", "no name"),
        ("ofac-sdn:sdn.csv", 4): ("SDN_Type", "expected individual, vessel, aircraft or -0-"),
        ("ofac-sdn:sdn.csv", 5): (None, "expected 12 cells, found 2"),
        ("ofac-sdn:add.csv", 1): ("Ent_num", "ent_num is not in sdn.csv"),
        ("ofac-sdn:add.csv", 2): ("Country", "names no known country"),
        ("ofac-sdn:alt.csv", 1): ("alt_name", "alias without a name"),
        ("ofac-sdn:alt.csv", 2): (None, "expected 5 cells, found 2"),
    }
    # The rejects keep the input cells (row is 0-based, as in dualuse.rejects).
    bad_type = result.rejected.filter((pl.col("source") == "ofac-sdn:sdn.csv") & (pl.col("row") == 4)).row(
        0, named=True
    )
    assert bad_type["SDN_Name"] == '"ODD TYPE"'.strip('"') and bad_type["value"] == "submarine"
    assert [(t.source, t.rows, t.parties, t.merged, t.rejected) for t in result.tallies] == [
        ("ofac-sdn:add.csv", 3, 0, 1, 2),
        ("ofac-sdn:alt.csv", 3, 0, 1, 2),
        ("ofac-sdn:sdn.csv", 6, 1, 0, 5),
    ]


_cell = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters='"\r\n\x1a'), max_size=12)
_sdn_row = st.tuples(
    st.one_of(st.integers(1, 6).map(str), _cell), _cell, st.sampled_from(["-0- ", "individual", "vessel", "x"]), _cell
)
_side_row = st.tuples(st.one_of(st.integers(1, 8).map(str), _cell), _cell)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sdn_rows=st.lists(_sdn_row, max_size=8),
    add_rows=st.lists(_side_row, max_size=8),
    alt_rows=st.lists(_side_row, max_size=8),
)
def test_rows_in_equal_parties_plus_merged_plus_rejected(
    tmp_path: Path,
    sdn_rows: list[tuple[str, str, str, str]],
    add_rows: list[tuple[str, str]],
    alt_rows: list[tuple[str, str]],
) -> None:
    def quoted(value: str) -> str:
        return f'"{value}"'

    sdn = _write(
        tmp_path / "sdn.csv",
        [
            ",".join([quoted(e), quoted(n), t if t == "-0- " else quoted(t), '"IRAN"', NULLS, quoted(r)])
            for e, n, t, r in sdn_rows
        ],
    )
    add = _write(tmp_path / "add.csv", [f"{quoted(e)},1,-0- ,-0- ,{quoted(c)},-0- " for e, c in add_rows])
    alt = _write(tmp_path / "alt.csv", [f'{quoted(e)},1,"aka",{quoted(n)},-0- ' for e, n in alt_rows])
    result = collect(parse_ofac_csv(sdn, add, alt))
    written = {"sdn.csv": len(sdn_rows), "add.csv": len(add_rows), "alt.csv": len(alt_rows)}
    for tally in result.tallies:
        assert tally.rows == tally.parties + tally.merged + tally.rejected
        assert tally.rows == written[tally.source.split(":")[1]]
    assert sum(t.rows for t in result.tallies) == sum(written.values())
    assert result.parties.height == sum(t.parties for t in result.tallies)
    assert result.rejected.height == sum(t.rejected for t in result.tallies)
    assert result.parties["party_id"].n_unique() == result.parties.height
