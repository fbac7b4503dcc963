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
