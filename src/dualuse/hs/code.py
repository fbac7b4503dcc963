"""The :class:`HSCode` value type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

from dualuse.errors import HSCodeError

__all__ = ["HSCode", "clean_digits"]

_SEPARATORS = re.compile(r"[\s.\-_/]+")
_MAX_DIGITS = 12


def clean_digits(value: str | int, *, width: int | None = None) -> str:
    """Return the digits of an HS code written in any common shape, or raise :class:`HSCodeError`.

    Strings keep their digits as written ("0101.21" -> "010121"); an odd number of digits is an
    error unless ``width`` says how many digits the code had. Integers have lost their leading
    zeros for certain, so they are padded to ``width`` or, without it, to the next even length
    (HS codes always have an even number of digits: a chapter is two).

    Examples:
        >>> clean_digits("8542 31 00 00"), clean_digits(10121), clean_digits("10121", width=6)
        ('8542310000', '010121', '010121')
    """
    if isinstance(value, bool):
        raise HSCodeError(f"HS code {value!r}: expected digits, got a boolean")
    if isinstance(value, int):
        if value < 0:
            raise HSCodeError(f"HS code {value!r}: expected a non-negative number")
        digits = str(value)
        if width is None:
            width = len(digits) + len(digits) % 2
    elif isinstance(value, str):
        digits = _SEPARATORS.sub("", value.strip())
        if not digits.isascii() or not digits.isdigit():
            raise HSCodeError(f"HS code {value!r}: expected digits with optional '.', ' ' or '-' separators")
    else:
        raise HSCodeError(f"HS code {value!r}: expected a string or an integer, got {type(value).__name__}")
    if width is not None:
        if len(digits) > width:
            raise HSCodeError(f"HS code {value!r}: has {len(digits)} digits, more than width={width}")
        digits = digits.zfill(width)
    if not 2 <= len(digits) <= _MAX_DIGITS:
        raise HSCodeError(f"HS code {value!r}: expected 2 to {_MAX_DIGITS} digits, got {len(digits)}")
    if len(digits) % 2:
        raise HSCodeError(
            f"HS code {value!r}: {len(digits)} digits is odd, so a leading zero was probably lost; "
            "pass width= to say how many digits it had"
        )
    return digits


@dataclass(frozen=True, order=True, slots=True)
class HSCode:
    """An HS code: chapter (2 digits), heading (4), subheading (6) and any national digits after.

    Parse with :meth:`parse`; construct directly only from clean digits.

    Examples:
        >>> HSCode.parse("8542.31").contains(HSCode.parse("8542310000"))
        True
        >>> HSCode.parse(10121).digits
        '010121'
    """

    digits: str

    def __post_init__(self) -> None:
        if clean_digits(self.digits) != self.digits:
            raise HSCodeError(f"HS code {self.digits!r}: construct with HSCode.parse() for formatted input")

    @classmethod
    def parse(cls, value: str | int | HSCode, *, width: int | None = None) -> Self:
        """Parse "8542.31", "854231", "8542 31 00 00", "0101.21" or an integer such as 10121."""
        if isinstance(value, HSCode):
            return cls(value.digits)
        return cls(clean_digits(value, width=width))

    @property
    def chapter(self) -> str:
        """The two-digit chapter, e.g. ``"85"``."""
        return self.digits[:2]

    @property
    def heading(self) -> str | None:
        """The four-digit heading, or ``None`` for a chapter."""
        return self.digits[:4] if len(self.digits) >= 4 else None

    @property
    def hs6(self) -> str | None:
        """The six-digit subheading shared by every country, or ``None`` when the code is shorter."""
        return self.digits[:6] if len(self.digits) >= 6 else None

    subheading = hs6

    @property
    def national(self) -> str:
        """The national digits after the sixth (EU CN, TN VED, HTS), ``""`` if none."""
        return self.digits[6:]

    @property
    def level(self) -> int:
        """The number of digits: 2, 4, 6, 8 or 10."""
        return len(self.digits)

    def contains(self, other: HSCode | str | int) -> bool:
        """Whether ``other`` falls under this code (prefix containment; a code contains itself)."""
        return HSCode.parse(other).digits.startswith(self.digits)

    def __str__(self) -> str:
        d = self.digits
        if len(d) <= 4:
            return d
        return f"{d[:4]}.{d[4:6]}" + (f".{d[6:]}" if len(d) > 6 else "")

    def __repr__(self) -> str:
        return f"HSCode('{self}')"
