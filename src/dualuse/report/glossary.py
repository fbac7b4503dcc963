"""The glossary of a report: every rule, ratio and abbreviation it names, defined where it is read.

A director reading "the Armenian rule counts $2.7 m as re-exports" finds the rule under
Glossary in the same page. :func:`terms_used` lists the entries whose term occurs in a text, so the
report shows the entries it needs; a test checks that every "… rule" the report names is here.

Examples:
    >>> [term for term, _ in terms_used("The Armenian rule counts $2.7 m as re-exports; pass-through 46 %.")]
    ['Armenian rule', 'pass-through', 're-exports']
"""

from __future__ import annotations

import re

__all__ = ["GLOSSARY", "terms_used"]

GLOSSARY: list[tuple[str, str]] = [
    (
        "Armenian rule",
        "The re-export estimator used by researchers of Armenia's trade with Russia: a hub's exports of a good "
        "it does not make itself (its pre-war exports were nil or below its imports) are matched to its "
        "imports of that good in the same month and the two months before; when the exports reach at least "
        "one third of those imports, the smaller of the two is counted as re-exported.",
    ),
    (
        "CHPL",
        "The Common High Priority List of the US, the EU, the UK and Japan: the six-digit HS codes of the "
        "dual-use goods Russia's armed forces most need (45 codes in 2023, 50 since 2024-02-23), in tiers.",
    ),
    (
        "CIF and FOB",
        "Imports are valued CIF (cost, insurance and freight to the border), exports FOB (free on board at "
        "the exporter's border); an import figure is normally a few per cent above the export figure of the "
        "same goods.",
    ),
    (
        "difference-in-differences",
        "How much more the listed goods changed after the invasion than comparable control goods did: the "
        "change of the listed goods minus the change of the controls, on logs of monthly values.",
    ),
    (
        "EAEU",
        "The Eurasian Economic Union (Russia, Belarus, Kazakhstan, Kyrgyzstan, Armenia): a customs union "
        "with no customs border inside, so trade between its members is recorded only through statistical "
        "forms and is under-counted.",
    ),
    (
        "ghost export",
        "A flow one country reported exporting that its partner never recorded importing, although the "
        "partner reported trade that year (ghost import: the other way round).",
    ),
    (
        "HS code",
        "The Harmonized System code of a good: two digits for the chapter, four for the heading, six for the "
        "subheading used worldwide (HS6); countries add digits of their own.",
    ),
    (
        "mirror gap",
        "The difference between the two reports of one flow: the exporter's figure against the importer's "
        "(after removing the CIF/FOB margin).",
    ),
    (
        "pass-through",
        "A hub's exports of a good to the target divided by its imports of that good from the origin, after "
        "setting aside what the hub made itself (its pre-war exports). It shows how much could have passed "
        "through, not that the same items did.",
    ),
    (
        "production prior",
        "A hub's own production of a good, estimated from its pre-war exports of that good to the world.",
    ),
    (
        "re-exports",
        "Goods a hub imported and exported again without making them itself; here estimated by the Armenian "
        "rule from trade statistics, or followed consignment by consignment in shipment chains.",
    ),
    (
        "red flag",
        "A warning sign named in the 2023 multilateral guidance on CHPL goods (a new importer after the "
        "invasion, tiny staff with large turnover, a sanctioned counterparty, ...): a reason to look, not a "
        "conclusion.",
    ),
    (
        "score",
        "How strongly a finding is supported, from 0 to 1: the share of imports passed on for a hub, the "
        "strength of a match for a chain or a screening hit, the weight of the warning for a red flag.",
    ),
    (
        "shipment chain",
        "Consignments followed through a trader: goods that entered it and left it for the target within the "
        "window, same good and brand, quantities allocated first in, first out.",
    ),
    (
        "surge",
        "A route's trade in a good after the invasion against its pre-war baseline (the monthly mean of "
        "2020-2021, a year's worth for annual figures).",
    ),
    (
        "Tier",
        "The CHPL's priority classes: Tier 1 the integrated circuits, of the highest concern; Tier 2 further "
        "electronics (wireless, navigation, passive components); Tier 3.A other electronic components and "
        "3.B mechanical and other components; Tier 4.A production and test equipment for electronics and "
        "4.B CNC machine tools.",
    ),
]
"""Term -> definition, in alphabetical order."""


def terms_used(text: str) -> list[tuple[str, str]]:
    """The glossary entries whose term occurs in ``text`` (whole words, any case).

    Examples:
        >>> terms_used("no rule here")
        []
    """
    found = []
    for term, definition in GLOSSARY:
        words = [re.escape(word) for word in re.split(r"\s+and\s+", term)]
        if any(re.search(rf"(?<![\w-]){word}(?![\w-])", text, flags=re.IGNORECASE) for word in words):
            found.append((term, definition))
    return found
