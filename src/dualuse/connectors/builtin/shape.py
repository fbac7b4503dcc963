"""The shape of a delimited file: how many cells each record has, so ragged records are rejected one by one.

A CSV parser fills a short record with empty cells and, told to tolerate long ones, drops the
extra cells; either way a misaligned record would pass as data. :func:`ragged_records` counts the
cells of every record first, so the reader can reject exactly the records whose count differs
from the header's, with their row numbers, and read the rest.

The count runs over the bytes with numpy (delimiters and line breaks outside quotes), which is
exact for RFC 4180 files: a quote opens a field only at its start and closes it before a
delimiter or a line break (``""`` inside is a quote). A file that breaks that rule somewhere (a
stray ``12"`` inside an unquoted cell) is counted again with Python's :mod:`csv` reader, which
reads such quotes as text, as polars does.

Examples:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b'a,b,c\\n1,"x,y",3\\n4,5\\n6,7,8,9\\n\\n10,11,12\\n')
    >>> shape = ragged_records(path, ",")
    >>> shape.header_cells, shape.records, shape.ragged
    (3, 5, {1: 2, 2: 4})
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dualuse.errors import InputError

__all__ = ["Shape", "line_blocks", "ragged_records"]

_CHUNK = 1 << 20
_NL, _CR, _QUOTE = 10, 13, 34


@dataclass(frozen=True)
class Shape:
    """Cells in the header, data records (blank lines included), and ``{record index: cells}`` of ragged ones.

    A record index counts data records from 0 (the record after the header); blank lines are
    never ragged (the reader handles them as empty rows).
    """

    header_cells: int
    records: int
    ragged: dict[int, int] = field(default_factory=dict)


def line_blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks of about 1 MiB that end on a line break (the last one may not).

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
        >>> _ = path.write_bytes(b"a\\nb")
        >>> list(line_blocks(path))
        [b'a\\n', b'b']
    """
    carry = b""
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


class _NotRfc4180Error(Exception):
    """A quote where RFC 4180 allows none: count with the csv module instead."""


def _count_fast(path: Path, delimiter: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Cells and blankness of every record, by vectorised byte counts; _NotRfc4180Error on a stray quote."""
    cells: list[np.ndarray] = []
    blank: list[np.ndarray] = []
    inside = 0  # quote parity carried from the previous block
    carried_delims = 0  # delimiters of a record that continues into the next block
    carried_length = 0
    previous = _NL  # the byte before the block (a line break at the start of the file)
    for block in line_blocks(path):
        data = np.frombuffer(block, dtype=np.uint8)
        quotes = data == _QUOTE
        if quotes.any():
            parity = (
                np.cumsum(quotes, dtype=np.uint8) + np.uint8(inside)
            ) & 1  # wraps at 256: parity survives  # 1 = inside quotes, after each byte
            at = np.flatnonzero(quotes)
            before = parity[at] ^ 1
            padded = np.concatenate(([previous], data, [_NL]))
            prev_byte, next_byte = padded[at], padded[at + 2]
            opens_ok = (prev_byte == delimiter) | (prev_byte == _NL) | (prev_byte == _QUOTE)
            closes_ok = (next_byte == delimiter) | (next_byte == _NL) | (next_byte == _CR) | (next_byte == _QUOTE)
            if not np.all(np.where(before == 0, opens_ok, closes_ok)):
                raise _NotRfc4180Error
            outside = parity == 0
            inside = int(parity[-1])
            ends = np.flatnonzero((data == _NL) & outside)
            delims = np.flatnonzero((data == delimiter) & outside)
        else:
            ends = np.flatnonzero(data == _NL) if not inside else np.empty(0, dtype=np.int64)
            delims = np.flatnonzero(data == delimiter) if not inside else np.empty(0, dtype=np.int64)
        per_record = np.bincount(np.searchsorted(ends, delims), minlength=len(ends) + 1)
        per_record[0] += carried_delims
        starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else np.empty(0, dtype=np.int64)
        lengths = ends - starts
        if len(ends):
            lengths[0] += carried_length
            body_is_cr = np.zeros(len(ends), dtype=bool)
            has_cr = lengths == 1
            if has_cr.any():
                body_is_cr[has_cr] = data[ends[has_cr] - 1] == _CR
            cells.append(per_record[: len(ends)] + 1)
            blank.append((lengths == 0) | body_is_cr)
            carried_delims = int(per_record[len(ends)])
            carried_length = len(data) - int(ends[-1]) - 1
        else:
            carried_delims = int(per_record[0])
            carried_length += len(data)
        previous = int(data[-1])
    if carried_length or carried_delims:  # a last record without a line break
        cells.append(np.array([carried_delims + 1]))
        blank.append(np.array([False]))
    return cells, blank


def _count_csv(path: Path, delimiter: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Cells and blankness of every record, by Python's csv reader (quotes inside cells are text)."""
    counts: list[int] = []
    blanks: list[bool] = []
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle, delimiter=delimiter):
            counts.append(len(row))
            blanks.append(not row)
    return [np.array(counts, dtype=np.int64)], [np.array(blanks, dtype=bool)]


def ragged_records(path: Path, delimiter: str, *, file: str | None = None) -> Shape:
    """Count the cells of every record of a UTF-8 file; the header is the first record.

    When most records disagree with the header, the file is not ragged but misread (a wrong
    delimiter, a preamble above the header): :class:`~dualuse.errors.InputError` naming ``file``.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "inches.csv"
        >>> _ = path.write_bytes(b'item;size\\npipe 12" steel;3\\nvalve;4;5\\n')
        >>> ragged_records(path, ";").ragged
        {1: 3}
    """
    try:
        cells, blank = (
            _count_fast(path, ord(delimiter)) if len(delimiter.encode()) == 1 else _count_csv(path, delimiter)
        )
    except _NotRfc4180Error:
        cells, blank = _count_csv(path, delimiter)
    every = np.concatenate(cells) if cells else np.empty(0, dtype=np.int64)
    empty = np.concatenate(blank) if blank else np.empty(0, dtype=bool)
    if not len(every):
        return Shape(0, 0)
    header = int(every[0])
    data, data_blank = every[1:], empty[1:]
    bad = np.flatnonzero((data != header) & ~data_blank)
    if len(bad) > 10 and len(bad) * 2 > len(data):
        common = int(np.bincount(data[bad]).argmax())
        raise InputError(
            f"{len(bad):,} of {len(data):,} records have a different number of cells than the header "
            f"({header}), most of them {common}: is the delimiter {delimiter!r} right? (pass delimiter=)",
            file=file if file is not None else str(path),
            row=int(bad[0]) + 2,
        )
    return Shape(header, len(data), {int(i): int(data[i]) for i in bad})
