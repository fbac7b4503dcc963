"""Identifiers: canonical scheme names, national check digits, and OFAC's free-text Remarks.

OFAC's legacy files put identifiers in prose: ``Tax ID No. 7724317936 (Russia); Registration
Number 1157746419082 (Russia); a.k.a. 'BSO'.`` :func:`parse_remarks` reads them out with the
issuing country, and :func:`refine_scheme` names national schemes precisely: a Russian tax ID
that passes the INN check digits is an ``INN``, a 13-digit Russian registration number with a valid
check digit an ``OGRN``, and a 12-digit Kazakh number with a valid check digit a ``BIN`` (a
company) or ``IIN`` (a person): Kazakhstan gives every legal entity one 12-digit Business
Identification Number that serves as its registration and tax number alike.

Examples:
    >>> remarks = parse_remarks("Identification Number 220340015717 (Kazakhstan).")
    >>> remarks.identifiers
    (Ident(scheme='BIN', value='220340015717', country='KZ', label='Identification Number'),)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dualuse_sanctions.countries import try_iso2
from dualuse_sanctions.records import Ident, Kind

__all__ = [
    "Remarks",
    "is_inn",
    "is_kz_bin",
    "is_ogrn",
    "parse_date",
    "parse_remarks",
    "refine_scheme",
    "scheme_for_label",
]

# The list's label -> canonical scheme; longest labels first so that "Vessel Registration
# Identification IMO" wins over "IMO". "ID_NO" is resolved by the party's kind.
_LABELS: tuple[tuple[str, str], ...] = (
    ("Vessel Registration Identification IMO", "IMO"),
    ("Business Registration Number", "REG_NO"),
    ("Commercial Registry Number", "REG_NO"),
    ("Identification Number", "ID_NO"),
    ("Registration Number", "REG_NO"),
    ("Registration ID", "REG_NO"),
    ("National ID No.", "NATIONAL_ID"),
    ("Company Number", "REG_NO"),
    ("Tax ID No.", "TAX_ID"),
    ("SWIFT/BIC", "SWIFT_BIC"),
    ("Passport", "PASSPORT"),
    ("OGRN", "OGRN"),
    ("IMO", "IMO"),
    ("INN", "INN"),
    ("BIN", "BIN"),
)
_LABEL_SCHEME = dict(_LABELS)
_IDENTIFIER = re.compile(
    r"^(?:alt\.\s+)?(?P<label>"
    + "|".join(re.escape(label) for label, _ in _LABELS)
    + r")\s+(?P<value>[^();]+?)\s*(?:\((?P<country>[^()]*)\))?"
    r"(?:\s+(?:issued|expires|Issue Date|Expiration Date)\b.*)?$"
)
_ALIAS = re.compile(r"\b[afn]\.k\.a\.\s+'([^']+)'")
_FOUNDED = re.compile(r"^Organization Established Date\s+(?P<date>.+)$")
_NATIONALITY = re.compile(r"^(?:nationality|citizen)\s+(?P<country>.+)$", re.IGNORECASE)
_MAX_VALUE = 64  # longer "values" are prose that happened to start with a label word


@dataclass(frozen=True)
class Remarks:
    """What :func:`parse_remarks` found in one Remarks text."""

    identifiers: tuple[Ident, ...] = ()
    aliases: tuple[str, ...] = ()
    founded: dt.date | None = None
    nationality: str | None = None


def _digits(value: str) -> list[int] | None:
    return [int(c) for c in value] if value.isascii() and value.isdigit() else None


def is_inn(value: str) -> bool:
    """Whether ``value`` is a Russian INN (10 digits for companies, 12 for people) with valid check digits.

    Examples:
        >>> is_inn("7724317936"), is_inn("7724317937"), is_inn("500100732259")
        (True, False, True)
    """
    d = _digits(value)
    if d is None:
        return False

    def check(weights: tuple[int, ...]) -> int:
        return sum(w * x for w, x in zip(weights, d, strict=False)) % 11 % 10

    if len(d) == 10:
        return check((2, 4, 10, 3, 5, 9, 4, 6, 8)) == d[9]
    if len(d) == 12:
        return check((7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == d[10] and check((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == d[11]
    return False


def is_ogrn(value: str) -> bool:
    """Whether ``value`` is a Russian OGRN (13 digits) or OGRNIP (15 digits) with a valid check digit.

    Examples:
        >>> is_ogrn("1157746419082"), is_ogrn("1157746419083")
        (True, False)
    """
    d = _digits(value)
    if d is None or len(d) not in (13, 15):
        return False
    modulus = 11 if len(d) == 13 else 13
    return int(value[:-1]) % modulus % 10 == d[-1]


def is_kz_bin(value: str) -> bool:
    """Whether ``value`` is a Kazakh BIN/IIN: 12 digits with a valid check digit (weights 1-11, then 3-11,1,2).

    Examples:
        >>> is_kz_bin("220340015717"), is_kz_bin("220340015718")
        (True, False)
    """
    d = _digits(value)
    if d is None or len(d) != 12:
        return False
    first = sum((i + 1) * x for i, x in enumerate(d[:11])) % 11
    if first != 10:
        return first == d[11]
    second = sum(((i + 2) % 11 + 1) * x for i, x in enumerate(d[:11])) % 11
    return second != 10 and second == d[11]


def refine_scheme(scheme: str, value: str, country: str | None, kind: Kind = "company") -> str:
    """Name a national scheme precisely where the country and check digits allow it.

    ``ID_NO`` (a bare "Identification Number") becomes ``NATIONAL_ID`` for people and ``REG_NO``
    otherwise. A value that fails the check digits keeps its generic scheme: it is still
    searchable, but not claimed to be an INN, OGRN or BIN.

    Examples:
        >>> refine_scheme("TAX_ID", "7724317936", "RU"), refine_scheme("REG_NO", "1157746419082", "RU")
        ('INN', 'OGRN')
        >>> refine_scheme("ID_NO", "220340015717", "KZ"), refine_scheme("ID_NO", "220340015717", "KZ", "person")
        ('BIN', 'IIN')
        >>> refine_scheme("TAX_ID", "02298191", "AM"), refine_scheme("ID_NO", "X1", None, "person")
        ('TAX_ID', 'NATIONAL_ID')
    """
    if scheme == "ID_NO":
        scheme = "NATIONAL_ID" if kind == "person" else "REG_NO"
    compact = value.replace(" ", "")
    if country == "RU":
        if scheme == "TAX_ID" and is_inn(compact):
            return "INN"
        if scheme == "REG_NO" and is_ogrn(compact):
            return "OGRN" if len(compact) == 13 else "OGRNIP"
    if country == "KZ" and scheme in {"TAX_ID", "REG_NO", "NATIONAL_ID"} and is_kz_bin(compact):
        return "IIN" if kind == "person" else "BIN"
    return scheme


def scheme_for_label(label: str) -> str:
    """The canonical scheme for a list's identifier label; unknown labels become UPPER_SNAKE_CASE.

    Examples:
        >>> scheme_for_label("Tax ID No."), scheme_for_label("Government Gazette Number")
        ('TAX_ID', 'GOVERNMENT_GAZETTE_NUMBER')
    """
    text = label.strip()
    if text in _LABEL_SCHEME:
        return _LABEL_SCHEME[text]
    if text.casefold() == "vessel registration identification":
        return "IMO"
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").upper() or "OTHER"


_DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d/%m/%Y", "%d-%b-%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(text: str | None) -> dt.date | None:
    """A full date in any of the lists' formats (ISO, ``13 May 2022``, ``31/12/2020``, ``13-Feb-2026``).

    ISO timestamps keep their date. Partial dates (a year alone) and garbage give ``None``.

    Examples:
        >>> parse_date("13 May 2022"), parse_date("2024-02-23T00:00:00"), parse_date("1964")
        (datetime.date(2022, 5, 13), datetime.date(2024, 2, 23), None)
    """
    if not text:
        return None
    value = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}(?:[T ]|$)", value):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_remarks(text: str | None, kind: Kind = "company") -> Remarks:
    """Identifiers, aliases, founding date and nationality from an OFAC Remarks text.

    The text is read segment by segment (segments end at ``;``). An identifier segment is a known
    label, the value, and optionally the issuing country in parentheses (kept as ISO alpha-2) and
    issue/expiry words; ``alt.`` before a label marks another value of the same kind. Aliases are
    every ``a.k.a.``, ``f.k.a.`` and ``n.k.a.`` in single quotes. Anything else is ignored; any
    text is accepted (never raises).

    Examples:
        >>> r = parse_remarks("Organization Established Date 20 Jul 2022; Tax ID No. 2931074985 (Turkey); "
        ...                   "Registration Number 394044-5 (Turkey); a.k.a. 'DEXIAS IPTLC'.")
        >>> [(i.scheme, i.value, i.country) for i in r.identifiers], r.aliases, r.founded
        ([('TAX_ID', '2931074985', 'TR'), ('REG_NO', '394044-5', 'TR')], ('DEXIAS IPTLC',), datetime.date(2022, 7, 20))
    """
    if not text:
        return Remarks()
    body = text.strip()
    if body.endswith("."):
        body = body[:-1]
    identifiers: list[Ident] = []
    aliases: list[str] = [a.strip() for a in _ALIAS.findall(body) if a.strip()]
    founded: dt.date | None = None
    nationality: str | None = None
    for raw in body.split(";"):
        segment = raw.strip()
        if not segment:
            continue
        match = _IDENTIFIER.match(segment)
        if match:
            value = match["value"].strip().rstrip(".,")
            if value and len(value) <= _MAX_VALUE and any(c.isalnum() for c in value):
                country = try_iso2(match["country"]) if match["country"] else None
                label = match["label"]
                scheme = refine_scheme(_LABEL_SCHEME[label], value, country, kind)
                ident = Ident(scheme, value, country, label)
                if all((i.scheme, i.value) != (ident.scheme, ident.value) for i in identifiers):
                    identifiers.append(ident)
            continue
        found = _FOUNDED.match(segment)
        if found:
            founded = founded or parse_date(found["date"])
            continue
        nation = _NATIONALITY.match(segment)
        if nation and nationality is None:
            nationality = try_iso2(nation["country"])
    return Remarks(tuple(identifiers), tuple(dict.fromkeys(aliases)), founded, nationality)
