"""Words across languages: the bilingual lexicon of company names (``data/lexicon.txt``).

A class holds the words that mean the same in Russian, Kazakh, Kyrgyz and English ("Северный",
"Солтүстік", "Northern"); each word of a company name that belongs to a class is compared as the
class, so a name translated word by word meets its original. Classes marked generic ("Trade",
"Group", "Plant") weigh little. Words are looked up by their phonetic key with Russian adjective,
case and plural endings folded ("Северного", "Северная" and "Северный" are one word); compounds
are split first ("Радиозавод" = "Радио завод"), and phrases of several words ("Temir Zholy",
"named after") count as one.

Examples:
    >>> [(t.written, t.key, t.concept) for t in match_tokens(["severnyy", "radiozavod"])]
    [('severnyy', 'north', 'north'), ('radio', 'radio', 'radio'), ('zavod', 'plant', 'plant')]
    >>> [t.key for t in match_tokens(["northern", "radio", "plant"])]
    ['north', 'radio', 'plant']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from dualuse.screening.tokens import tokenize
from dualuse.screening.translit import english_key, phonetic_key

__all__ = ["MatchToken", "generic_keys", "lexicon_stem", "match_tokens"]

# Endings folded before a word is looked up: Russian adjective, case and plural endings (after
# the phonetic key, which writes "y" as "i") and English plurals.
_ENDINGS = re.compile(r"(?:aia|oie|oe|ogo|oi|ih|ie|iia|ia|ii|iu|i|a|u|e|es|s)$")
# Adjectives made of place names keep their "sk": "Izhevskiy" meets "Izhevsk".
_ADJECTIVE = re.compile(r"sk(?:i|aia|oie|oe|ogo|oi|ih|ie|a|omu|im)$")


@dataclass(frozen=True, slots=True)
class MatchToken:
    """One token of a company name as the scorer compares it.

    ``written``: the token; ``key``: what it is compared as (its class, or its phonetic key with
    adjective endings folded); ``raw``: its phonetic key as written; ``english``: its key read as
    English (:func:`dualuse.screening.translit.english_key`); ``generic``: a generic word;
    ``concept``: the lexicon class it was matched to, if any.
    """

    written: str
    key: str
    raw: str
    english: str
    generic: bool
    concept: str | None


def lexicon_stem(key: str) -> str:
    """The lookup form of a phonetic key: endings folded, never shorter than three letters.

    Examples:
        >>> lexicon_stem(phonetic_key("severnaya")) == lexicon_stem(phonetic_key("severnyy"))
        True
    """
    stem = _ENDINGS.sub("", key)
    return stem if len(stem) >= 3 else key


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, tuple[str, bool]]  # stem -> (class, generic)
    phrases: dict[str, list[tuple[tuple[str, ...], str, bool]]]  # first stem -> (stems, class, generic), longest first
    compounds: dict[str, tuple[str, ...]]  # phonetic key -> written parts


def _stems(text: str) -> tuple[str, ...]:
    return tuple(lexicon_stem(phonetic_key(token)) for token in tokenize(text))


@cache
def _lexicon() -> _Lexicon:
    text = resources.files("dualuse.screening").joinpath("data/lexicon.txt").read_text(encoding="utf-8")
    words: dict[str, tuple[str, bool]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
    compounds: dict[str, tuple[str, ...]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "compounds":
            word, parts = (part.strip() for part in line.split("=", 1))
            for token in tokenize(word):
                compounds[lexicon_stem(phonetic_key(token))] = tuple(tokenize(parts))
            continue
        entries = [entry.strip() for entry in line.split(",") if entry.strip()]
        generic = section == "generic"
        concept = "".join(tokenize(entries[0])) or entries[0]
        for entry in entries:
            stems = _stems(entry)
            if len(stems) == 1:
                words.setdefault(stems[0], (concept, generic))
            elif stems:
                phrases.setdefault(stems[0], []).append((stems, concept, generic))
    for options in phrases.values():
        options.sort(key=lambda option: -len(option[0]))
    return _Lexicon(words, phrases, compounds)


@cache
def generic_keys() -> frozenset[str]:
    """The stems of the generic words (every word of a generic class).

    Examples:
        >>> lexicon_stem(phonetic_key("treyd")) in generic_keys(), "elem" in generic_keys()
        (True, False)
    """
    return frozenset(stem for stem, (_, generic) in _lexicon().words.items() if generic)


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _number_words() -> dict[str, str]:
    """English number words as digits: "three" -> "3", "fortyfour" (from "Forty-Four") -> "44", "first" -> "1st"."""
    numbers = {word: str(value) for value, word in enumerate(_UNITS)}
    for index, tens in enumerate(_TENS):
        value = 20 + 10 * index
        numbers[tens] = str(value)
        numbers[tens.replace("forty", "fourty")] = str(value)
        for unit in range(1, 10):
            numbers[tens + _UNITS[unit]] = str(value + unit)
            numbers[tens.replace("forty", "fourty") + _UNITS[unit]] = str(value + unit)
    for value, word in enumerate(_ORDINALS, start=1):
        numbers[word] = f"{value}{_SUFFIX.get(value, 'th')}"
    return numbers


_NUMBERS = _number_words()


@lru_cache(maxsize=500_000)
def _plain(token: str) -> MatchToken:
    if token in _NUMBERS:
        token = _NUMBERS[token]
    raw = phonetic_key(token)
    stem = _stem_of(token)
    found = _lexicon().words.get(stem)
    english = english_key(token)
    if found is not None:
        return MatchToken(token, found[0], raw, english, found[1], found[0])
    key = _ADJECTIVE.sub("sk", raw) if "sk" in raw else raw
    return MatchToken(token, key, raw, english, False, None)


@lru_cache(maxsize=500_000)
def _stem_of(token: str) -> str:
    return lexicon_stem(phonetic_key(token))


def match_tokens(tokens: list[str] | tuple[str, ...]) -> list[MatchToken]:
    """The tokens of a (normalised) company name as the scorer compares them.

    Examples:
        >>> [t.key for t in match_tokens(["kazakhstan", "temir", "zholy"])]
        ['kazakhstan', 'railway']
        >>> [(t.key, t.generic) for t in match_tokens(["izhevskiy", "treyd"])]
        [('izevsk', False), ('trade', True)]
    """
    lexicon = _lexicon()
    split = list(tokens)
    stems = [_stem_of(token) for token in split]
    if any(stem in lexicon.compounds for stem in stems):
        split = [
            part for token, stem in zip(split, stems, strict=True) for part in lexicon.compounds.get(stem, (token,))
        ]
        stems = [_stem_of(token) for token in split]
    result: list[MatchToken] = []
    i = 0
    while i < len(split):
        for phrase, concept, generic in lexicon.phrases.get(stems[i], ()):
            if tuple(stems[i : i + len(phrase)]) == phrase:
                written = " ".join(split[i : i + len(phrase)])
                result.append(MatchToken(written, concept, concept, concept, generic, concept))
                i += len(phrase)
                break
        else:
            result.append(_plain(split[i]))
            i += 1
    return result
