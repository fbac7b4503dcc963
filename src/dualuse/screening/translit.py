"""Transliteration to Latin, the romanisation variants that matter, and a phonetic key.

Russian Cyrillic is romanised with :mod:`iuliia` (a maintained library of the official schemes).
Kazakh and Kyrgyz letters that Russian lacks (``ә ғ қ ң ө ұ ү һ і``) are first mapped to their
nearest Russian letter, as Russian-language registries do. Names written in Latin by different
people ("Kazakhtelecom", "Kazahtelekom", "Grupp", "Group") still differ after transliteration:
:func:`phonetic_key` folds the usual variant spellings so that they meet.

Examples:
    >>> to_latin("казахтелеком")
    'kazakhtelekom'
    >>> phonetic_key("kazakhtelecom") == phonetic_key("kazahtelekom")
    True
    >>> sorted(romanizations("Щукин"))
    ['shchukin', 'shhukin']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import iuliia

__all__ = ["SCHEMES", "english_key", "has_cyrillic", "phonetic_key", "romanizations", "to_latin"]

SCHEMES: dict[str, iuliia.Schema] = {
    "wikipedia": iuliia.WIKIPEDIA,  # BGN/PCGN simplified to ASCII: the canonical romanisation
    "bgn_pcgn": iuliia.BGN_PCGN,
    "gost_7034": iuliia.GOST_7034,
    "gost_52535": iuliia.GOST_52535,  # passports 2010-2013
    "mvd_782": iuliia.MVD_782,  # passports 2006-2010
    "icao_doc_9303": iuliia.ICAO_DOC_9303,  # passports since 2013
    "gost_779": iuliia.GOST_779,  # ISO 9 (GOST 7.79 system A, with diacritics)
}
"""The romanisation schemes :func:`romanizations` produces (name -> :mod:`iuliia` schema)."""

# Letters of Kazakh, Kyrgyz, Ukrainian and Belarusian Cyrillic that Russian lacks.
_TO_RUSSIAN = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ї": "йи",
        "є": "е",
        "ґ": "г",
        "ў": "у",
    }
)
# Latin letters that Unicode decomposition does not reduce to ASCII.
_LATIN_SPECIAL = str.maketrans(
    {
        "ı": "i",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "đ": "d",
        "ł": "l",
        "þ": "th",
        "ð": "d",
        # ISO 9 and the Czech-style romanisations write one letter with a caron for a digraph
        "š": "sh",
        "č": "ch",
        "ž": "zh",
        "ŝ": "shch",
        "ʹ": "",
        "ʼ": "",
        "·": "",
        "ʺ": "",
        "”": "",
        "’": "",
    }
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ISO9 = str.maketrans({"û": "yu", "â": "ya", "ë": "yo", "è": "e", "ʺ": "", "ʹ": ""})

# The canonical scheme (iuliia "wikipedia", BGN/PCGN simplified) as a translation table plus its
# three context rules, for lower-case words: the same output as iuliia (a test checks it) at a
# fraction of the cost, which matters when a million names are normalised.
_WIKIPEDIA_LETTERS = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    }
)  # fmt: skip
_WIKIPEDIA_RULES = (
    (re.compile(r"(?<=.)[иы]й$"), "y"),  # ending: "Горький" -> "Gorky"
    (re.compile(r"(?:^|(?<=[аиоуэюяьъ]))е"), "ye"),  # "Елена" -> "Yelena", "Мариинское"
    (re.compile(r"[ъь](?=[аиоуыэ])"), "y"),  # "Ильинка" -> "Ilyinka"
)


def _wikipedia(word: str) -> str:
    for pattern, replacement in _WIKIPEDIA_RULES:
        word = pattern.sub(replacement, word)
    return word.translate(_WIKIPEDIA_LETTERS)


def has_cyrillic(text: str) -> bool:
    """Whether ``text`` contains a Cyrillic letter.

    Examples:
        >>> has_cyrillic("Elem Групп"), has_cyrillic("Elem Group")
        (True, False)
    """
    return _CYRILLIC.search(text) is not None


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def to_latin(token: str, scheme: str = "wikipedia") -> str:
    """Romanise one lower-case word: Cyrillic with ``scheme``, Latin diacritics folded to ASCII.

    Letters of other scripts (Arabic, Devanagari, ...) are kept as they are.

    Examples:
        >>> to_latin("элем"), to_latin("өскемен"), to_latin("şirketi")
        ('elem', 'oskemen', 'sirketi')
        >>> to_latin("юрий", "icao_doc_9303")
        'iurii'
        >>> to_latin("օբամա")
        'obama'
    """
    if has_cyrillic(token):
        token = token.translate(_TO_RUSSIAN)
        token = _wikipedia(token) if scheme == "wikipedia" and token.islower() else SCHEMES[scheme].translate(token)
        if scheme == "gost_779":  # ISO 9 writes one letter with a diacritic where others write two
            token = token.translate(_ISO9)
    if token.isascii():
        return token.lower()
    folded = _strip_marks(token).lower()
    if folded.isascii():
        return folded
    # Greek, Armenian, Georgian, Arabic, CJK...: ICU's transliteration (through rigour)
    from rigour.text.translit import ascii_text

    return ascii_text(folded).lower() or folded


def romanizations(name: str) -> set[str]:
    """The distinct romanisations of a Cyrillic name under every scheme of :data:`SCHEMES`.

    A Latin name gives a single variant (its ASCII fold). The variants are lower case.

    Examples:
        >>> sorted(romanizations("Юрий"))
        ['iurii', 'yurij', 'yuriy', 'yury']
    """
    words = name.casefold().split()
    return {" ".join(to_latin(word, scheme) for word in words) for scheme in SCHEMES}


# Variant spellings, longest first: what different romanisations and English spellings write
# for one sound. Upper-case outputs are placeholders so that later rules do not rewrite them.
_PHONETIC_RULES = (
    ("shch", "S"),
    ("sch", "S"),
    ("tch", "C"),
    ("sh", "S"),
    ("zh", "Z"),
    ("kh", "H"),
    ("ch", "C"),
    ("cz", "C"),
    ("ts", "C"),
    ("tz", "C"),
    ("ck", "K"),
    ("ph", "F"),
    ("qu", "KV"),
    ("ou", "U"),
    ("ks", "KS"),
    ("x", "KS"),
    ("ce", "Ce"),  # a soft "c" is "ts", as in "Centr" / "Tsentr"
    ("ci", "Ci"),
    ("cy", "CI"),
    ("c", "K"),
    ("k", "K"),
    ("q", "K"),
    ("w", "V"),
    ("y", "I"),
    ("j", "I"),
    ("h", "H"),
)
# Two passes: digraphs with "h" first, so that "tsh" in "Bermetshalkyma" reads "t"+"sh" as
# in "Bermet Shalkyma", not "ts"+"h".
# The second pass's single letters go through str.translate: at each position a longer rule is
# tried first, a single letter only consumes itself, so doing the longer rules first and the
# letters after gives the same result, with far fewer Python calls.
_FIRST_PASS = frozenset({"shch", "sch", "tch", "sh", "zh", "kh", "ch", "ph"})
_PASSES = [
    re.compile("|".join(re.escape(s) for s, _ in _PHONETIC_RULES if s in _FIRST_PASS)),
    re.compile("|".join(re.escape(s) for s, _ in _PHONETIC_RULES if s not in _FIRST_PASS and len(s) > 1)),
]
_LETTERS = str.maketrans({s: r for s, r in _PHONETIC_RULES if s not in _FIRST_PASS and len(s) == 1})
_PHONETIC_MAP = dict(_PHONETIC_RULES)
# BGN/PCGN writes "е" as "ye" at the start of a word and after a vowel, where GOST, ISO 9 and
# ICAO write "e" ("Yerlan" / "Erlan", "Dostoyevsky" / "Dostoevskiy"): the glide is dropped there.
_YE = re.compile(r"(?:^|(?<=[aeiouy]))ye")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=500_000)
def phonetic_key(token: str) -> str:
    """A key under which common spelling variants of a romanised word meet.

    Folds ``kh/h``, ``c/k`` (``ts`` before ``e``, ``i``, ``y``), ``ts/tz/cz``, ``sh/sch/shch``,
    ``y/j/i``, ``x/ks``, ``w/v``, ``ph/f``, ``ou/u``, ``ye/e`` (at the start and after a vowel) and
    doubled letters. Applied to the tokens of a normalised name.

    Examples:
        >>> phonetic_key("grupp"), phonetic_key("group")
        ('grup', 'grup')
        >>> phonetic_key("yuriy") == phonetic_key("jurij") == phonetic_key("iurii")
        True
        >>> phonetic_key("tsentr") == phonetic_key("centr"), phonetic_key("yuzhnyi") == phonetic_key("iuzhnyy")
        (True, True)
        >>> phonetic_key("yerlan") == phonetic_key("erlan"), phonetic_key("eyee") == phonetic_key("eee")
        (True, True)
    """
    folded = _YE.sub("e", token) if "ye" in token else token
    for rules in _PASSES:
        folded = rules.sub(lambda m: _PHONETIC_MAP[m.group(0)], folded)
    folded = folded.translate(_LETTERS).lower()
    return _REPEATS.sub(r"\1", folded)


# English spellings read the way Russian writes them back ("Line" = "Лайн" = "Lain"): the rules
# that matter for words of company names, longest first.
_ENGLISH_SPELLINGS = {
    "tion": "shn",
    "sion": "shn",
    "igh": "ei",
    "ai": "ei",
    "ay": "ei",
    "ey": "ei",
    "ee": "i",
    "ea": "i",
    "oo": "u",
    "th": "t",
    "j": "dzh",
}
# One pass, longest spelling first at each position; "j" only where English reads it "dzh".
_ENGLISH_RULES = re.compile(r"tion|sion|igh|ai|ay|ey|ee|ea|oo|th|^j|(?<=[aeiou])j")
# One syllable closed by a silent "e" lengthens its vowel: line -> lain, trade -> treid, stone -> stoun.
_SILENT_E = re.compile(r"^([^aeiouy]*)([aio])([bcdfgklmnprstvz])e$")
_LONG = {"a": "ei", "i": "ai", "o": "ou"}


@lru_cache(maxsize=200_000)
def english_key(token: str) -> str:
    """The phonetic key of a word read as English and written as Russian would write it.

    An English word written in Cyrillic and transliterated back ("Смарт Лайн" -> "smart layn")
    meets the English spelling under this key; applied to company names only.

    Examples:
        >>> english_key("line") == english_key("layn") == english_key("lain")
        True
        >>> english_key("trade") == english_key("treyd"), english_key("lion") == english_key("line")
        (True, False)
        >>> english_key("air") == english_key("eyr")
        True
    """
    if _ENGLISH_RULES.search(token) is None and _SILENT_E.search(token) is None:
        return phonetic_key(token)  # most words: no English spelling to read
    word = _SILENT_E.sub(lambda m: m.group(1) + _LONG[m.group(2)] + m.group(3), token)
    word = _ENGLISH_RULES.sub(lambda m: _ENGLISH_SPELLINGS[m.group(0)], word)
    return phonetic_key(word)
