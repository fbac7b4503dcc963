"""Lists that used to be refused whole or read into exhausted memory (issue 14)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dualuse_sanctions.opensanctions import parse_targets_simple
from dualuse_sanctions.records import collect

COLUMNS = ["id", "schema", "name", "aliases", "countries"]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_a_field_longer_than_131072_characters_does_not_reject_the_list(tmp_path: Path) -> None:
    aliases = ";".join(f"ALIAS NUMBER {i}" for i in range(12_000))  # about 200,000 characters
    assert len(aliases) > 131_072
    path = tmp_path / "targets.simple.csv"
    _write(
        path,
        [
            {"id": "NK-1", "schema": "Company", "name": "ACME LLP", "aliases": aliases, "countries": "kz"},
            {"id": "NK-2", "schema": "Company", "name": "ROMASHKA OOO", "aliases": "", "countries": "ru"},
        ],
    )
    result = collect(parse_targets_simple(path))
    assert result.parties.height == 2 and result.rejected.height == 0
    assert len(result.parties.filter(result.parties["name"] == "ACME LLP")["aliases"][0]) == 12_000


HUGE_NODE_READER = """
import resource, sys, pathlib
from dualuse_sanctions.ofac_xml import parse_ofac_xml
from dualuse.errors import InputError
try:
    for _ in parse_ofac_xml(pathlib.Path(sys.argv[1])):
        pass
except InputError as exc:
    print("refused:", exc)
print("peak kB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_huge_xml_text_node_is_refused_as_it_streams_under_a_small_memory_cap(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    path = tmp_path / "SDN_ENHANCED.XML"
    namespace = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML"
    with path.open("wb") as out:
        out.write(f'<sanctionsData xmlns="{namespace}"><entities><entity id="1"><generalInfo><remarks>'.encode())
        block = b"A" * (1 << 20)
        for _ in range(600):  # a 600 MB text node
            out.write(block)
        out.write(b"</remarks></generalInfo></entity></entities></sanctionsData>")

    def cap_memory() -> None:  # 1 GiB of address space: holding the node (and its copies) cannot fit
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    done = subprocess.run(
        [sys.executable, "-c", HUGE_NODE_READER, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=cap_memory,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "row 1: an XML element's text is longer than 16,777,216 characters; refused" in done.stdout
    assert int(done.stdout.rsplit("peak kB", 1)[1]) < 500 * 1024  # below the 600 MB node: never held whole
