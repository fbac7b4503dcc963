"""The connector contract: a config model, a fetch context, and the :class:`Connector` base class.

A connector adapts one data source to one canonical table (``shipments``, ``flows`` or
``parties``). It has a ``name``, a pydantic ``config_model`` (validated, with helpful errors), and a
:meth:`Connector.fetch` that yields polars frames with canonical column names and the provenance
columns ``source`` and ``source_row`` filled. The host (:mod:`dualuse.store`) validates and stores
what it yields.

Secrets are typed :class:`pydantic.SecretStr`: they print as ``**********`` and
:meth:`ConnectorConfig.public_dump` leaves them out, so they never reach logs, reprs or manifests.
A secret field left out of the settings is read from the environment variable
``DUALUSE_<CONNECTOR>_<FIELD>`` (upper case, ``-`` as ``_``), e.g. ``DUALUSE_COMTRADE_API_KEY``.
"""

from __future__ import annotations

import abc
import os
import pathlib
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar, Union, get_args, get_origin

import polars as pl
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from dualuse.errors import ConfigError
from dualuse.plugins.host import PLUGIN_API_VERSION

__all__ = [
    "PLUGIN_API_VERSION",
    "Connector",
    "ConnectorConfig",
    "FetchContext",
    "TableName",
    "secret_env_var",
]


TableName = Literal["shipments", "flows", "parties"]


def _is_secret(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_secret(a) for a in get_args(annotation))
    return False


class ConnectorConfig(BaseModel):
    """Base class of every connector's settings: unknown keys are errors, values are frozen.

    Examples:
        >>> from pydantic import SecretStr
        >>> class Settings(ConnectorConfig):
        ...     year: int
        ...     api_key: SecretStr | None = None
        >>> settings = Settings(year=2023, api_key=SecretStr("s3cret"))
        >>> settings.public_dump()
        {'year': 2023}
        >>> "s3cret" in repr(settings)
        False
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        """Names of the fields typed :class:`pydantic.SecretStr` (optional or not)."""
        return tuple(name for name, field in cls.model_fields.items() if _is_secret(field.annotation))

    def public_dump(self) -> dict[str, Any]:
        """The settings as JSON-ready values, without any secret field (safe for manifests and logs)."""
        return self.model_dump(mode="json", exclude=set(self.secret_fields()))


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)


def secret_env_var(connector_name: str, field: str) -> str:
    """The environment variable that supplies a secret field left out of the settings.

    Examples:
        >>> secret_env_var("ofac-sdn", "api_key")
        'DUALUSE_OFAC_SDN_API_KEY'
    """
    return f"DUALUSE_{connector_name}_{field}".upper().replace("-", "_").replace(".", "_")


class FetchContext:
    """What the host gives :meth:`Connector.fetch`: a cache folder, the refresh flag, and two callbacks.

    ``progress(advance, total, description)`` moves the host's progress bar; ``reject(frame)``
    hands over rows the connector could not parse, in the :mod:`dualuse.rejects` layout (they are
    stored beside the table and counted in its manifest).

    Examples:
        >>> import pathlib, polars as pl
        >>> from dualuse.rejects import empty_rejects
        >>> context = FetchContext(pathlib.Path("."))
        >>> context.reject(empty_rejects(["a"]))
        >>> context.progress(10, total=100, description="reading")
        >>> len(context.rejected), context.refresh
        (1, False)
    """

    def __init__(
        self,
        cache_dir: pathlib.Path,
        *,
        refresh: bool = False,
        on_progress: Callable[[int, int | None, str], None] | None = None,
        on_reject: Callable[[pl.DataFrame], None] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.refresh = refresh
        self.rejected: list[pl.DataFrame] = []
        self._on_progress = on_progress
        self._on_reject = on_reject

    def progress(self, advance: int, total: int | None = None, description: str = "") -> None:
        """Report ``advance`` more units done (of ``total`` when known)."""
        if self._on_progress is not None:
            self._on_progress(advance, total, description)

    def reject(self, rejected: pl.DataFrame) -> None:
        """Quarantine parse-level rejects (the :mod:`dualuse.rejects` layout)."""
        if self._on_reject is not None:
            self._on_reject(rejected)
        else:
            self.rejected.append(rejected)


def _describe_errors(name: str, error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in item["loc"]) or "(settings)"
        parts.append(f"{field}: {item['msg']}")
    return f"connector {name!r}: invalid settings: " + "; ".join(parts)


class Connector(abc.ABC, Generic[ConfigT]):
    """Adapts one data source to one canonical table.

    Subclasses set the class attributes and implement :meth:`fetch`.

    Examples:
        >>> import polars as pl
        >>> class HelloConfig(ConnectorConfig):
        ...     who: str
        >>> class Hello(Connector[HelloConfig]):
        ...     name = "hello"
        ...     table = "parties"
        ...     config_model = HelloConfig
        ...     def fetch(self, context):
        ...         yield pl.DataFrame({"party_id": ["p1"], "name": [self.config.who],
        ...                             "source": ["hello"], "source_row": [1]})
        >>> Hello.from_settings({"who": "ТОО Ромашка"}).config.who
        'ТОО Ромашка'
        >>> Hello.from_settings({"who": 1, "extra": 2})
        Traceback (most recent call last):
        dualuse.errors.ConfigError: connector 'hello': invalid settings: who: Input should be a valid string; extra: Extra inputs are not permitted
    """

    name: ClassVar[str]
    table: ClassVar[TableName]
    config_model: ClassVar[type[ConnectorConfig]]
    description: ClassVar[str] = ""

    def __init__(self, config: ConfigT) -> None:
        self.config = config

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Self:
        """Validate ``settings`` (secrets may come from the environment); raise :class:`ConfigError`.

        The error names each bad field and what was expected.
        """
        values = dict(settings)
        for field in cls.config_model.secret_fields():
            variable = secret_env_var(cls.name, field)
            if field not in values and os.environ.get(variable):
                values[field] = os.environ[variable]
        try:
            config = cls.config_model.model_validate(values)
        except ValidationError as exc:
            raise ConfigError(_describe_errors(cls.name, exc)) from None
        return cls(config)  # type: ignore[arg-type]

    def output_table(self) -> TableName:
        """The canonical table this configured connector yields (file connectors: the preset's)."""
        return self.table

    @classmethod
    def recognises(cls, path: pathlib.Path) -> dict[str, Any] | None:
        """The settings that read the local file ``path`` with this connector, or None when it is not one of its files.

        Commands that take a file in hand (``dualuse screen --watchlist sdn.csv``) ask every connector,
        so that a list in its published layout is read by the connector made for it. Look at the
        file's name and first bytes only; the default recognises nothing.
        """
        return None

    def query(self) -> dict[str, Any]:
        """What identifies this fetch for the store's reuse: the settings without secrets by default."""
        return self.config.public_dump()

    @abc.abstractmethod
    def fetch(self, context: FetchContext) -> Iterable[pl.DataFrame] | pl.LazyFrame:
        """Yield frames (batches) or return one LazyFrame, with canonical names of :attr:`table`.

        ``source`` and ``source_row`` must be filled; the host validates every row.
        """
