"""Streaming readers: CSV records, XML elements, JSON array items and JSON lines, never a whole file.

Every reader takes a path and yields one record at a time, so a list of a gigabyte is read in
constant memory. XML goes through :mod:`defusedxml` with DTDs, entities and external references
forbidden (an XXE or "billion laughs" file is refused, not expanded), and a size bound.

Examples:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sdn.csv"
    >>> _ = path.write_bytes(b'1,"A, B",-0- \\r\\n2,"C",x\\r\\n\\x1a')
    >>> list(iter_csv(path))
    [['1', 'A, B', '-0- '], ['2', 'C', 'x']]
"""

from __future__ import annotations

import codecs
import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from dualuse.errors import InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HeaderRow",
    "iter_csv",
    "iter_csv_records",
    "iter_json_array",
    "iter_json_lines",
    "iter_xml",
    "local_name",
]

DEFAULT_MAX_BYTES = 4 * 1024**3
"""Largest file the readers accept (4 GiB): the official lists are far below it."""

_FIELD_LIMIT = 1 << 30
"""Longest cell the CSV readers accept (the csv module's default, 131,072 characters, is below real alias lists)."""

_EOF_MARKER = "\x1a"  # DOS end-of-file byte that OFAC still appends to its legacy CSV files
_CHUNK = 1 << 16


def _check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"file is {size:,} bytes, above the limit of {max_bytes:,}", file=str(path))


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """Lines of ``path`` as text; a line that is not valid in ``encoding`` is read as cp1252/latin-1."""
    with path.open("rb") as handle:
        first = True
        for raw in handle:
            if first and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            first = False
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError:
                try:
                    yield raw.decode("cp1252")
                except UnicodeDecodeError:
                    yield raw.decode("latin-1")


def iter_csv(
    path: Path, *, delimiter: str = ",", encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[list[str]]:
    """Records of a CSV file, one list of cells each, read line by line.

    Quoted cells may span lines. A UTF-8 byte-order mark, blank lines and the trailing 0x1A
    end-of-file byte are not records.
    """
    _check_size(path, max_bytes)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)  # process-wide: raising it only lets longer cells through
    reader = csv.reader(_decoded_lines(path, encoding), delimiter=delimiter)
    try:
        for cells in reader:
            if cells and cells[-1].endswith(_EOF_MARKER):
                cells[-1] = cells[-1].rstrip(_EOF_MARKER)
                if len(cells) == 1 and not cells[0]:
                    continue
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            yield cells
    except csv.Error as exc:
        raise InputError(f"unreadable CSV: {exc}", file=str(path), row=reader.line_num) from None


class HeaderRow:
    """One data row of a CSV file with a header: its 1-based number, cells by column, and shape."""

    __slots__ = ("cells", "number", "ok")

    def __init__(self, number: int, cells: dict[str, str], ok: bool) -> None:
        self.number, self.cells, self.ok = number, cells, ok

    def get(self, column: str) -> str | None:
        """The stripped cell, ``None`` when empty or absent."""
        value = self.cells.get(column)
        if value is None:
            return None
        value = value.strip()
        return value or None


def iter_csv_records(
    path: Path,
    *,
    required: tuple[str, ...],
    delimiter: str = ",",
    preamble: int = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[HeaderRow]:
    """Data rows of a CSV file with a header row (after ``preamble`` lines such as a report date).

    Raises :class:`InputError` naming the file and the column when a ``required`` column is missing.
    A row whose cell count differs from the header's comes with ``ok=False`` (the caller rejects it).
    Rows are numbered from 1 at the first data row.
    """
    records = iter_csv(path, delimiter=delimiter, max_bytes=max_bytes)
    for _ in range(preamble):
        next(records, None)
    header = [h.strip() for h in next(records, [])]
    for column in required:
        if column not in header:
            raise InputError(f"missing column; the header has {len(header)} columns", file=str(path), column=column)
    for number, row in enumerate(records, start=1):
        names = header + [f"extra_{i}" for i in range(len(row) - len(header))]
        yield HeaderRow(number, dict(zip(names, row, strict=False)), len(row) == len(header))


def local_name(tag: str) -> str:
    """The tag without its ``{namespace}``.

    Examples:
        >>> local_name("{https://example.org/ns}entity")
        'entity'
    """
    return tag.rsplit("}", 1)[-1]


def iter_xml(path: Path, record: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ET.Element]:
    """Each complete ``record`` element of an XML file (matched on its local name), then freed.

    The caller must finish with an element before asking for the next: it is cleared afterwards.
    A DTD, an entity declaration or an external reference raises :class:`InputError`.
    """
    _check_size(path, max_bytes)
    try:
        events = SafeElementTree.iterparse(
            str(path), events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        parents: list[ET.Element] = []
        suffix = "}" + record
        for event, element in events:
            if event == "start":
                parents.append(element)
                continue
            parents.pop()
            tag = element.tag
            if tag == record or tag.endswith(suffix):
                yield element
                element.clear()
                if parents:  # drop the finished record from its parent, so memory stays flat
                    parents[-1].remove(element)
    except DefusedXmlException as exc:
        raise InputError(f"unsafe XML refused ({type(exc).__name__}: {exc})", file=str(path)) from None
    except ET.ParseError as exc:
        raise InputError(f"malformed XML: {exc}", file=str(path)) from None


def iter_json_lines(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[int, Any | None, str]]:
    """``(line number, decoded value or None, raw text)`` per non-blank line of a JSON-lines file."""
    _check_size(path, max_bytes)
    for number, line in enumerate(_decoded_lines(path, "utf-8"), start=1):
        text = line.strip()
        if not text:
            continue
        try:
            yield number, json.loads(text), text
        except json.JSONDecodeError:
            yield number, None, text


class _JsonStream:
    """A text buffer over a file that hands out JSON values one at a time."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("rb")
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.path = path

    def close(self) -> None:
        self._handle.close()

    def _fill(self) -> bool:
        if self.eof:
            return False
        data = self._handle.read(_CHUNK)
        self.buffer = self.buffer[self.pos :] + self._decoder.decode(data, final=not data)
        self.pos = 0
        self.eof = not data
        return True

    def peek(self) -> str:
        """The next non-blank character ("" at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos].isspace():
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise InputError(f"malformed JSON: expected {char!r} near character {self.pos}", file=str(self.path))
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self._json.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise InputError(f"malformed JSON: {exc.msg}", file=str(self.path)) from None
            # A number at the very end of the buffer may continue in the next chunk.
            if end == len(self.buffer) and not self.eof and self._fill():
                continue
            self.pos = end
            return value


def iter_json_array(path: Path, key: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Any]:
    """The items of a JSON array, one at a time: the top-level array, or the array under ``key``.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "csl.json"
        >>> _ = path.write_text('{"total": 2, "results": [{"name": "A"}, {"name": "B"}]}')
        >>> [item["name"] for item in iter_json_array(path, "results")]
        ['A', 'B']
    """
    _check_size(path, max_bytes)
    stream = _JsonStream(path)
    try:
        if stream.peek() == "{":
            stream.expect("{")
            while True:
                if stream.peek() == "}":
                    raise InputError(f"no array under key {key!r}", file=str(path))
                name = stream.value()
                stream.expect(":")
                if name == key and stream.peek() == "[":
                    break
                stream.value()  # skip a value we do not need
                if stream.peek() == ",":
                    stream.expect(",")
        stream.expect("[")
        if stream.peek() == "]":
            return
        while True:
            yield stream.value()
            if stream.peek() == ",":
                stream.expect(",")
                continue
            stream.expect("]")
            return
    finally:
        stream.close()
