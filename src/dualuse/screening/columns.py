"""What each column of :func:`dualuse.screening.screen`'s result means: the source of its column table in the docs.

Examples:
    >>> SCREEN_DESCRIPTIONS["score"]
    'the match score, in [0, 1]'
"""

from __future__ import annotations

__all__ = ["SCREEN_DESCRIPTIONS"]

SCREEN_DESCRIPTIONS: dict[str, str] = {
    "query_id": "the screened party (its `party_id`, else its row number)",
    "query_name": "its name",
    "match_id": "the watch-list entry",
    "match_name": "its name",
    "score": "the match score, in [0, 1]",
    "explanation": "the score in words: each feature with its weight",
    "features": "the features: list of `{name, weight, value}`",
    "query_matched_name": "the spelling of the party that matched (a name or an alias)",
    "match_matched_name": "the spelling of the entry that matched",
    "match_kind": "the entry's kind: company, person, ...",
    "match_country": "the entry's country",
    "match_source": "the watch list's source",
    "match_source_row": "the entry's row in it",
    "match_programs": "the sanctions programs that list the entry",
}
"""Columns of :func:`dualuse.screening.screen`'s result, in order."""
