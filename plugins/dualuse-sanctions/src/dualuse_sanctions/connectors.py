"""The connectors: one per list, each yielding the canonical ``parties`` table in batches.

Every connector reads a local copy when ``path`` is set (offline, reproducible) and otherwise
downloads the official file from ``base_url`` (configurable, for mirrors and tests) into its
cache folder, with the retries and checks of :mod:`dualuse_sanctions.download`. Rows that cannot
become parties go to the host through ``FetchContext.reject`` with their reasons.

Examples:
    >>> import pathlib, tempfile
    >>> from dualuse.connectors import FetchContext
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "sdn.csv").write_bytes(b'7,"ACME LLP",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \\r\\n')
    >>> connector = OfacSdnConnector.from_settings({"path": str(folder)})
    >>> sum(frame.height for frame in connector.fetch(FetchContext(folder / "cache")))
    1
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

import polars as pl
from pydantic import Field, SecretStr, field_validator

from dualuse.connectors import Connector, ConnectorConfig, FetchContext
from dualuse.errors import ConfigError
from dualuse_sanctions.csl import parse_csl_csv, parse_csl_json
from dualuse_sanctions.download import Downloader, RetryPolicy
from dualuse_sanctions.eu import parse_eu_csv, parse_eu_xml
from dualuse_sanctions.ofac_csv import parse_ofac_csv
from dualuse_sanctions.ofac_xml import parse_ofac_xml
from dualuse_sanctions.opensanctions import parse_ftm_json, parse_targets_simple
from dualuse_sanctions.reading import DEFAULT_MAX_BYTES
from dualuse_sanctions.records import Event, FileTally, Tallies, batches
from dualuse_sanctions.sniff import head_text, header_cells, looks_like_ofac_csv, xml_root_has
from dualuse_sanctions.uk import parse_uk_csv

__all__ = [
    "CONNECTORS",
    "CslConnector",
    "CslSettings",
    "EuFsfConnector",
    "EuFsfSettings",
    "ListConnector",
    "ListSettings",
    "OfacSdnConnector",
    "OfacSdnSettings",
    "OfacSdnXmlConnector",
    "OfacSdnXmlSettings",
    "OpenSanctionsConnector",
    "OpenSanctionsSettings",
    "UkSanctionsConnector",
    "UkSanctionsSettings",
]

OFAC_BASE_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
CSL_BASE_URL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/"
EU_BASE_URL = "https://webgate.ec.europa.eu/fsd/fsf/public/files/"
EU_PUBLIC_TOKEN = "dG9rZW4tMjAxNw"  # the token the EU publishes for anonymous downloads of the FSF files
UK_BASE_URL = "https://sanctionslist.fcdo.gov.uk/docs/"
OPENSANCTIONS_BASE_URL = "https://data.opensanctions.org/datasets/latest/"


class ListSettings(ConnectorConfig):
    """Settings every list connector shares."""

    path: Path | None = Field(
        default=None, description="A local copy to read instead of downloading (a file; for ofac-sdn a folder)."
    )
    base_url: str = Field(default="", description="Where the official files are; empty means the official URL.")
    timeout: float = Field(default=60.0, gt=0, description="Seconds to wait for the server at each step.")
    attempts: int = Field(default=5, ge=1, le=20, description="Tries per file, the first included.")
    backoff: float = Field(default=1.0, ge=0, description="First wait between tries in seconds; doubles each try.")
    max_wait: float = Field(default=120.0, ge=0, description="Longest single wait, including a server's Retry-After.")
    max_total_wait: float = Field(default=300.0, ge=0, description="All the waits of one file together, in seconds.")
    deadline: float = Field(default=3600.0, gt=0, description="Seconds one file may take in all, retries included.")
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0, description="Largest file accepted, once decoded.")
    batch_size: int = Field(default=50_000, ge=1, description="Parties per yielded frame.")

    @field_validator("path")
    @classmethod
    def _path_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.exists():
            raise ValueError(f"no such file or folder: {value}")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, not {value!r}")
        return value


class ListConnector(Connector[ListSettings], abc.ABC):
    """A list connector: find or download its files, parse them to events, yield batches.

    After a fetch, :attr:`tallies` says how every input row was accounted for.
    """

    table: ClassVar[Literal["parties"]] = "parties"
    default_base_url: ClassVar[str] = ""
    sleep: Callable[[float], None] | None = None  # tests inject a no-op; None means time.sleep
    tallies: tuple[FileTally, ...] = ()

    @abc.abstractmethod
    def remote_files(self) -> dict[str, str]:
        """Local file name -> path (with query) under the base URL, for a download."""

    @abc.abstractmethod
    def events(self, files: dict[str, Path]) -> Iterator[Event]:
        """Parse the files (by local name) into one event per input row."""

    def local_files(self, path: Path) -> dict[str, Path]:
        """The files to read when ``path`` is set (a single file by default)."""
        if path.is_dir():
            raise ConfigError(f"connector {self.name!r}: path must be a file, not the folder {path}")
        return {next(iter(self.remote_files())): path}

    def _url(self, remote: str) -> str:
        base = self.config.base_url or self.default_base_url
        return base.rstrip("/") + "/" + remote.lstrip("/")

    def files(self, context: FetchContext) -> dict[str, Path]:
        """Local paths of the input files: the configured copy, or fresh downloads into the cache."""
        if self.config.path is not None:
            return self.local_files(self.config.path)
        downloader = Downloader(
            timeout=self.config.timeout,
            retry=RetryPolicy(
                self.config.attempts, self.config.backoff, self.config.max_wait, self.config.max_total_wait
            ),
            max_bytes=self.config.max_bytes,
            deadline=self.config.deadline,
            progress=context.progress,
            sleep=self.sleep or time.sleep,
        )
        out = {}
        for local, remote in self.remote_files().items():
            out[local] = downloader.fetch(self._url(remote), context.cache_dir / local, refresh=context.refresh).path
        return out

    def fetch(self, context: FetchContext) -> Iterator[pl.DataFrame]:
        """Yield ``parties`` frames of at most ``batch_size`` rows; hand rejects to ``context.reject``."""
        tallies = Tallies()
        for batch in batches(self.events(self.files(context)), self.config.batch_size, tallies):
            if batch.rejected.height:
                context.reject(batch.rejected)
            if batch.parties.height:
                context.progress(batch.parties.height, None, f"{self.name}: parties")
                yield batch.parties
        self.tallies = tallies.result()


class OfacSdnSettings(ListSettings):
    """Settings of ``ofac-sdn``: ``path`` is a folder holding ``sdn.csv`` (and ``add.csv``, ``alt.csv``), or the SDN file."""


class OfacSdnConnector(ListConnector):
    """OFAC's SDN list in its legacy CSV files (sdn.csv + add.csv + alt.csv)."""

    name = "ofac-sdn"
    config_model = OfacSdnSettings
    description = "OFAC SDN list, legacy CSV files sdn.csv, add.csv, alt.csv (identifiers parsed from Remarks)"
    default_base_url = OFAC_BASE_URL

    def remote_files(self) -> dict[str, str]:
        return {"sdn.csv": "SDN.CSV", "add.csv": "ADD.CSV", "alt.csv": "ALT.CSV"}

    @classmethod
    def recognises(cls, path: Path) -> dict[str, Any] | None:
        """A folder holding ``sdn.csv``, or an SDN file itself (by its rows: no header, ``-0-`` for empty)."""
        if path.is_dir():
            return {"path": path} if any(p.name.casefold() == "sdn.csv" for p in path.iterdir()) else None
        return {"path": path} if looks_like_ofac_csv(path) else None

    def local_files(self, path: Path) -> dict[str, Path]:
        if path.is_file():  # the SDN file itself: its companions, if any, lie beside it
            beside = {p.name.casefold(): p for p in path.parent.iterdir()}
            return {"sdn.csv": path, **{n: beside[n] for n in ("add.csv", "alt.csv") if n in beside}}
        found = {p.name.casefold(): p for p in path.iterdir()}
        if "sdn.csv" not in found:
            raise ConfigError(f"connector 'ofac-sdn': no sdn.csv in {path}")
        return {name: found[name] for name in ("sdn.csv", "add.csv", "alt.csv") if name in found}

    def events(self, files: dict[str, Path]) -> Iterator[Event]:
        return parse_ofac_csv(
            files["sdn.csv"],
            files.get("add.csv"),
            files.get("alt.csv"),
            prefix=self.name,
            max_bytes=self.config.max_bytes,
        )


