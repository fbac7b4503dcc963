"""Evidence sets: the input rows behind one number of the report.

Every figure, table row and finding in a report points to an :class:`EvidenceSet`: a named list of
``(table, source, source_row)`` triples. The appendix page ``evidence.html`` lists each set under an
anchor, compressing runs of consecutive rows (``rows 12–40``); the full list goes to
``tables/evidence.parquet``.

Examples:
    >>> import polars as pl
    >>> rows = pl.DataFrame({"source": ["a.csv"] * 4, "source_row": [3, 1, 2, 7]})
    >>> ev = EvidenceSet.of("ev-x", "CN exports", rows, table="flows")
    >>> ev.count, ev.ranges()
    (4, [('flows', 'a.csv', '1–3, 7', 4)])
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

__all__ = ["EVIDENCE_PAGE", "EVIDENCE_SCHEMA", "EvidenceSet", "anchor", "compress_rows", "evidence_frame"]

EVIDENCE_PAGE = "evidence.html"
"""The appendix page beside ``report.html`` that lists every evidence set under its anchor."""

EVIDENCE_SCHEMA = pl.Schema({"table": pl.String(), "source": pl.String(), "source_row": pl.Int64()})


def anchor(text: str) -> str:
    """A safe HTML id from any text (letters, digits, ``-`` and ``_`` only).

    Examples:
        >>> anchor("hub CN>KZ>RU 8806")
        'hub-CN-KZ-RU-8806'
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def compress_rows(rows: list[int]) -> str:
    """Write sorted row numbers as ranges.

    Examples:
        >>> compress_rows([5, 1, 2, 3, 9, 10])
        '1–3, 5, 9–10'
    """
    runs: list[list[int]] = []
    for value in sorted(set(rows)):
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


@dataclass(frozen=True)
class EvidenceSet:
    """The rows behind one number: ``id`` (an HTML anchor), a ``title`` and the ``rows``."""

    id: str
    title: str
    rows: pl.DataFrame
    """Columns ``table``, ``source``, ``source_row`` (unique, sorted)."""
    detail: pl.DataFrame | None = None
    """The input rows themselves, shown in full when the set is small."""

    def __repr__(self) -> str:
        return f"EvidenceSet({self.id!r}, {self.title!r}, rows={self.count:,})"

    @classmethod
    def of(
        cls,
        id: str,
        title: str,
        frame: pl.DataFrame,
        *,
        table: str,
        detail_columns: list[str] | None = None,
    ) -> EvidenceSet:
        """Build from a frame that has ``source`` and ``source_row`` (and the ``detail_columns`` to show)."""
        rows = (
            frame.select(
                pl.lit(table).alias("table"), pl.col("source").cast(pl.String), pl.col("source_row").cast(pl.Int64)
            )
            .unique()
            .sort("table", "source", "source_row")
        )
        detail = None
        if detail_columns:
            keep = [c for c in detail_columns if c in frame.columns]
            detail = frame.select(*keep, "source", "source_row").sort("source", "source_row")
        return cls(id=anchor(id), title=title, rows=rows, detail=detail)

    @classmethod
    def from_findings_evidence(
        cls, id: str, title: str, evidence: list[dict[str, object]], *, default_table: str = "unknown"
    ) -> EvidenceSet:
        """Build from a finding's ``evidence`` list of ``{table, source, source_row}``.

        Entries without a ``table`` (results that only carry ``{source, source_row}``) get
        ``default_table``.

        Examples:
            >>> ev = EvidenceSet.from_findings_evidence("e", "t", [{"source": "a", "source_row": 2}], default_table="flows")
            >>> ev.ranges()
            [('flows', 'a', '2', 1)]
        """
        filled = [{"table": default_table, **{k: v for k, v in e.items() if v is not None}} for e in evidence]
        rows = pl.DataFrame(filled, schema=EVIDENCE_SCHEMA) if filled else pl.DataFrame(schema=EVIDENCE_SCHEMA)
        return cls(id=anchor(id), title=title, rows=rows.unique().sort("table", "source", "source_row"))

    @property
    def count(self) -> int:
        """How many input rows."""
        return self.rows.height

    def ranges(self) -> list[tuple[str, str, str, int]]:
        """``(table, source, compressed rows, count)`` per table and source."""
        groups = self.rows.group_by("table", "source", maintain_order=True).agg(pl.col("source_row"))
        return [(table, source, compress_rows(list(rows)), len(rows)) for table, source, rows in groups.iter_rows()]


def evidence_frame(sets: list[EvidenceSet]) -> pl.DataFrame:
    """Every evidence set as one long frame (``evidence_id``, ``title``, ``table``, ``source``, ``source_row``).

    Examples:
        >>> rows = pl.DataFrame({"source": ["a"], "source_row": [1]})
        >>> evidence_frame([EvidenceSet.of("e1", "t", rows, table="flows")]).row(0)
        ('e1', 't', 'flows', 'a', 1)
    """
    frames = [s.rows.select(pl.lit(s.id).alias("evidence_id"), pl.lit(s.title).alias("title"), pl.all()) for s in sets]
    if not frames:
        return pl.DataFrame(schema={"evidence_id": pl.String(), "title": pl.String(), **EVIDENCE_SCHEMA})
    return pl.concat(frames)
