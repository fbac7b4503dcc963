"""The plugin authors' kit applied to the built-in connectors and to a connector with a secret."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any, ClassVar

import polars as pl
from pydantic import SecretStr

from dualuse.connectors import Connector, ConnectorConfig, FetchContext
from dualuse.connectors.builtin import CsvConnector, ParquetConnector
from dualuse.testing import ConnectorContract

DATA = pathlib.Path(__file__).parent / "data"


class TestCsvContract(ConnectorContract):
    connector = CsvConnector
    settings: ClassVar[dict[str, Any]] = {"path": str(DATA / "declarations_cp1251.csv"), "preset": "ru-declarations"}
    bad_settings: ClassVar[list[dict[str, Any]]] = [
        {"path": str(DATA / "nope.csv")},
        {"path": str(DATA / "baci_sample.csv"), "batch_rows": 0},
    ]


class TestParquetContract(ConnectorContract):
    connector = ParquetConnector
    bad_settings: ClassVar[list[dict[str, Any]]] = [{}]

    def get_settings(self, request: Any) -> dict[str, Any]:
        path = request.getfixturevalue("tmp_path") / "flows.parquet"
        pl.DataFrame(
            {"t": ["2023"], "i": ["156"], "j": ["398"], "k": ["854231"], "v": ["1"], "q": ["1"]}
        ).write_parquet(path)
        return {"path": str(path), "preset": "baci"}


class KeyedConfig(ConnectorConfig):
    year: int = 2023
    api_key: SecretStr


class Keyed(Connector[KeyedConfig]):
    name = "keyed"
    table = "flows"
    config_model = KeyedConfig

    def fetch(self, context: FetchContext) -> Iterator[pl.DataFrame]:
        yield pl.DataFrame(
            {
                "period": [f"{self.config.year}-01-01"],
                "freq": ["A"],
                "reporter": ["CN"],
                "partner": ["KZ"],
                "flow": ["export"],
                "hs_code": ["880622"],
                "value_usd": [5.9e6],
                "source": ["keyed"],
                "source_row": [1],
            }
        ).with_columns(pl.col("period").str.to_date())


class TestSecretContract(ConnectorContract):
    connector = Keyed
    settings: ClassVar[dict[str, Any]] = {"api_key": "placeholder"}
    bad_settings: ClassVar[list[dict[str, Any]]] = [{"api_key": "x", "year": "last year"}, {}]
    secrets: ClassVar[dict[str, str]] = {"api_key": "s3cret-key"}
    registered = False
