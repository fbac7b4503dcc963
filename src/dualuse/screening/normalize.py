"""One name normaliser for the whole library (screening and tracing use it).

NFKC, casefold, quotes and punctuation removed, transliterated to Latin, legal forms removed
(and kept as generic tags), stop words removed, tokens joined by one space. Idempotent:
``normalize_name(n.text).text == n.text``.

Examples:
    >>> n = normalize_name("«ТОО «Элем Групп»»")
    >>> n.text, n.legal_forms, n.script
    ('elem grupp', ('llp',), 'cyrillic')
    >>> normalize_name("LIMITED LIABILITY PARTNERSHIP ELEM GROUP").text
    'elem group'
    >>> normalize_name("Elem Group LLP").legal_forms
    ('llp',)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dualuse.errors import InputError
from dualuse.screening.legal_forms import LegalForm, find_legal_forms, rigour_legal_forms
from dualuse.screening.parallel import map_in_chunks
from dualuse.screening.tokens import detect_script, tokenize

__all__ = ["KINDS", "STOP_WORDS", "NormalizedName", "normalize_name", "normalize_names"]

KINDS = frozenset({"company", "person", "organization", "vessel", "aircraft", "unknown"})
"""The party kinds of the canonical ``parties`` table."""

STOP_WORDS: frozenset[str] = frozenset({"the", "of", "and", "und", "et", "i", "va", "zhane", "for"})
"""Words removed from company names (after transliteration: ``и`` is ``i``, ``және`` is ``zhane``)."""

# Persons carry no legal form; everything else may (a "vessel" owner is often a company).
_NO_LEGAL_FORMS = frozenset({"person"})


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name after normalisation.

    ``text``: the normalised name (Latin, lower case, no punctuation, no legal forms or stop
    words, tokens joined by one space); ``tokens``: its tokens; ``legal_forms``: generic tags of
    the legal forms found (``("llp",)``); ``script``: ``latin``, ``cyrillic``, ``mixed`` or
    ``other``, of the original; ``forms``: the legal forms found, with their families and
    jurisdictions (:class:`dualuse.screening.LegalForm`).
    """

    original: str
    text: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    script: str
    forms: tuple[LegalForm, ...] = ()


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InputError(f"kind {kind!r}: expected one of {', '.join(sorted(KINDS))}", column="kind")


def _strip_stop_words(tokens: list[str]) -> list[str]:
    kept = [token for token in tokens if token not in STOP_WORDS]
    return kept if kept else tokens


def normalize_name(name: str, *, kind: str = "company") -> NormalizedName:
    """Normalise one name (see the module documentation for the steps).

    Examples:
        >>> normalize_name("TOO Elem Grupp").text
        'elem grupp'
        >>> normalize_name("ОсОО «Ала-Тоо Трейд»").tokens
        ('alatoo', 'treyd')
        >>> normalize_name("Иванов Иван Иванович", kind="person").text
        'ivanov ivan ivanovich'
    """
    _check_kind(kind)
    tokens = tokenize(name)
    forms: tuple[LegalForm, ...] = ()
    if kind not in _NO_LEGAL_FORMS:
        tokens, forms = _strip_forms(tokens, forms)
        while True:  # forms of the rest of the world, read from the tokens so that text is a fixed point
            tokens, found = rigour_legal_forms(" ".join(tokens), tokens)
            if not found:
                break
            tokens, forms = _strip_forms(_strip_stop_words(tokens), forms + found)
    tags = tuple(dict.fromkeys(form.tag for form in forms))
    return NormalizedName(name, " ".join(tokens), tuple(tokens), tags, detect_script(name), tuple(dict.fromkeys(forms)))


def _strip_forms(tokens: list[str], forms: tuple[LegalForm, ...]) -> tuple[list[str], tuple[LegalForm, ...]]:
    # Removing a form can bring two other tokens together; repeat until nothing changes so
    # that the result is a fixed point (idempotence).
    while True:
        before = tokens
        tokens, found = find_legal_forms(tokens)
        forms += tuple(form for form in found if form not in forms)
        tokens = _strip_stop_words(tokens)
        if tokens == before or not (found or len(tokens) < len(before)):
            return tokens, forms


def _texts(names: Sequence[str], kind: str) -> list[str]:
    return [normalize_name(name, kind=kind).text for name in names]


def normalize_names(names: pl.Series, *, kind: str = "company") -> pl.Series:
    """Vectorised :func:`normalize_name`: the ``text`` of every name (nulls stay null).

    Each distinct name is normalised once; many distinct names are spread over the cores
    (:func:`dualuse.screening.parallel.map_in_chunks`).

    Examples:
        >>> normalize_names(pl.Series(["ТОО Элем Групп", None, "Elem Group LLP"])).to_list()
        ['elem grupp', None, 'elem group']
    """
    _check_kind(kind)
    distinct = names.cast(pl.Utf8).drop_nulls().unique()
    texts = map_in_chunks(_texts, distinct.to_list(), kind)
    return names.cast(pl.Utf8).replace_strict(distinct, texts, default=None, return_dtype=pl.Utf8)
