"""The Excel (.xlsx) file connector (fastexcel/calamine engine)."""

from __future__ import annotations

import polars as pl

from dualuse.connectors.base import FetchContext
from dualuse.connectors.builtin.files import LINE, FileConfig, FileConnector
from dualuse.errors import InputError

__all__ = ["ExcelConfig", "ExcelConnector"]


class ExcelConfig(FileConfig):
    """Settings of the Excel connector: ``sheet`` names the worksheet (default: the preset's, else the first)."""

    sheet: str | None = None


class ExcelConnector(FileConnector[ExcelConfig]):
    """Read one worksheet of an .xlsx file; ``source_row`` is the spreadsheet row (header = row 1).

    Examples:
        >>> ExcelConnector.name, ExcelConnector.first_row
        ('excel', 2)
    """

    name = "excel"
    description = "One worksheet of an .xlsx file, mapped to a canonical table by a preset or by its column names."
    config_model = ExcelConfig

    def scan(self, context: FetchContext) -> pl.LazyFrame:
        """Read the sheet with every cell as text (codes keep their leading zeros), numbering rows from 2."""
        sheet = self.config.sheet or (self.preset.sheet if self.preset else None)
        try:
            frame = pl.read_excel(
                self.config.path,
                sheet_name=sheet,
                engine="calamine",
                infer_schema_length=0,
                drop_empty_rows=False,
                raise_if_empty=False,
            )
        except Exception as exc:  # fastexcel raises its own exception types
            raise InputError(
                f"cannot read as .xlsx (sheet {sheet or 'first'}): {exc}", file=str(self.config.path)
            ) from None
        numbered = frame.with_row_index(LINE, offset=2)
        # A fully empty spreadsheet row is not a record; numbering above keeps later rows' numbers right.
        cells = list(frame.columns)
        if cells:
            numbered = numbered.filter(pl.any_horizontal(pl.col(cells).is_not_null()))
        return numbered.lazy()
