from __future__ import annotations

import contextlib

import polars as pl
import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualuse.errors import CountryError
from dualuse.geo import country, country_name, group, groups, normalize_country_column, register_group


@pytest.mark.parametrize(
    ("value", "iso2"),
    [
        ("Kazakhstan", "KZ"),
        ("Казахстан", "KZ"),
        ("KAZ", "KZ"),
        ("kz", "KZ"),
        (398, "KZ"),
        ("Kyrgyz Republic", "KG"),
        ("Кыргызстан", "KG"),
        ("Киргизия", "KG"),
        ("Russian Federation", "RU"),
        ("Россия", "RU"),
        ("РФ", "RU"),
        ("643", "RU"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Турция", "TR"),
        ("United Arab Emirates", "AE"),
        ("ОАЭ", "AE"),
        ("Hong Kong", "HK"),
        ("Армения", "AM"),
        (842, "US"),
        (251, "FR"),
        (699, "IN"),
        (490, "XS"),
        (0, "XW"),
        (156, "CN"),
        ("Китай", "CN"),
    ],
)
def test_country_forms(value: str | int, iso2: str) -> None:
    assert country(value) == iso2


@pytest.mark.parametrize("bad", ["Narnia", "", "QL", 9999, "Kazakhstan!!x", "²", "٣٩٨"])
def test_unknown_country_is_an_error(bad: str | int) -> None:
    with pytest.raises(CountryError, match="country"):
        country(bad)


@given(st.sampled_from(sorted(c.alpha_2 for c in pycountry.countries)))
def test_alias_round_trip(iso2: str) -> None:
    c = pycountry.countries.get(alpha_2=iso2)
    assert c is not None
    assert country(c.alpha_3) == iso2
    assert country(c.name) == iso2
    assert country(int(c.numeric)) in {iso2, *{"US", "FR", "IN"}}  # Comtrade reuses a few numbers
    assert country(country_name(iso2)) == iso2


def test_groups_are_data_with_sources() -> None:
    assert group("eaeu").members == {"AM", "BY", "KZ", "KG", "RU"}
    assert len(group("eu27").members) == 27
    hubs = group("transit_hubs")
    assert {"AM", "GE", "KZ", "KG", "TJ", "UZ", "AE", "TR", "CN", "HK"} <= hubs.members
    assert all(g.source for g in groups().values())
    assert "RU" not in group("coalition")
    with pytest.raises(CountryError, match="known groups"):
        group("nope")


def test_register_group() -> None:
    made = register_group("central_asia", "Central Asia", ["Kazakhstan", "KGZ", "Uzbekistan", "762", "TKM"], "test")
    assert made.members == {"KZ", "KG", "UZ", "TJ", "TM"}
    assert group("central_asia") is made


def test_normalize_country_column_keeps_nulls_and_rejects_unknown() -> None:
    frame = pl.DataFrame({"c": ["Kazakhstan", None, "Narnia", "643"]})
    ok, bad = normalize_country_column(frame, "c")
    assert ok["c"].to_list() == ["KZ", None, "RU"]
    assert bad.select("row", "value", "reason").rows() == [(2, "Narnia", "unknown country")]


@given(st.text(max_size=12))
def test_any_text_resolves_or_raises_country_error(text: str) -> None:
    with contextlib.suppress(CountryError):
        assert len(country(text)) == 2
