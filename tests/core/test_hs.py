from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualuse.errors import HSCodeError
from dualuse.hs import HSCode, HSVersion, convert, convert_column, describe, is_known, normalize_column

digits = st.integers(min_value=1, max_value=6).flatmap(
    lambda pairs: st.text(alphabet="0123456789", min_size=2 * pairs, max_size=2 * pairs)
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("8542.31", "854231"),
        ("854231", "854231"),
        ("8542 31 00 00", "8542310000"),
        ("8541210000", "8541210000"),
        ("0101.21", "010121"),
        (" 8541-21 ", "854121"),
        (10121, "010121"),
        (854231, "854231"),
    ],
)
def test_parse_every_shape(written: str | int, expected: str) -> None:
    assert HSCode.parse(written).digits == expected


def test_integer_width_is_given_or_inferred() -> None:
    assert HSCode.parse(101210, width=8).digits == "00101210"
    assert HSCode.parse(1012100000).digits == "1012100000"  # even: nothing lost that we can know
    assert HSCode.parse(101210000).digits == "0101210000"  # odd: one leading zero lost for certain


def test_text_with_odd_digits_is_never_guessed() -> None:
    with pytest.raises(HSCodeError, match="width="):
        HSCode.parse("10121")
    assert HSCode.parse("10121", width=6).digits == "010121"


@pytest.mark.parametrize("bad", ["85x231", "", "8", "1234567890123", "８５４２"])
def test_bad_codes_name_the_value(bad: str) -> None:
    with pytest.raises(HSCodeError, match="HS code"):
        HSCode.parse(bad)


def test_parts_and_containment() -> None:
    code = HSCode.parse("8541.21.0000")
    assert (code.chapter, code.heading, code.hs6, code.national, code.level) == ("85", "8541", "854121", "0000", 10)
    assert HSCode.parse("8541").contains(code)
    assert not HSCode.parse("8542").contains(code)
    assert HSCode.parse("85").hs6 is None


@given(digits)
def test_format_parse_round_trip(text: str) -> None:
    code = HSCode.parse(text)
    assert HSCode.parse(str(code)) == code
    assert code.digits == text


def test_versions_and_descriptions() -> None:
    assert HSVersion.parse("H6") is HSVersion.HS2022
    assert describe("8806.22").startswith("Unmanned aircraft")
    assert is_known("880622", "HS2022") and not is_known("880622", "HS2017")
    with pytest.raises(HSCodeError):
        HSVersion.parse("HS1996x")


def test_missing_unsd_link_8541_50_is_present() -> None:
    targets = convert("854150", source="HS2017", target="HS2022")
    assert [(str(c), s) for c, s in targets] == [("8541.51", 0.5), ("8541.59", 0.5)]
    assert convert("854151", source="HS2022", target="HS2017") == [(HSCode("854150"), 1.0)]


def test_drones_have_their_hs2017_homes() -> None:
    back = {
        str(c) for code in ("880621", "880622", "880629") for c, _ in convert(code, source="HS2022", target="HS2017")
    }
    assert back == {"8525.80", "8802.40"}
    forward = {str(c) for c, _ in convert("852580", source="HS2017", target="HS2022")}
    assert {"8525.89", "8806.22"} <= forward


def test_continuing_code_keeps_its_trade() -> None:
    assert convert("854231", source="HS2017", target="HS2022") == [(HSCode("854231"), 1.0)]


def test_normalize_column_reports_bad_rows() -> None:
    frame = pl.DataFrame({"hs_code": ["8542.31", "85x", None, "10121", "854231"], "n": [1, 2, 3, 4, 5]})
    ok, bad = normalize_column(frame, version="HS2022")
    assert ok["hs_code"].to_list() == ["854231", "854231"]
    assert bad.select("row", "reason").rows() == [
        (1, "not digits"),
        (2, "missing"),
        (3, "odd number of digits: a leading zero was probably lost; pass width="),
    ]
    assert ok.height + bad.height == frame.height
    assert bad["n"].to_list() == ["2", "3", "4"]  # the whole input row is kept


def test_normalize_integer_column_restores_zeros() -> None:
    ok, bad = normalize_column(pl.DataFrame({"k": [10121, 854231]}), "k")
    assert ok["k"].to_list() == ["010121", "854231"] and bad.height == 0


def test_normalize_checks_nomenclature_version() -> None:
    _, bad = normalize_column(pl.DataFrame({"hs_code": ["880622"]}), version="HS2017")
    assert bad["reason"].to_list() == ["not an HS2017 subheading"]


@given(st.lists(st.sampled_from(["854150", "854231", "852580", "880240", "847150"]), min_size=1, max_size=20))
def test_convert_column_conserves_value(codes: list[str]) -> None:
    frame = pl.DataFrame({"hs_code": codes, "value_usd": [float(i + 1) for i in range(len(codes))]})
    out = convert_column(frame, source="HS2017", target="HS2022")
    assert out["value_usd"].sum() == pytest.approx(frame["value_usd"].sum())
    assert set(out["hs_version"]) == {"HS2022"}


def test_convert_column_rejects_unknown_codes() -> None:
    with pytest.raises(Exception, match="not a HS2017 subheading"):
        convert_column(pl.DataFrame({"hs_code": ["880622"], "value_usd": [1.0]}), source="HS2017", target="HS2022")