class OfacSdnXmlSettings(ListSettings):
    """Settings of ``ofac-sdn-xml``: ``path`` is an ``SDN_ENHANCED.XML`` file."""


class OfacSdnXmlConnector(ListConnector):
    """OFAC's SDN list in the SDN_ENHANCED XML file (structured identifiers, listing dates)."""

    name = "ofac-sdn-xml"
    config_model = OfacSdnXmlSettings
    description = "OFAC SDN list, SDN_ENHANCED.XML (streamed, parsed safely)"
    default_base_url = OFAC_BASE_URL

    def remote_files(self) -> dict[str, str]:
        return {"SDN_ENHANCED.XML": "SDN_ENHANCED.XML"}

    @classmethod
    def recognises(cls, path: Path) -> dict[str, Any] | None:
        """An SDN_ENHANCED XML file (OFAC's ``sanctionsData`` root)."""
        return {"path": path} if path.is_file() and xml_root_has(path, "sanctionsData") else None

    def events(self, files: dict[str, Path]) -> Iterator[Event]:
        return parse_ofac_xml(next(iter(files.values())), prefix=self.name, max_bytes=self.config.max_bytes)


class CslSettings(ListSettings):
    """Settings of ``us-csl``: the file ``format`` (``csv`` or ``json``)."""

    format: Literal["csv", "json"] = "csv"


