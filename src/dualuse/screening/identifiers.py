"""Registration identifiers: canonical schemes, checksums, and comparison of two parties' ids.

An equal identifier of the same scheme settles a match whatever the names; two valid but
different identifiers of the same scheme are strong evidence against. Identifiers whose
checksum fails are not used (a typo in an INN must not decide anything).

Examples:
    >>> is_valid("INN", "7707083893"), is_valid("INN", "7707083894")
    (True, False)
    >>> canonical_ids([("ИНН", "7707 083 893"), ("BIN", "bad")])
    ['INN:7707083893']
    >>> compare(["INN:7707083893"], ["INN:7707083893", "OGRN:1027700132195"])
    IdComparison(equal=('INN',), conflicting=())
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["SCHEME_ALIASES", "IdComparison", "canonical_ids", "canonical_scheme", "compare", "is_valid"]

SCHEME_ALIASES: dict[str, str] = {
    "ИНН": "INN",
    "TIN_RU": "INN",
    "RU_INN": "INN",
    "ОГРН": "OGRN",
    "ОГРНИП": "OGRNIP",
    "БИН": "BIN",
    "БСН": "BIN",
    "KZ_BIN": "BIN",
    "ИИН": "IIN",
    "ЖСН": "IIN",
    "KZ_IIN": "IIN",
    "REGISTRATION": "REG_NO",
    "REGISTRATION_NUMBER": "REG_NO",
}
"""Other spellings of the schemes, mapped to the canonical scheme name."""

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KZ1 = tuple(range(1, 12))
_KZ2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def _weighted(digits: str, weights: tuple[int, ...], modulus: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % modulus


def _inn(value: str) -> bool:
    if len(value) == 10:
        return _weighted(value, _INN10, 11) % 10 == int(value[9])
    if len(value) == 12:
        return _weighted(value, _INN11, 11) % 10 == int(value[10]) and _weighted(value, _INN12, 11) % 10 == int(
            value[11]
        )
    return False


def _ogrn(value: str) -> bool:
    return len(value) == 13 and int(value[:12]) % 11 % 10 == int(value[12])


def _ogrnip(value: str) -> bool:
    return len(value) == 15 and int(value[:14]) % 13 % 10 == int(value[14])


def _kz(value: str) -> bool:
    """Kazakh BIN (companies) and IIN (persons): 12 digits, two-pass mod-11 control digit."""
    if len(value) != 12:
        return False
    check = _weighted(value, _KZ1, 11)
    if check == 10:
        check = _weighted(value, _KZ2, 11)
    return check != 10 and check == int(value[11])


_CHECKS: dict[str, Callable[[str], bool]] = {
    "INN": _inn,
    "OGRN": _ogrn,
    "OGRNIP": _ogrnip,
    "BIN": _kz,
    "IIN": _kz,
}


def canonical_scheme(scheme: str) -> str:
    """The canonical name of an identifier scheme (upper case, aliases resolved).

    Examples:
        >>> canonical_scheme("ИНН"), canonical_scheme("reg_no"), canonical_scheme("kz_bin")
        ('INN', 'REG_NO', 'BIN')
    """
    upper = scheme.strip().upper()
    return SCHEME_ALIASES.get(upper, upper)


def is_valid(scheme: str, value: str) -> bool:
    """Whether ``value`` is a well-formed identifier of ``scheme`` (checksum where one exists).

    Schemes without a known checksum accept any value with at least 3 letters or digits.

    Examples:
        >>> is_valid("OGRN", "1027700132195"), is_valid("BIN", "990740000683"), is_valid("REG_NO", "12-3")
        (True, True, True)
    """
    clean = _NOT_ALNUM.sub("", value).upper()
    check = _CHECKS.get(canonical_scheme(scheme))
    if check is None:
        return len(clean) >= 3
    return clean.isdigit() and check(clean)


def canonical_ids(identifiers: Iterable[tuple[str, str]]) -> list[str]:
    """Valid identifiers as sorted, distinct ``"SCHEME:VALUE"`` strings (invalid ones dropped).

    Examples:
        >>> canonical_ids([("inn", "7707083893"), ("INN", "7707-083-893")])
        ['INN:7707083893']
    """
    result = {
        f"{canonical_scheme(scheme)}:{_NOT_ALNUM.sub('', value).upper()}"
        for scheme, value in identifiers
        if scheme and value and is_valid(scheme, value)
    }
    return sorted(result)


@dataclass(frozen=True, slots=True)
class IdComparison:
    """Schemes on which two parties' identifiers agree, and schemes on which they conflict."""

    equal: tuple[str, ...]
    conflicting: tuple[str, ...]


def compare(left: Iterable[str], right: Iterable[str]) -> IdComparison:
    """Compare two lists of canonical ``"SCHEME:VALUE"`` identifiers.

    A scheme is *conflicting* when both sides have it and share no value.

    Examples:
        >>> compare(["BIN:990740000683"], ["BIN:000140000296"])
        IdComparison(equal=(), conflicting=('BIN',))
    """
    by_scheme_left: dict[str, set[str]] = {}
    by_scheme_right: dict[str, set[str]] = {}
    for target, ids in ((by_scheme_left, left), (by_scheme_right, right)):
        for item in ids:
            scheme, _, value = item.partition(":")
            target.setdefault(scheme, set()).add(value)
    equal = sorted(s for s in by_scheme_left.keys() & by_scheme_right.keys() if by_scheme_left[s] & by_scheme_right[s])
    conflicting = sorted(
        s for s in by_scheme_left.keys() & by_scheme_right.keys() if not by_scheme_left[s] & by_scheme_right[s]
    )
    return IdComparison(tuple(equal), tuple(conflicting))
