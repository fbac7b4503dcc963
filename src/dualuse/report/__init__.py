"""Reports people can defend: headline figures, charts, tables and findings, every number with its rows.

:func:`build_report` turns frames and findings into a :class:`Report`; :func:`write_report` writes
a self-contained ``report.html`` (inline CSS and SVG charts, no script, nothing from the network),
``findings.json`` and ``tables/*.parquet`` with spreadsheet-safe ``tables/*.csv``.

Examples:
    >>> import datetime as dt, tempfile, pathlib, polars as pl
    >>> from dualuse.report import build_report, write_report, ReportOptions
    >>> flows = pl.DataFrame({"period": [dt.date(2023, 3, 1)], "freq": ["M"], "reporter": ["CN"], "partner": ["KZ"],
    ...     "flow": ["export"], "hs_code": ["854231"], "value_usd": [1e6], "source": ["demo"], "source_row": [1]})
    >>> files = write_report(build_report(flows, options=ReportOptions(hubs=("KZ",))), pathlib.Path(tempfile.mkdtemp()))
    >>> files.html.name, files.findings.name
    ('report.html', 'findings.json')
"""

from __future__ import annotations

from dualuse.report.build import Chart, Report, ReportFiles, Section, build_report, write_report
from dualuse.report.csvsafe import defuse_cell, defuse_frame, safe_csv, write_safe_csv
from dualuse.report.evidence import EvidenceSet
from dualuse.report.figures import Figure, ReportOptions, format_number, format_usd, headline_figures

__all__ = [
    "Chart",
    "EvidenceSet",
    "Figure",
    "Report",
    "ReportFiles",
    "ReportOptions",
    "Section",
    "build_report",
    "defuse_cell",
    "defuse_frame",
    "format_number",
    "format_usd",
    "headline_figures",
    "safe_csv",
    "write_report",
    "write_safe_csv",
]