class CslConnector(ListConnector):
    """The US Consolidated Screening List (OFAC, BIS Entity List, Denied Persons, State lists, ...)."""

    name = "us-csl"
    config_model = CslSettings
    description = "US Consolidated Screening List (trade.gov), with the BIS Entity List"
    default_base_url = CSL_BASE_URL
    config: CslSettings

    def remote_files(self) -> dict[str, str]:
        name = f"consolidated.{self.config.format}"
        return {name: name}

    @classmethod
    def recognises(cls, path: Path) -> dict[str, Any] | None:
        """The CSL as CSV (``source`` and ``entity_number`` in the header)."""
        cells = header_cells(path) if path.is_file() else []
        return {"path": path, "format": "csv"} if {"source", "entity_number", "name"} <= set(cells) else None

    def events(self, files: dict[str, Path]) -> Iterator[Event]:
        parse = parse_csl_json if self.config.format == "json" else parse_csl_csv
        return parse(next(iter(files.values())), prefix=self.name, max_bytes=self.config.max_bytes)


class EuFsfSettings(ListSettings):
    """Settings of ``eu-fsf``: the file ``format`` (``csv`` v1.1 or ``xml``) and the download ``token``."""

    format: Literal["csv", "xml"] = "csv"
    token: SecretStr = Field(
        default=SecretStr(EU_PUBLIC_TOKEN), description="The FSF download token (the EU's public one by default)."
    )


