"""The one family of errors dualuse raises.

Every error names the bad value and what was expected, so that a CLI can print it as one line.
Catch :class:`DualuseError` to handle them all.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConnectorError",
    "CountryError",
    "DualuseError",
    "DualuseWarning",
    "HSCodeError",
    "InputError",
    "ListError",
    "OutputError",
    "PluginError",
    "SchemaError",
]


class DualuseError(Exception):
    """Base class of every error dualuse raises on bad input or configuration."""


class DualuseWarning(UserWarning):
    """Something an analyst should know about a result that is not an error (a hub with no rows)."""


class HSCodeError(DualuseError, ValueError):
    """An HS code that cannot be parsed or is not in the nomenclature."""


class CountryError(DualuseError, ValueError):
    """A country name or code that cannot be resolved to ISO 3166-1 alpha-2."""


class SchemaError(DualuseError, ValueError):
    """A frame that does not fit a canonical table (missing column, wrong type)."""


class ListError(DualuseError, ValueError):
    """A dual-use list that is unknown or malformed."""


class ConfigError(DualuseError, ValueError):
    """A connector or command configuration that does not validate."""


class PluginError(DualuseError):
    """A plugin that cannot be loaded or registers something invalid."""


class ConnectorError(DualuseError):
    """A connector that failed to fetch (network, budget, malformed response)."""


class OutputError(DualuseError):
    """An output that cannot be written safely (a planted symbolic link): names the path.

    Examples:
        >>> str(OutputError("is a symbolic link", file="out/tables"))
        'out/tables: is a symbolic link'
    """

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)


class InputError(DualuseError, ValueError):
    """A bad input file: names the file and, where known, the row and column.

    Examples:
        >>> str(InputError("bad date", file="x.csv", row=3, column="date"))
        'x.csv, row 3, column date: bad date'
    """

    def __init__(
        self, message: str, *, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.row, self.column, self.reason = file, row, column, message
        where = [
            part
            for part in (
                file,
                f"row {row}" if row is not None else None,
                f"column {column}" if column is not None else None,
            )
            if part
        ]
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
