"""A connector that reads companies from a JSON Lines file into the ``parties`` table.

Each line is one JSON object: ``{"id": "...", "name": "...", "country": "Kazakhstan", "inn": "..."}``.
A line that is not a JSON object with an ``id`` and a ``name`` is quarantined with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import Field, field_validator

from dualuse.connectors import Connector, ConnectorConfig, FetchContext
from dualuse.errors import CountryError
from dualuse.geo import country
from dualuse.rejects import make_rejects


class JsonlPartiesConfig(ConnectorConfig):
    """Settings: the file, and how many lines to yield per batch."""

    path: Path
    batch_rows: int = Field(default=10_000, ge=1)

    @field_validator("path")
    @classmethod
    def _exists(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"no such file: {path}")
        return path


def _party(record: dict[str, Any], source: str, line: int) -> dict[str, Any]:
    """One JSON object as a parties row (raises ValueError with the reason when it cannot be)."""
    if not isinstance(record.get("id"), str) or not isinstance(record.get("name"), str):
        raise ValueError("needs text fields id and name")
    land = record.get("country")
    try:
        code = country(land) if land else None
    except CountryError as exc:
        raise ValueError(str(exc)) from None
    inn = record.get("inn")
    return {
        "party_id": record["id"],
        "name": record["name"],
        "kind": "company",
        "country": code,
        "identifiers": [{"scheme": "INN", "value": str(inn)}] if inn else [],
        "source": source,
        "source_row": line,
    }


class JsonlParties(Connector[JsonlPartiesConfig]):
    """Companies from a JSON Lines file; ``source_row`` is the line number (first line = 1)."""

    name = "jsonl-parties"
    table = "parties"
    config_model = JsonlPartiesConfig
    description = "Companies from a JSON Lines file (id, name, country, inn)."

    def fetch(self, context: FetchContext) -> Iterator[pl.DataFrame]:
        source = self.config.path.name
        rows: list[dict[str, Any]] = []
        bad: list[dict[str, Any]] = []
        with self.config.path.open(encoding="utf-8") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ValueError("not a JSON object")
                    rows.append(_party(record, source, line_number))
                except ValueError as exc:  # json.JSONDecodeError is a ValueError
                    bad.append({"line": line_number, "text": line.rstrip("\n"), "reason": str(exc)})
                if len(rows) >= self.config.batch_rows:
                    yield self._frame(rows)
                    context.progress(len(rows))
                    rows = []
        if rows:
            yield self._frame(rows)
            context.progress(len(rows))
        if bad:
            frame = pl.DataFrame(bad)
            context.reject(
                make_rejects(
                    frame,
                    row=pl.col("line") - 1,
                    column=pl.lit("line"),
                    value=pl.col("text"),
                    reason=pl.col("reason"),
                )
            )

    @staticmethod
    def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
        schema: dict[str, pl.DataType] = {
            "party_id": pl.String(),
            "name": pl.String(),
            "kind": pl.String(),
            "country": pl.String(),
            "identifiers": pl.List(pl.Struct({"scheme": pl.String(), "value": pl.String()})),
            "source": pl.String(),
            "source_row": pl.Int64(),
        }
        return pl.DataFrame(rows, schema=schema)
