"""Counterparty screening: normalise names, match them against watch lists, explain each score.

Examples:
    >>> from dualuse.screening import normalize_name
    >>> normalize_name("ТОО «Элем Групп»").text
    'elem grupp'
"""

from __future__ import annotations

from dualuse.screening.api import SCREEN_COLUMNS, Feature, Score, score, screen
from dualuse.screening.legal_forms import LegalForm, legal_forms, register_legal_form
from dualuse.screening.normalize import NormalizedName, normalize_name, normalize_names

__all__ = [
    "SCREEN_COLUMNS",
    "Feature",
    "LegalForm",
    "NormalizedName",
    "Score",
    "legal_forms",
    "normalize_name",
    "normalize_names",
    "register_legal_form",
    "score",
    "screen",
]
