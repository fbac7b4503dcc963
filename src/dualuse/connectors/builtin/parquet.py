"""The Parquet file connector (streams with a lazy scan)."""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from dualuse.connectors.base import FetchContext
from dualuse.connectors.builtin.files import LINE, FileConfig, FileConnector
from dualuse.errors import InputError

__all__ = ["ParquetConnector"]


class ParquetConnector(FileConnector[FileConfig]):
    """Read a Parquet file through a mapping preset; ``source_row`` is the 1-based row number.

    Examples:
        >>> ParquetConnector.name, ParquetConnector.first_row
        ('parquet', 1)
    """

    name = "parquet"
    description = "A Parquet file, mapped to a canonical table by a preset or by its column names."
    config_model = FileConfig
    first_row: ClassVar[int] = 1

    def scan(self, context: FetchContext) -> pl.LazyFrame:
        """Scan the file lazily, numbering rows from 1."""
        try:
            frame = pl.scan_parquet(self.config.path, row_index_name=LINE, row_index_offset=1, glob=False)
            frame.collect_schema()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(f"not a readable Parquet file: {exc}", file=str(self.config.path)) from None
        return frame
