"""Stream a large OFAC SDN_ENHANCED-style XML file and a large legacy sdn.csv (issue 4: "a file of a gigabyte
is streamed, never read into memory whole").

Scale 1.0: a 1 GiB XML file (about 850,000 entities) and a sdn.csv of 2,000,000 rows, generated
with a seeded generator in the layouts of ``dualuse_sanctions``. The figures are entities (rows)
parsed per second, with the peak resident memory of the process; the target is a peak memory that
does not grow with the file (well under the file's size). The baseline is what a naive parser does
in the same run: ``defusedxml.ElementTree.parse`` of the whole file (equally safe; then a mapping of
names and identifiers), and ``polars.read_csv`` of the whole CSV.

Needs the ``dualuse-sanctions`` plugin installed (``pip install -e plugins/dualuse-sanctions``).
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from benchmarks._harness import Measurement, measure

FULL_XML_BYTES = 1 << 30
FULL_CSV_ROWS = 2_000_000
_NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML"


def _entity(rng: random.Random, number: int) -> str:
    bin_like = f"{rng.randrange(10**11, 10**12)}"
    return (
        f'<entity id="{number}"><generalInfo><identityId>{number}</identityId><entityType>Entity</entityType>'
        f'</generalInfo><sanctionsLists><sanctionsList datePublished="2024-02-23">SDN List</sanctionsList>'
        "</sanctionsLists><sanctionsPrograms><sanctionsProgram>RUSSIA-EO14024</sanctionsProgram></sanctionsPrograms>"
        f"<names><name><isPrimary>true</isPrimary><translations><translation><isPrimary>true</isPrimary>"
        f"<script>Latin</script><formattedFullName>TRADING PARTNER {number} LLP</formattedFullName></translation>"
        f"</translations></name><name><isPrimary>false</isPrimary><translations><translation>"
        f"<formattedFullName>TP {number}</formattedFullName></translation></translations></name></names>"
        f"<addresses><address><country>Kazakhstan</country></address></addresses><identityDocuments>"
        f"<identityDocument><type>Identification Number</type><documentNumber>{bin_like}</documentNumber>"
        "<issuingCountry>Kazakhstan</issuingCountry></identityDocument></identityDocuments></entity>\n"
    )


def write_xml(path: Path, target_bytes: int) -> int:
    """Write an SDN_ENHANCED-style file of about ``target_bytes``; return the number of entities."""
    rng = random.Random(4)
    written, count = 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<sanctionsData xmlns="{_NS}"><entities>\n')
        while written < target_bytes:
            count += 1
            chunk = _entity(rng, count)
            out.write(chunk)
            written += len(chunk)
        out.write("</entities></sanctionsData>\n")
    return count


def write_csv(path: Path, rows: int) -> None:
    """Write a legacy sdn.csv of ``rows`` rows (no header, CRLF, ``-0-`` nulls, trailing 0x1A)."""
    empty = ",".join(["-0- "] * 7)
    with path.open("w", encoding="ascii", newline="") as out:
        for number in range(1, rows + 1):
            out.write(
                f'{number},"TRADING PARTNER {number} LLP",-0- ,"RUSSIA-EO14024] [UKRAINE-EO13662",{empty},'
                f'"Tax ID No. {7724317936 + number} (Russia); Registration Number {number} (Kazakhstan)."\r\n'
            )
        out.write("\x1a")


def streamed_xml(path: str) -> int:
    """Parse with the plugin (iterparse, elements freed); return the number of parties."""
    from dualuse_sanctions.ofac_xml import parse_ofac_xml
    from dualuse_sanctions.records import PartyRecord

    return sum(1 for event in parse_ofac_xml(Path(path)) if isinstance(event, PartyRecord))


def whole_xml(path: str) -> int:
    """Baseline: parse the whole tree in memory (as safely: defusedxml), then map the same fields."""
    from defusedxml import ElementTree as SafeElementTree

    ns = {"o": _NS}
    root = SafeElementTree.parse(path, forbid_dtd=True).getroot()
    count = 0
    for entity in root.iterfind("o:entities/o:entity", ns):
        names = [n.text for n in entity.iterfind(".//o:formattedFullName", ns)]
        numbers = [d.text for d in entity.iterfind(".//o:documentNumber", ns)]
        count += bool(names) and bool(numbers)
    return count


def streamed_csv(path: str) -> int:
    """Parse the legacy CSV with the plugin (line by line); return the number of parties."""
    from dualuse_sanctions.ofac_csv import parse_ofac_csv
    from dualuse_sanctions.records import PartyRecord

    return sum(1 for event in parse_ofac_csv(Path(path)) if isinstance(event, PartyRecord))


def whole_csv(path: str) -> int:
    """Baseline: read the whole CSV into a frame (no Remarks parsing)."""
    import polars as pl

    return pl.read_csv(path, has_header=False, infer_schema=False).height - 1  # minus the 0x1A line


def run(scale: float) -> list[Measurement]:
    """Time both parsers against their whole-file baselines at ``scale``."""
    with tempfile.TemporaryDirectory() as folder:
        xml_path = Path(folder) / "SDN_ENHANCED.XML"
        entities = write_xml(xml_path, int(FULL_XML_BYTES * scale))
        size_mb = xml_path.stat().st_size / 2**20
        ours = measure(streamed_xml, str(xml_path))
        base = measure(whole_xml, str(xml_path))
        assert ours.result == base.result == entities
        xml_path.unlink()
        csv_path = Path(folder) / "sdn.csv"
        rows = max(1, int(FULL_CSV_ROWS * scale))
        write_csv(csv_path, rows)
        csv_mb = csv_path.stat().st_size / 2**20
        ours_csv = measure(streamed_csv, str(csv_path))
        base_csv = measure(whole_csv, str(csv_path))
        assert ours_csv.result == rows
    return [
        Measurement(
            "sanctions",
            f"SDN_ENHANCED XML entities/s ({size_mb:,.0f} MB, {entities:,} entities)",
            entities / ours.seconds,
            "defusedxml parse of the whole file",
            entities / base.seconds,
            ours.peak_mb,
            target="peak memory flat, far below the file size",
            note=f"baseline peak {base.peak_mb:,.0f} MB",
        ),
        Measurement(
            "sanctions",
            f"legacy sdn.csv rows/s with Remarks parsing ({csv_mb:,.0f} MB)",
            rows / ours_csv.seconds,
            "polars.read_csv whole file (no Remarks parsing)",
            rows / base_csv.seconds,
            ours_csv.peak_mb,
            target="peak memory flat, far below the file size",
            note=f"baseline peak {base_csv.peak_mb:,.0f} MB",
        ),
    ]
