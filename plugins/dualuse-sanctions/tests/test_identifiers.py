"""The Remarks parser, scheme naming and national check digits."""

from __future__ import annotations

import datetime as dt

import pytest
from dualuse_sanctions.identifiers import (
    is_inn,
    is_kz_bin,
    is_ogrn,
    parse_date,
    parse_remarks,
    refine_scheme,
    scheme_for_label,
)
from dualuse_sanctions.records import Ident
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("remarks", "expected"),
    [
        ("Tax ID No. 7724317936 (Russia)", [Ident("INN", "7724317936", "RU", "Tax ID No.")]),
        ("Tax ID No. 7724317937 (Russia)", [Ident("TAX_ID", "7724317937", "RU", "Tax ID No.")]),  # bad check digit
        ("Registration Number 1157746419082 (Russia)", [Ident("OGRN", "1157746419082", "RU", "Registration Number")]),
        ("Registration Number 110140012405 (Kazakhstan)", [Ident("BIN", "110140012405", "KZ", "Registration Number")]),
        ("Registration ID 12345 (Cyprus)", [Ident("REG_NO", "12345", "CY", "Registration ID")]),
        ("INN 7724317936", [Ident("INN", "7724317936", None, "INN")]),
        ("OGRN 1157746419082", [Ident("OGRN", "1157746419082", None, "OGRN")]),
        ("BIN 220340015717", [Ident("BIN", "220340015717", None, "BIN")]),
        ("IMO 9079066", [Ident("IMO", "9079066", None, "IMO")]),
        ("SWIFT/BIC VTBAKZKZ", [Ident("SWIFT_BIC", "VTBAKZKZ", None, "SWIFT/BIC")]),
        (
            "Passport 760508990 (Russia) issued 01 Jan 2010 expires 01 Jan 2020",
            [Ident("PASSPORT", "760508990", "RU", "Passport")],
        ),
        (
            "Registration Number 11166971 (United Arab Emirates); alt. Registration Number 501015 (United Arab Emirates).",
            [
                Ident("REG_NO", "11166971", "AE", "Registration Number"),
                Ident("REG_NO", "501015", "AE", "Registration Number"),
            ],
        ),
        ("Government Gazette Number 27645894 (Kyrgyzstan)", []),
        ("Website http://en.vtb-bank.kz/; Linked To: VTB BANK.", []),
        ("Tax ID No. 123 (Atlantis)", [Ident("TAX_ID", "123", None, "Tax ID No.")]),  # unknown country kept as None
    ],
)
def test_identifiers_in_remarks(remarks: str, expected: list[Ident]) -> None:
    assert list(parse_remarks(remarks).identifiers) == expected


def test_kazakh_identification_number_is_bin_for_companies_and_iin_for_people() -> None:
    text = "Identification Number 220340015717 (Kazakhstan)."
    assert parse_remarks(text, "company").identifiers[0].scheme == "BIN"
    assert parse_remarks(text, "person").identifiers[0].scheme == "IIN"
    # Elsewhere a bare "Identification Number" is a registration number (companies) or national id (people).
    assert parse_remarks("Identification Number 12345 (Armenia)", "company").identifiers[0].scheme == "REG_NO"
    assert parse_remarks("Identification Number 12345 (Armenia)", "person").identifiers[0].scheme == "NATIONAL_ID"


def test_aliases_founding_date_and_nationality() -> None:
    remarks = parse_remarks(
        "Organization Established Date 24 Aug 2022; nationality Russia; a.k.a. 'UCON COMPANY'; "
        "f.k.a. 'NOOR'; n.k.a. 'NEW NAME'; a.k.a. 'UCON COMPANY'."
    )
    assert remarks.aliases == ("UCON COMPANY", "NOOR", "NEW NAME")
    assert remarks.founded == dt.date(2022, 8, 24)
    assert remarks.nationality == "RU"


def test_check_digits() -> None:
    assert is_inn("7724317936") and not is_inn("7724317935") and not is_inn("772431793")
    assert is_inn("500100732259") and not is_inn("500100732258")
    assert is_ogrn("1157746419082") and not is_ogrn("115774641908")
    assert is_ogrn("304500116000157")  # an OGRNIP (15 digits, modulus 13)
    assert is_kz_bin("220340015717") and is_kz_bin("220340015320") and not is_kz_bin("220340015710")
    assert not is_kz_bin("２２０３４００１５７１７")  # full-width digits are not ASCII digits


def test_refine_scheme_needs_country_and_check_digits() -> None:
    assert refine_scheme("TAX_ID", "7724317936", None) == "TAX_ID"
    assert refine_scheme("REG_NO", "1157746419082", "KZ") == "REG_NO"
    assert refine_scheme("REG_NO", "304500116000157", "RU") == "OGRNIP"
    assert refine_scheme("PASSPORT", "220340015717", "KZ") == "PASSPORT"
    assert scheme_for_label("Vessel Registration Identification") == "IMO"
    assert scheme_for_label("  ") == "OTHER"


def test_parse_date_formats() -> None:
    assert parse_date("31/12/2020") == dt.date(2020, 12, 31)
    assert parse_date("13-Feb-2026") == dt.date(2026, 2, 13)
    assert parse_date("2022-02-23") == dt.date(2022, 2, 23)
    assert parse_date("May 2022") is None and parse_date("") is None and parse_date(None) is None


@given(st.text(max_size=300))
def test_remarks_parser_never_crashes(text: str) -> None:
    remarks = parse_remarks(text)
    for ident in remarks.identifiers:
        assert ident.value and len(ident.value) <= 64
        assert ident.country is None or len(ident.country) == 2


_labels = st.sampled_from(["Tax ID No.", "Registration Number", "Identification Number", "Passport", "IMO", "alt. INN"])
_values = st.text(alphabet="0123456789ABC-./", min_size=1, max_size=20).filter(lambda v: any(c.isalnum() for c in v))


@given(
    st.lists(st.tuples(_labels, _values, st.sampled_from(["", " (Russia)", " (Kazakhstan)", " (Armenia)"])), max_size=6)
)
def test_every_labelled_identifier_is_found(items: list[tuple[str, str, str]]) -> None:
    text = "; ".join(f"{label} {value}{country}" for label, value, country in items)
    found = {i.value for i in parse_remarks(text + ".").identifiers}
    assert found == {value.rstrip(".,") for _, value, _ in items if value.rstrip(".,")}
