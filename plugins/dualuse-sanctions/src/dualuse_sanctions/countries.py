"""Country names as the lists write them, to ISO 3166-1 alpha-2.

:func:`dualuse.geo.country` knows English and Russian names, alpha-3 and numeric codes; the lists
add a few spellings of their own ("Korea, North", "Burma", "Region: Crimea"), and the EU writes
``00`` for "unknown".

Examples:
    >>> iso2("Kazakhstan"), iso2("Korea, North"), iso2("00"), iso2(None)
    ('KZ', 'KP', None, None)
"""

from __future__ import annotations

from functools import lru_cache

from dualuse.errors import CountryError
from dualuse.geo import country

__all__ = ["iso2", "try_iso2"]

# Spellings used by OFAC, the UK and the EU that dualuse.geo does not resolve (checked on their lists).
_LIST_SPELLINGS = {
    "burma": "MM",
    "korea, north": "KP",
    "korea, south": "KR",
    "north korea": "KP",
    "south korea": "KR",
    "democratic people's republic of korea": "KP",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "region: crimea": "UA",
    "crimea": "UA",
    "russian federation": "RU",
    "iran (islamic republic of)": "IR",
    "syrian arab republic": "SY",
    "türkiye": "TR",
    "turkiye": "TR",
    "west bank": "PS",
    "gaza": "PS",
    "palestinian": "PS",
    "macau": "MO",
    "hong kong": "HK",
    "taiwan": "TW",
    "laos": "LA",
    "vietnam": "VN",
    "cote d'ivoire": "CI",
    "the gambia": "GM",
    "bosnia and herzegovina": "BA",
}

# Words that say "no country" rather than name one.
_NO_COUNTRY = {"", "00", "-0-", "undetermined", "unknown", "n/a", "none", "stateless"}


def iso2(value: str | None) -> str | None:
    """The ISO alpha-2 code of ``value``; ``None`` for an empty or "unknown" value.

    Raises :class:`dualuse.errors.CountryError` naming the value when it names no country.
    """
    if value is None:
        return None
    code, error = _resolve(value.strip())
    if error is not None:
        raise CountryError(error)
    return code


@lru_cache(maxsize=8192)
def _resolve(text: str) -> tuple[str | None, str | None]:
    """(code, None) or (None, error message); cached: lists repeat the same few hundred spellings."""
    key = text.casefold()
    if key in _NO_COUNTRY:
        return None, None
    if key in _LIST_SPELLINGS:
        return _LIST_SPELLINGS[key], None
    if key.startswith("region: "):
        return _resolve(text[len("region: ") :])
    try:
        return country(text), None
    except ValueError as exc:  # CountryError, or a ValueError from non-ASCII digits such as "²"
        message = str(exc) if isinstance(exc, CountryError) else f"country {text!r}: unknown"
        return None, message


def try_iso2(value: str | None) -> str | None:
    """Like :func:`iso2`, but ``None`` instead of an error (for optional, secondary hints).

    Examples:
        >>> try_iso2("Narnia") is None
        True
    """
    try:
        return iso2(value)
    except CountryError:
        return None