class EuFsfConnector(ListConnector):
    """The EU consolidated financial sanctions list (FSF), CSV v1.1 or XML."""

    name = "eu-fsf"
    config_model = EuFsfSettings
    description = "EU Financial Sanctions Files (consolidated list), CSV v1.1 or XML"
    default_base_url = EU_BASE_URL
    config: EuFsfSettings

    def remote_files(self) -> dict[str, str]:
        token = self.config.token.get_secret_value()
        if self.config.format == "xml":
            return {"eu-fsf.xml": f"xmlFullSanctionsList_1_1/content?token={token}"}
        return {"eu-fsf.csv": f"csvFullSanctionsList_1_1/content?token={token}"}

    @classmethod
    def recognises(cls, path: Path) -> dict[str, Any] | None:
        """The FSF CSV (``Entity_LogicalId`` in a semicolon header) or XML (``sanctionEntity``)."""
        if not path.is_file():
            return None
        if "Entity_LogicalId" in header_cells(path, delimiter=";"):
            return {"path": path, "format": "csv"}
        return {"path": path, "format": "xml"} if xml_root_has(path, "sanctionEntity") else None

    def events(self, files: dict[str, Path]) -> Iterator[Event]:
        parse = parse_eu_xml if self.config.format == "xml" else parse_eu_csv
        return parse(next(iter(files.values())), prefix=self.name, max_bytes=self.config.max_bytes)


class UkSanctionsSettings(ListSettings):
    """Settings of ``uk-sanctions``: ``path`` is a ``UK-Sanctions-List.csv`` file."""


class UkSanctionsConnector(ListConnector):
    """The UK Sanctions List (FCDO), CSV."""

    name = "uk-sanctions"
    config_model = UkSanctionsSettings
    description = "UK Sanctions List (FCDO), CSV"
    default_base_url = UK_BASE_URL

    def remote_files(self) -> dict[str, str]:
        return {"UK-Sanctions-List.csv": "UK-Sanctions-List.csv"}

    @classmethod
    def recognises(cls, path: Path) -> dict[str, Any] | None:
        """The FCDO CSV: a report-date line, then a header with ``Unique ID``."""
        cells = header_cells(path, skip=1) if path.is_file() else []
        return {"path": path} if {"Unique ID", "Name 6"} <= set(cells) else None

    def events(self, files: dict[str, Path]) -> Iterator[Event]:
        return parse_uk_csv(next(iter(files.values())), prefix=self.name, max_bytes=self.config.max_bytes)


class OpenSanctionsSettings(ListSettings):
    """Settings of ``opensanctions``: the ``dataset`` and ``format`` (``simple`` CSV or ``ftm`` JSON lines)."""

    dataset: str = Field(default="default", pattern=r"^[a-z0-9_]+$")
    format: Literal["simple", "ftm"] = "simple"


class OpenSanctionsConnector(ListConnector):
    """OpenSanctions exports: ``targets.simple.csv`` or FollowTheMoney ``entities.ftm.json``."""

    name = "opensanctions"
    config_model = OpenSanctionsSettings
    description = "OpenSanctions targets.simple.csv or FollowTheMoney entities (JSON lines)"
    default_base_url = OPENSANCTIONS_BASE_URL
    config: OpenSanctionsSettings

    def remote_files(self) -> dict[str, str]:
        name = "targets.simple.csv" if self.config.format == "simple" else "entities.ftm.json"
        return {name: f"{self.config.dataset}/{name}"}

    @classmethod
    def recognises(cls, path: Path) -> dict[str, Any] | None:
        """``targets.simple.csv`` (``id,schema,name`` header) or FollowTheMoney JSON lines."""
        if not path.is_file():
            return None
        if {"id", "schema", "name", "datasets"} & set(header_cells(path)) >= {"id", "schema", "name"}:
            return {"path": path, "format": "simple"}
        first = head_text(path).lstrip()
        if first.startswith("{") and '"schema"' in first and '"properties"' in first:
            return {"path": path, "format": "ftm"}
        return None

    def events(self, files: dict[str, Path]) -> Iterator[Event]:
        parse = parse_targets_simple if self.config.format == "simple" else parse_ftm_json
        return parse(next(iter(files.values())), prefix=self.name, max_bytes=self.config.max_bytes)


CONNECTORS: tuple[type[ListConnector], ...] = (
    OfacSdnConnector,
    OfacSdnXmlConnector,
    CslConnector,
    EuFsfConnector,
    UkSanctionsConnector,
    OpenSanctionsConnector,
)
"""Every connector this plugin registers."""
