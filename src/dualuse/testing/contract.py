"""The ready contract test for a connector: subclass :class:`ConnectorContract` in a test module.

::

    from dualuse.testing import ConnectorContract

    class TestMyConnector(ConnectorContract):
        connector = MyConnector
        settings = {"path": "tests/data/sample.csv"}
        bad_settings = [{"path": 3}]
        secrets = {"api_key": "s3cret"}

Override :meth:`ConnectorContract.get_settings` when the settings need a fixture (for example a
local HTTP server from ``pytest-httpserver``).
"""

from __future__ import annotations

import json
import logging
import pathlib
from typing import Any, ClassVar

import polars as pl
import pytest

from dualuse.connectors.base import Connector, ConnectorConfig, FetchContext
from dualuse.errors import ConfigError
from dualuse.schema import polars_schema, validate

__all__ = ["ConnectorContract"]

_TABLES = ("shipments", "flows", "parties")


class ConnectorContract:
    """Contract tests every connector must pass: schema, provenance, config validation, secret hygiene."""

    connector: ClassVar[type[Connector[Any]]]
    settings: ClassVar[dict[str, Any]] = {}
    bad_settings: ClassVar[list[dict[str, Any]]] = []
    secrets: ClassVar[dict[str, str]] = {}
    registered: ClassVar[bool] = True
    min_rows: ClassVar[int] = 1

    def get_settings(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        """Valid settings that fetch offline; override to build them from fixtures."""
        return dict(self.settings)

    def _fetch(
        self, request: pytest.FixtureRequest, tmp_path: pathlib.Path, extra: dict[str, Any] | None = None
    ) -> tuple[Connector[Any], list[pl.DataFrame], FetchContext]:
        connector = self.connector.from_settings({**self.get_settings(request), **(extra or {})})
        context = FetchContext(tmp_path / "cache")
        fetched = connector.fetch(context)
        frames = list(fetched.collect_batches()) if isinstance(fetched, pl.LazyFrame) else list(fetched)
        return connector, frames, context

    def test_declares_name_table_and_config(self) -> None:
        """A name, one of the canonical tables, and a ConnectorConfig subclass."""
        assert isinstance(self.connector.name, str) and self.connector.name
        assert self.connector.table in _TABLES
        assert issubclass(self.connector.config_model, ConnectorConfig)

    def test_is_registered_under_its_name(self) -> None:
        """The installed plugin registers the connector (set ``registered = False`` to skip)."""
        if not self.registered:
            pytest.skip("connector is not registered through an installed plugin in this test")
        from dualuse.connectors import connectors

        assert connectors()[self.connector.name] is self.connector

    def test_settings_validate(self, request: pytest.FixtureRequest) -> None:
        """The valid settings build a connector."""
        connector = self.connector.from_settings(self.get_settings(request))
        assert isinstance(connector.config, self.connector.config_model)

    def test_bad_settings_raise_config_error(self) -> None:
        """Each of ``bad_settings`` raises ConfigError naming the connector."""
        for bad in self.bad_settings:
            with pytest.raises(ConfigError, match=self.connector.name):
                self.connector.from_settings(bad)

    def test_config_model_is_strict(self, request: pytest.FixtureRequest) -> None:
        """An unknown setting is an error, not silently ignored."""
        with pytest.raises(ConfigError, match="no_such_setting"):
            self.connector.from_settings({**self.get_settings(request), "no_such_setting": 1})

    def test_fetch_yields_canonical_frames(self, request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> None:
        """Frames use the canonical column names and types of the connector's table."""
        connector, frames, _ = self._fetch(request, tmp_path)
        table = connector.output_table()
        schema = polars_schema(table)
        rows = 0
        for batch in frames:
            assert isinstance(batch, pl.DataFrame)
            checked = validate(batch, table)
            assert checked.accepted.height + checked.rejected.height == batch.height
            for column, dtype in batch.schema.items():
                if column in schema and dtype != pl.Null:
                    assert (
                        batch[column].cast(schema[column], strict=False).null_count() == batch[column].null_count()
                    ), column
            rows += checked.accepted.height
        assert rows >= self.min_rows

    def test_provenance_columns(self, request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> None:
        """Every row has ``source`` (text) and ``source_row`` (a non-negative integer)."""
        _, frames, _ = self._fetch(request, tmp_path)
        for batch in frames:
            assert {"source", "source_row"} <= set(batch.columns)
            assert batch["source"].null_count() == 0 and batch["source_row"].null_count() == 0
            assert batch["source"].cast(pl.String).str.len_chars().min() or batch.height == 0
            source_row = batch["source_row"].cast(pl.Int64, strict=False)
            assert source_row.null_count() == 0
            assert batch.height == 0 or int(source_row.min()) >= 0  # type: ignore[arg-type]

    def test_secrets_are_typed_secret(self) -> None:
        """Every secret named in ``secrets`` is a SecretStr field of the config model."""
        assert set(self.secrets) <= set(self.connector.config_model.secret_fields())

    def test_secrets_never_leak(
        self,
        request: pytest.FixtureRequest,
        tmp_path: pathlib.Path,
        caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Secrets appear in no repr, dump, log line, output or stored manifest."""
        if not self.secrets:
            pytest.skip("the connector declares no secrets")
        caplog.set_level(logging.DEBUG)
        connector, _, _ = self._fetch(request, tmp_path, self.secrets)
        texts = [
            repr(connector),
            repr(connector.config),
            str(connector.config),
            json.dumps(connector.config.public_dump(), default=str),
            json.dumps(connector.query(), default=str),
            caplog.text,
        ]
        captured = capsys.readouterr()
        texts += [captured.out, captured.err]
        from dualuse.store import _query_key  # the manifest's inputs

        texts.append(_query_key(self.connector.name, connector.query()))
        for secret in self.secrets.values():
            for text in texts:
                assert secret not in text
