"""Countries as ISO 3166-1 alpha-2, from whatever people and data sources write; country groups.

Accepted inputs: alpha-2, alpha-3, English names (short, official, common), Russian names, M49
numeric codes and UN Comtrade's own codes (842 USA, 251 France, 699 India, 490 Other Asia).
Comtrade's non-country areas map to user-assigned codes (see :data:`SPECIAL_AREAS`).

Examples:
    >>> from dualuse.geo import country, group
    >>> country("Kazakhstan"), country("Кыргызстан"), country(842), country("TUR"), country("Россия")
    ('KZ', 'KG', 'US', 'TR', 'RU')
    >>> "KG" in group("eaeu").members
    True
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import gettext
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import polars as pl
import pycountry

from dualuse.errors import CountryError
from dualuse.rejects import make_rejects

__all__ = [
    "SPECIAL_AREAS",
    "USER_ASSIGNED",
    "CountryGroup",
    "country",
    "country_name",
    "group",
    "groups",
    "normalize_country_column",
    "register_group",
]

#: Areas that trade statistics report but that are not countries, with user-assigned ISO codes.
SPECIAL_AREAS: dict[str, tuple[str, tuple[int, ...]]] = {
    "EU": ("European Union", (97,)),
    "XW": ("World", (0,)),
    "XS": ("Other Asia, not elsewhere specified (in practice mostly Taiwan)", (490,)),
    "XX": ("Areas, not elsewhere specified", (899,)),
    "XB": ("Bunkers", (837,)),
    "XF": ("Free zones", (838,)),
    "XN": ("Special categories", (839,)),
}

USER_ASSIGNED: frozenset[str] = frozenset(
    ["AA", "ZZ"] + [f"Q{c}" for c in "MNOPQRSTUVWXYZ"] + [f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
)
"""Codes ISO 3166-1 leaves to users (AA, QM-QZ, XA-XZ, ZZ): labels for groups reported as one
(:func:`dualuse.flows.combine_group`) pass as countries wherever a country is expected."""

# Everyday and historical names the ISO tables do not carry.
_EXTRA_NAMES: dict[str, str] = {
    "russia": "RU",
    "россия": "RU",
    "рф": "RU",
    "российская федерация": "RU",
    "turkey": "TR",
    "turkiye": "TR",
    "турция": "TR",
    "türkiye": "TR",
    "uae": "AE",
    "u.a.e.": "AE",
    "emirates": "AE",
    "оаэ": "AE",
    "kyrgyz republic": "KG",
    "kirghizia": "KG",
    "кыргызстан": "KG",
    "киргизия": "KG",
    "кыргызская республика": "KG",
    "kazakstan": "KZ",
    "қазақстан": "KZ",
    "республика казахстан": "KZ",
    "usa": "US",
    "u.s.a.": "US",
    "united states": "US",
    "сша": "US",
    "соединенные штаты америки": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "великобритания": "GB",
    "south korea": "KR",
    "korea": "KR",
    "южная корея": "KR",
    "корея": "KR",
    "north korea": "KP",
    "кндр": "KP",
    "china": "CN",
    "prc": "CN",
    "кнр": "CN",
    "китайская народная республика": "CN",
    "hong kong": "HK",
    "hongkong": "HK",
    "гонконг": "HK",
    "сянган": "HK",
    "taiwan": "TW",
    "тайвань": "TW",
    "iran": "IR",
    "иран": "IR",
    "белоруссия": "BY",
    "belorussia": "BY",
    "беларусь": "BY",
    "armenia": "AM",
    "армения": "AM",
    "georgia": "GE",
    "грузия": "GE",
    "uzbekistan": "UZ",
    "узбекистан": "UZ",
    "tajikistan": "TJ",
    "таджикистан": "TJ",
    "vietnam": "VN",
    "вьетнам": "VN",
    "czech republic": "CZ",
    "чехия": "CZ",
    "moldova": "MD",
    "молдова": "MD",
    "германия": "DE",
    # The EU as a reporter or partner (Comtrade 97, Eurostat EU27_2020); its membership on a date
    # is the group "eu" (see CountryGroup.members_on).
    "eur": "EU",
    "eu 27": "EU",
    "eu27": "EU",
    "eu27 2020": "EU",
    "eu 28": "EU",
    "eu28": "EU",
    "european union": "EU",
    "европейский союз": "EU",
    "евросоюз": "EU",
    "ес": "EU",
    "world": "XW",
    "мир": "XW",
    "areas nes": "XX",
    "areas not elsewhere specified": "XX",
}

_PUNCT = re.compile(r"[\s\"'«»().,\-_]+")


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _PUNCT.sub(" ", folded).strip()


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if name:
                index[_key(name)] = c.alpha_2
                index[_key(ru.gettext(name))] = c.alpha_2
        index[c.alpha_3.casefold()] = c.alpha_2
        index[c.alpha_2.casefold()] = c.alpha_2
    for code in USER_ASSIGNED:
        index[code.casefold()] = code
    for code, (name, _) in SPECIAL_AREAS.items():
        index[code.casefold()] = code
        index[_key(name)] = code
    index.update({_key(k): v for k, v in _EXTRA_NAMES.items()})
    return index


@cache
def _numeric() -> dict[int, str]:
    numeric = {int(c.numeric): c.alpha_2 for c in pycountry.countries}
    text = files("dualuse").joinpath("geo_data", "comtrade_codes.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        numeric[int(row["comtrade_code"])] = row["iso2"]
    for code, (_, numbers) in SPECIAL_AREAS.items():
        numeric.update(dict.fromkeys(numbers, code))
    return numeric


def country(value: str | int) -> str:
    """Resolve a country name or code to ISO 3166-1 alpha-2, or raise :class:`CountryError`.

    Numbers are read as UN Comtrade codes, which equal M49 except for a few (842 USA, 251
    France, 699 India); both are accepted.

    Examples:
        >>> country("Russian Federation"), country("643"), country(251), country("Türkiye")
        ('RU', 'RU', 'FR', 'TR')
    """
    if isinstance(value, bool):
        raise CountryError(f"country {value!r}: expected a name or code")
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()):
        found = _numeric().get(int(value))
        if found is None:
            raise CountryError(f"country {value!r}: not an M49 or UN Comtrade country code")
        return found
    if not isinstance(value, str):
        raise CountryError(f"country {value!r}: expected a name or code, got {type(value).__name__}")
    found = _index().get(_key(value))
    if found is None:
        raise CountryError(f"country {value!r}: unknown{_suggestion(value)}")
    return found


def _suggestion(value: str) -> str:
    """``; did you mean Kazakhstan (KZ)?`` for a near miss, else what is accepted."""
    index = _index()
    names = [k for k in index if len(k) > 3]
    close = difflib.get_close_matches(_key(value), names, n=3, cutoff=0.8)
    codes = list(dict.fromkeys(index[k] for k in close))
    if codes:
        return "; did you mean " + " or ".join(f"{country_name(c)} ({c})" for c in codes) + "?"
    return "; expected an ISO alpha-2/alpha-3 code, an M49 or Comtrade number, or an English or Russian name"


def country_name(code: str) -> str:
    """The English short name of an alpha-2 code.

    Examples:
        >>> country_name("KG")
        'Kyrgyzstan'
    """
    if code in SPECIAL_AREAS:
        return SPECIAL_AREAS[code][0]
    if code in USER_ASSIGNED:
        return f"user-assigned area {code}"
    found = pycountry.countries.get(alpha_2=code.upper())
    if found is None:
        raise CountryError(f"country {code!r}: not an ISO 3166-1 alpha-2 code")
    return str(getattr(found, "common_name", None) or found.name)


@dataclass(frozen=True, slots=True)
class CountryGroup:
    """A named set of countries, with the source that defines it.

    ``members`` is everyone who was ever a member; ``joined`` and ``left`` give the dates on which
    members whose membership changed joined or left (``left`` is the first day outside), so that
    :meth:`members_on` answers for any date.

    Examples:
        >>> eu = group("eu")
        >>> "GB" in eu.members_on(dt.date(2019, 6, 1)), "GB" in eu.members_on(dt.date(2023, 1, 1))
        (True, False)
        >>> len(eu.members_on(dt.date(2023, 1, 1))), len(eu.members_on(dt.date(2013, 1, 1)))
        (27, 27)
    """

    name: str
    title: str
    members: frozenset[str]
    source: str
    note: str = ""
    joined: Mapping[str, dt.date] = field(default_factory=dict)
    left: Mapping[str, dt.date] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.members

    def members_on(self, day: dt.date) -> frozenset[str]:
        """The members on ``day``."""
        return frozenset(
            m
            for m in self.members
            if (m not in self.joined or self.joined[m] <= day) and (m not in self.left or day < self.left[m])
        )

    def is_member(self, code: pl.Expr, day: pl.Expr) -> pl.Expr:
        """A polars expression: whether ``code`` was a member on ``day`` (row by row).

        Examples:
            >>> frame = pl.DataFrame({"c": ["GB", "GB", "DE"], "d": [dt.date(2019, 1, 1), dt.date(2021, 1, 1)] + [dt.date(2021, 1, 1)]})
            >>> frame.select(group("eu").is_member(pl.col("c"), pl.col("d"))).to_series().to_list()
            [True, False, True]
        """
        member = code.is_in(sorted(self.members))
        for m, since in self.joined.items():
            member = member & ((code != m) | (day >= since))
        for m, until in self.left.items():
            member = member & ((code != m) | (day < until))
        return member


_REGISTERED: dict[str, CountryGroup] = {}


@cache
def _bundled_groups() -> dict[str, CountryGroup]:
    data = tomllib.loads(files("dualuse").joinpath("geo_data", "groups.toml").read_text(encoding="utf-8"))
    return {
        name: CountryGroup(
            name,
            g["title"],
            frozenset(g["members"]),
            g["source"],
            g.get("note", ""),
            dict(g.get("joined", {})),
            dict(g.get("left", {})),
        )
        for name, g in data.items()
    }


def groups() -> dict[str, CountryGroup]:
    """Every known group: the bundled ones (eaeu, eu27, coalition, transit_hubs, ...) and registered ones."""
    return {**_bundled_groups(), **_REGISTERED}


def group(name: str) -> CountryGroup:
    """One group by name.

    Examples:
        >>> sorted(group("eaeu").members)
        ['AM', 'BY', 'KG', 'KZ', 'RU']
    """
    try:
        return groups()[name]
    except KeyError:
        raise CountryError(f"country group {name!r}: unknown; known groups: {', '.join(sorted(groups()))}") from None


def register_group(name: str, title: str, members: list[str], source: str) -> CountryGroup:
    """Add a group (members may be written in any form :func:`country` accepts)."""
    made = CountryGroup(name, title, frozenset(country(m) for m in members), source)
    _REGISTERED[name] = made
    return made


def normalize_country_column(frame: pl.DataFrame, column: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Resolve a column of country names or codes to alpha-2; return ``(accepted, rejected)``.

    Nulls stay null (a missing country is not an unknown one); unresolvable values are rejected
    with their reason.

    Examples:
        >>> import polars as pl
        >>> ok, bad = normalize_country_column(pl.DataFrame({"c": ["Kazakhstan", "KGZ", "Narnia"]}), "c")
        >>> ok["c"].to_list(), bad["value"].to_list()
        (['KZ', 'KG'], ['Narnia'])
    """
    distinct = frame.get_column(column).drop_nulls().unique()
    mapping: dict[str, str | None] = {}
    for value in distinct.to_list():
        try:
            mapping[str(value)] = country(value)
        except CountryError:
            mapping[str(value)] = None
    keys = pl.col(column).cast(pl.String)
    resolved = keys.replace_strict(mapping, default=None, return_dtype=pl.String)
    work = frame.with_row_index("__row").with_columns(resolved.alias("__iso"))
    bad_mask = pl.col(column).is_not_null() & pl.col("__iso").is_null()
    bad = work.filter(bad_mask)
    rejected = make_rejects(
        bad,
        row=pl.col("__row"),
        column=pl.lit(column),
        value=pl.col(column),
        reason=pl.lit("unknown country"),
    )
    accepted = work.filter(~bad_mask).with_columns(pl.col("__iso").alias(column)).drop("__row", "__iso")
    return accepted, rejected
