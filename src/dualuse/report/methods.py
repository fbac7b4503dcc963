"""What each number in a report can and cannot show: the methods section, in one place.

The same statements appear in the HTML report and in ``docs/methods.md``.

Examples:
    >>> any(title.startswith("EAEU") for title, _ in METHODS)
    True
"""

from __future__ import annotations

__all__ = ["METHODS"]

METHODS: list[tuple[str, str]] = [
    (
        "Reported flows, not true flows",
        "Trade statistics are what each customs service recorded and reported. The exporter's and the "
        "importer's reports of the same flow differ (valuation, timing, origin versus consignment country, "
        "misreporting); the report keeps both and shows the gap rather than picking one.",
    ),
    (
        "EAEU legs are lower bounds",
        "Kazakhstan, Kyrgyzstan, Armenia, Belarus and Russia form a customs union: goods cross between them "
        "without a customs declaration, recorded only through statistical forms that traders often do not file. "
        "A hub's exports to Russia are therefore a lower bound, and so is every pass-through ratio built on them.",
    ),
    (
        "Russia's side is mirror data since 2022",
        "Russia has published no trade statistics since early 2022. Its imports after that date exist only as "
        "its partners' exports (mirror data); a flow its partners do not report is invisible here.",
    ),
    (
        "CIF and FOB",
        "Imports are valued CIF (with freight and insurance), exports FOB. An importer's figure is normally a few "
        "per cent above the exporter's for the same goods; a larger gap, or an import figure far below the export "
        "figure (as in Kyrgyzstan's imports from China), is a finding, not an error to be averaged away.",
    ),
    (
        "HS versions",
        "HS codes changed on 2022-01-01 (HS 2017 to HS 2022): drones moved from 8802 and 8525.80 to the new "
        "heading 8806. Codes are compared in one version, converted through the UN Statistics Division "
        "concordance; a 1:n conversion splits values by trade weights, which is an estimate.",
    ),
    (
        "Pass-through is not proof of re-export",
        "A hub's exports of a good to Russia divided by its imports of it from the origin shows how much could "
        "have passed through. Where the hub made none of the good before the war (no pre-war exports), it is "
        "a strong sign; it does not show that the same items moved, which only shipment records can show.",
    ),
    (
        "Shipment chains are matched, not observed",
        "A chain links an inbound shipment to an outbound one by the trader, the HS code, brand and timing, with "
        "quantities allocated first in, first out. Its confidence score says how strong the match is; the rows "
        "behind each link are listed so that anyone can check it.",
    ),
    (
        "Screening hits are candidates",
        "A screening score says how alike two names and their identifiers are, with the features that fired. "
        "An equal registry identifier settles it; a name-only hit must be confirmed before anything is published.",
    ),
    (
        "Red flags are reasons to look, not conclusions",
        "Red flags follow the 2023 multilateral guidance on CHPL goods (new importers after the invasion, tiny "
        "staff with large turnover, a listed counterparty one hop away, ...). Each is a reason for due diligence.",
    ),
    (
        "Every number is traceable",
        "Each figure links to the input rows it was computed from (source file and row number), listed in the "
        "Evidence section and in tables/evidence.parquet; findings.json carries the same evidence per finding.",
    ),
]
