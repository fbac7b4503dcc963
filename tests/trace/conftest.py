"""Builders for small canonical shipment frames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from dualuse.schema import polars_schema

Ship = Callable[..., dict[str, Any]]


def _ship(
    sid: str,
    day: str,
    exporter: tuple[str, str, str | None],
    importer: tuple[str, str, str | None],
    *,
    hs: str = "854121",
    quantity: float = 100.0,
    value: float = 1000.0,
    brand: str | None = "Ostrava",
    manufacturer: str | None = None,
    description: str = "transistors",
    source: str = "test",
    row: int | None = None,
) -> dict[str, Any]:
    return {
        "shipment_id": sid,
        "date": dt.date.fromisoformat(day),
        "hs_code": hs,
        "description": description,
        "exporter_name": exporter[0],
        "exporter_country": exporter[1],
        "exporter_id": exporter[2],
        "importer_name": importer[0],
        "importer_country": importer[1],
        "importer_id": importer[2],
        "manufacturer": manufacturer,
        "brand": brand,
        "value_usd": value,
        "quantity": quantity,
        "source": source,
        "source_row": int(sid.split("-")[-1]) if row is None else row,
    }


@pytest.fixture
def ship() -> Ship:
    """``ship(id, "2023-01-01", (name, country, id), (name, country, id), hs=, quantity=, value=, ...)``."""
    return _ship


@pytest.fixture
def frame() -> Callable[[list[dict[str, Any]]], pl.DataFrame]:
    """Rows from ``ship`` as a canonical shipments frame."""

    def build(rows: list[dict[str, Any]]) -> pl.DataFrame:
        schema = polars_schema("shipments")
        return (
            pl.DataFrame(rows, schema={k: schema[k] for k in rows[0]}, orient="row")
            if rows
            else pl.DataFrame(schema=schema)
        )

    return build
