"""Tokenisation shared by names and legal forms: NFKC, casefold, punctuation, Latin script.

Examples:
    >>> tokenize("«ТОО «Элем Групп»»")
    ['too', 'elem', 'grupp']
    >>> tokenize("Ege Elektronik A.Ş."), tokenize("O'Brien & Co., Ltd.")
    (['ege', 'elektronik', 'as'], ['obrien', 'co', 'ltd'])
"""

from __future__ import annotations

import re
import unicodedata

from dualuse.screening.translit import to_latin

__all__ = ["detect_script", "tokenize"]

# Dotted abbreviations ("A.Ş.", "L.L.C.", "S.A.") are joined before dots become spaces.
_ABBREVIATION = re.compile(r"\b(?:\w\.){2,}")
# Apostrophes and hyphens join ("O'Brien", "Ala-Too", "FZ-LLC"); other punctuation separates.
_JOINERS = re.compile(r"['`´ʼ’‘·\-‐‑–]")
_SEPARATORS = re.compile(r"[\W_]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff\u0500-\u052f]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u0400-\u052f]")


def tokenize(name: str) -> list[str]:
    """Split a name into lower-case Latin tokens (other scripts are kept, case-folded).

    Examples:
        >>> tokenize("FZ-LLC  Şirketi")
        ['fzllc', 'sirketi']
    """
    ascii_only = name.isascii()  # ASCII is already NFKC and needs no transliteration
    text = name.lower() if ascii_only else unicodedata.normalize("NFKC", name).casefold()
    if "." in text:
        text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _JOINERS.sub("", text)
    if ascii_only:
        return [word for word in _SEPARATORS.split(text) if word]
    tokens: list[str] = []
    for word in _SEPARATORS.split(text):
        if word.isascii():
            if word:
                tokens.append(word)
        else:
            tokens.extend(part for part in _SEPARATORS.split(to_latin(word)) if part)
    return tokens


def detect_script(name: str) -> str:
    """``"latin"``, ``"cyrillic"``, ``"mixed"`` or ``"other"``: the scripts of a name's letters.

    Examples:
        >>> detect_script("Elem Group"), detect_script("Элем Групп"), detect_script("Elem Групп")
        ('latin', 'cyrillic', 'mixed')
    """
    latin = _LATIN.search(name) is not None
    cyrillic = _CYRILLIC.search(name) is not None
    if latin and cyrillic:
        return "mixed"
    if latin or cyrillic:
        if _OTHER_LETTER.search(name) is not None:
            return "mixed"
        return "latin" if latin else "cyrillic"
    return "other"
