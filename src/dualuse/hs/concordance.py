"""HS versions, the UNSD HS-2017 <-> HS-2022 correlation, and descriptions (bundled package data)."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

from dualuse.errors import HSCodeError
from dualuse.hs.code import HSCode

__all__ = ["HSVersion", "Link", "convert", "describe", "is_known", "links"]


class HSVersion(StrEnum):
    """An edition of the Harmonized System."""

    HS2017 = "HS2017"
    HS2022 = "HS2022"

    @classmethod
    def parse(cls, value: str | HSVersion) -> HSVersion:
        """Accept "HS2022", "hs2022", "H6" (Comtrade's name), "2022".

        Examples:
            >>> HSVersion.parse("H6"), HSVersion.parse("2017")
            (<HSVersion.HS2022: 'HS2022'>, <HSVersion.HS2017: 'HS2017'>)
        """
        text = str(value).strip().upper()
        aliases = {"H5": cls.HS2017, "2017": cls.HS2017, "H6": cls.HS2022, "2022": cls.HS2022}
        if text in aliases:
            return aliases[text]
        try:
            return cls(text)
        except ValueError:
            raise HSCodeError(f"HS version {value!r}: expected one of HS2017, HS2022 (or H5, H6)") from None


@dataclass(frozen=True, slots=True)
class Link:
    """One row of the correlation table: ``hs2017`` relates to ``hs2022``."""

    hs2017: str
    hs2022: str
    relationship: str
    is_conversion: bool
    note: str


def _data_lines(name: str) -> list[str]:
    text = files("dualuse.hs").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if not line.startswith("#")]


@cache
def links() -> tuple[Link, ...]:
    """Every HS-2017 <-> HS-2022 link, including the 8541.50 split that UNSD's table misses."""
    return tuple(
        Link(r["hs2017"], r["hs2022"], r["relationship"], r["is_conversion"] == "1", r["note"])
        for r in csv.DictReader(_data_lines("hs2017_hs2022.csv"))
    )


@cache
def _descriptions() -> dict[str, str]:
    return {r["code"]: r["description"] for r in csv.DictReader(_data_lines("hs2022_descriptions.csv"))}


@cache
def _known() -> dict[HSVersion, frozenset[str]]:
    hs2017 = frozenset(link.hs2017 for link in links())
    hs2022 = frozenset(link.hs2022 for link in links()) | frozenset(_descriptions())
    return {HSVersion.HS2017: hs2017, HSVersion.HS2022: hs2022}


@cache
def _targets(source: HSVersion) -> dict[str, tuple[tuple[str, float], ...]]:
    """For each HS6 code of ``source``, the codes of the other version and their shares."""
    grouped: dict[str, list[str]] = defaultdict(list)
    if source is HSVersion.HS2022:
        # UNSD's conversion sheet names one HS-2017 target per HS-2022 code.
        for link in links():
            if link.is_conversion:
                grouped[link.hs2022].append(link.hs2017)
    else:
        # A code that still exists in HS-2022 keeps its trade (the carve-outs from it are small and
        # unknowable without weights). A deleted code is split equally among the HS-2022 codes that
        # UNSD converts back to it, or failing that, all the codes it correlates with.
        correlated: dict[str, list[str]] = defaultdict(list)
        inverse: dict[str, list[str]] = defaultdict(list)
        for link in links():
            correlated[link.hs2017].append(link.hs2022)
            if link.is_conversion:
                inverse[link.hs2017].append(link.hs2022)
        continuing = _known()[HSVersion.HS2022]
        for code, targets in correlated.items():
            grouped[code] = [code] if code in continuing else inverse.get(code) or targets
    return {code: tuple((t, 1.0 / len(ts)) for t in sorted(set(ts))) for code, ts in grouped.items()}


def is_known(code: HSCode | str | int, version: HSVersion | str = HSVersion.HS2022) -> bool:
    """Whether the code's first six digits (or its chapter/heading) exist in ``version``.

    Examples:
        >>> is_known("8806.21"), is_known("8806.21", "HS2017"), is_known("8541.50", "HS2017")
        (True, False, True)
    """
    hs = HSCode.parse(code)
    v = HSVersion.parse(version)
    if hs.hs6 is not None:
        return hs.hs6 in _known()[v]
    return any(c.startswith(hs.digits) for c in _known()[v])


def describe(code: HSCode | str | int) -> str:
    """The HS-2022 description of a chapter, heading or subheading (national digits ignored).

    Examples:
        >>> describe("8542.31")[:40]
        'Electronic integrated circuits; processo'
    """
    hs = HSCode.parse(code)
    key = hs.hs6 or hs.digits
    try:
        return _descriptions()[key]
    except KeyError:
        raise HSCodeError(f"HS code {hs}: no HS2022 description (is it an HS2017 code?)") from None


def convert(
    code: HSCode | str | int, *, source: HSVersion | str, target: HSVersion | str
) -> list[tuple[HSCode, float]]:
    """Convert a code between HS versions: the HS6 codes it maps to, each with its share.

    HS-2022 -> HS-2017 follows UNSD's conversion table (one target, share 1). HS-2017 ->
    HS-2022 keeps a code that still exists as it is, and splits a deleted code equally among the
    HS-2022 codes UNSD converts back to it (e.g. 8541.50 -> 8541.51 + 8541.59). Pass your own
    shares to :func:`dualuse.hs.convert_column` when you have trade weights.

    Examples:
        >>> [(str(c), s) for c, s in convert("8541.50", source="HS2017", target="HS2022")]
        [('8541.51', 0.5), ('8541.59', 0.5)]
    """
    hs = HSCode.parse(code)
    src, dst = HSVersion.parse(source), HSVersion.parse(target)
    if hs.hs6 is None:
        raise HSCodeError(f"HS code {hs}: conversion needs at least six digits")
    if src is dst:
        return [(HSCode(hs.hs6), 1.0)]
    found = _targets(src).get(hs.hs6)
    if not found:
        raise HSCodeError(f"HS code {hs}: not a {src} subheading")
    return [(HSCode(c), share) for c, share in found]


def conversion_table(source: HSVersion | str, target: HSVersion | str) -> list[tuple[str, str, float]]:
    """The whole conversion as (source HS6, target HS6, share) rows, for joins on frames."""
    src, dst = HSVersion.parse(source), HSVersion.parse(target)
    if src is dst:
        return [(c, c, 1.0) for c in sorted(_known()[src]) if len(c) == 6]
    return [(code, t, share) for code, ts in _targets(src).items() for t, share in ts]
