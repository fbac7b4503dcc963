"""Text as the explore pages need it: searchable forms of a name, FTS5 queries, bidi controls made visible.

A name is indexed three ways: as written, as Latin tokens (Cyrillic transliterated, Kazakh and
Kyrgyz letters included) and as phonetic keys, so that ``Жарқын``, ``Zharqyn`` and ``Zharkyn``
meet. The same functions turn what a person types into the FTS5 query.

Bidirectional controls can make text read differently from what it holds ("Trojan Source");
every value shown is passed through :func:`neutralise_value` (the project's one neutraliser,
:func:`dualuse.safe_text.neutralise_bidi`, keeping Markup as Markup), which makes them visible
instead of obeyed.

Examples:
    >>> search_forms("ТОО «Жарқын Вектор»")
    ('too zharkyn vektor', 'to zarkin vektor')
    >>> search_forms("ZHARQYN VEKTOR LLP")[1]
    'zarkin vektor lp'
    >>> fts_query("Zharqyn Vek")
    '{latin phonetic} : ("zharqyn"* OR "zarkin"*) AND {latin phonetic} : ("vek"* OR "vek"*)'
    >>> neutralise_value("invoice\\u202eexe.pdf")
    'invoice⟨U+202E⟩exe.pdf'
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from dualuse.safe_text import neutralise_bidi
from dualuse.screening.tokens import tokenize
from dualuse.screening.translit import phonetic_key

__all__ = ["fts_query", "neutralise_value", "search_forms"]


def neutralise_value(value: Any) -> Any:
    """:func:`~dualuse.safe_text.neutralise_bidi` for a value a template prints: Markup stays Markup, non-text passes."""
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
