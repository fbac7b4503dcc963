"""Regenerate the package's bundled reference data from ``../shared/data``.

Run from the repository root: ``python scripts/build_package_data.py``. The files it writes are
committed; this script documents exactly how each fact got into the package.
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
HS_OUT = ROOT / "src" / "dualuse" / "hs" / "data"
GEO_OUT = ROOT / "src" / "dualuse" / "geo_data"

# UNSD's HS2022<->HS2017 tables omit the split of HS2017 8541.50 ("other semiconductor devices")
# into HS2022 8541.51 (semiconductor-based transducers) and 8541.59 (other); they also convert
# both new codes to 8517.12. We add the link and correct the conversion target.
MISSING_LINKS = [("854150", "854151"), ("854150", "854159")]
CONVERSION_FIXES = {"854151": "854150", "854159": "854150"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def build_hs() -> None:
    HS_OUT.mkdir(parents=True, exist_ok=True)
    nomen = _rows(SHARED / "hs" / "hs2022_nomenclature.csv")
    with (HS_OUT / "hs2022_descriptions.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("# HS-2022 descriptions (chapters, headings, subheadings). Source: UN Comtrade H6\n")
        fh.write("# classification via the public datasets/harmonized-system data set (ODC-PDDL-1.0).\n")
        w = csv.writer(fh)
        w.writerow(["code", "description"])
        for r in nomen:
            if r["level"] in {"2", "4", "6"}:
                w.writerow([r["hscode"], r["description"]])

    conversion = {r["hs2022"]: r["hs2017"] for r in _rows(SHARED / "hs" / "hs2022_to_hs2017_conversion.csv")}
    conversion.update(CONVERSION_FIXES)
    links = [
        (r["hs2017"], r["hs2022"], r["relationship"], "UNSD")
        for r in _rows(SHARED / "hs" / "hs2022_hs2017_correlation.csv")
    ]
    links += [(a, b, "1:n", "added: missing UNSD link") for a, b in MISSING_LINKS]
    with (HS_OUT / "hs2017_hs2022.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("# HS-2017 -> HS-2022 correlation. Source: UN Statistics Division\n")
        fh.write("# HS2022toHS2017ConversionAndCorrelationTables (correlation + conversion sheets).\n")
        fh.write("# is_conversion: UNSD converts this HS-2022 code back to this HS-2017 code.\n")
        fh.write("# The 8541.50 -> 8541.51/8541.59 link, missing from UNSD's tables, is added (note column).\n")
        w = csv.writer(fh)
        w.writerow(["hs2017", "hs2022", "relationship", "is_conversion", "note"])
        for hs2017, hs2022, rel, note in sorted(set(links)):
            w.writerow([hs2017, hs2022, rel, "1" if conversion.get(hs2022) == hs2017 else "0", note])


def build_geo() -> None:
    GEO_OUT.mkdir(parents=True, exist_ok=True)
    partners = _rows(SHARED / "comtrade" / "reference" / "partner.csv")
    with (GEO_OUT / "comtrade_codes.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("# UN Comtrade partner/reporter codes -> ISO 3166-1 alpha-2. Source: UN Comtrade\n")
        fh.write("# reference table partner.csv. Codes without an ISO country map to a user-assigned\n")
        fh.write("# X? code (see dualuse.geo.SPECIAL_AREAS) or are left out.\n")
        w = csv.writer(fh)
        w.writerow(["comtrade_code", "iso2", "name"])
        for r in partners:
            iso2 = r["iso_2"].strip()
            if iso2:
                w.writerow([r["id"], iso2, r["country"]])


if __name__ == "__main__":
    build_hs()
    build_geo()
