"""Text as the explore pages need it: searchable forms of a name, FTS5 queries, bidi controls made visible.

A name is indexed three ways: as written, as Latin tokens (Cyrillic transliterated, Kazakh and
Kyrgyz letters included) and as phonetic keys, so that ``Жарқын``, ``Zharqyn`` and ``Zharkyn``
meet. The same functions turn what a person types into the FTS5 query.

Bidirectional override and isolate controls (U+202A-U+202E, U+2066-U+2069) can make text read
differently from what it holds ("Trojan Source"); every value shown is passed through
:func:`neutralise_bidi`, which makes them visible instead of obeyed.

Examples:
    >>> search_forms("ТОО «Жарқын Вектор»")
    ('too zharkyn vektor', 'to zarkin vektor')
    >>> search_forms("ZHARQYN VEKTOR LLP")[1]
    'zarkin vektor lp'
    >>> fts_query("Zharqyn Vek")
    '{latin phonetic} : ("zharqyn"* OR "zarkin"*) AND {latin phonetic} : ("vek"* OR "vek"*)'
    >>> neutralise_bidi("invoice\\u202eexe.pdf")
    'invoice[U+202E]exe.pdf'
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from dualuse.screening.tokens import tokenize
from dualuse.screening.translit import phonetic_key

__all__ = ["BIDI_CONTROLS", "fts_query", "neutralise_bidi", "neutralise_value", "search_forms"]

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
"""Embedding, override and isolate controls: they reorder the text around them."""

_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def neutralise_bidi(text: str) -> str:
    """Replace each bidi embedding, override or isolate control by a visible ``[U+XXXX]``.

    The marks (LRM, RLM) stay: they do not reorder a span. The result has no ``<``, ``>`` or ``&``
    that the input did not have, so it is safe before or after HTML escaping.
    """
    if not _BIDI.search(text):
        return text
    return _BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


def neutralise_value(value: Any) -> Any:
    """:func:`neutralise_bidi` for any value a template prints: text changes, Markup stays Markup, others pass."""
    if isinstance(value, Markup):
        return Markup(neutralise_bidi(str(value)))
    if isinstance(value, str):
        return neutralise_bidi(value)
    return value


def search_forms(name: str) -> tuple[str, str]:
    """(Latin tokens, phonetic keys) of a name, each space-separated, as the index holds them."""
    tokens = tokenize(name)
    return " ".join(tokens), " ".join(phonetic_key(t) for t in tokens)


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_query(text: str) -> str | None:
    """The FTS5 query for what a person typed: every word, as a prefix, in Latin or phonetic form.

    ``None`` when the text has no word to search for.
    """
    tokens = tokenize(text)
    if not tokens:
        return None
    terms = [f"{{latin phonetic}} : ({_quoted(token)}* OR {_quoted(phonetic_key(token))}*)" for token in tokens[:12]]
    return " AND ".join(terms)
