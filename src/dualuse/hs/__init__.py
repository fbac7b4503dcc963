"""Harmonized System codes: parse every shape people write, versions, concordance, descriptions.

Examples:
    >>> from dualuse.hs import HSCode
    >>> code = HSCode.parse("8541.21.0000")
    >>> code.hs6, code.heading, code.chapter, code.national
    ('854121', '8541', '85', '0000')
    >>> str(code)
    '8541.21.0000'
"""

from dualuse.hs.code import HSCode
from dualuse.hs.concordance import HSVersion, convert, describe, is_known
from dualuse.hs.frames import convert_column, normalize_column

__all__ = ["HSCode", "HSVersion", "convert", "convert_column", "describe", "is_known", "normalize_column"]
