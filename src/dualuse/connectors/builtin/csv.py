"""The CSV file connector: any delimiter (sniffed), UTF-8 / cp1251 / cp1252 / cp1254 (decided on the whole file), streamed.

The encoding is decided on all of the file's bytes (:func:`~dualuse.connectors.builtin.encoding.decide_encoding`):
valid UTF-8 is UTF-8; UTF-8 with a few bad bytes is refused naming the row of the first; any other
file is read as the single-byte encoding whose reading gives plausible words, or refused naming
the first row in doubt. Pass ``encoding=`` to override. A file that is not UTF-8 is transcoded in
1 MiB chunks into the connector's cache folder. The delimiter is the one that splits most of the
first lines into as many cells as the header (a short row does not fool it). Every record's cells
are counted first (:func:`~dualuse.connectors.builtin.shape.ragged_records`), so a record with
more or fewer cells than the header is rejected on its own, with its row number, and the rest of
the file is read. The path is read as it is named, never as a glob pattern.

The store reads the file with polars' multi-threaded streaming reader; :meth:`CsvConnector.fetch`
parses it in chunks of about ``batch_rows`` records that end on a record boundary
(:func:`record_chunks`). Either way memory stays bounded whatever the file size.
"""

from __future__ import annotations

import codecs
import csv as std_csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from pydantic import field_validator

from dualuse.connectors.base import FetchContext
from dualuse.connectors.builtin.encoding import decide_encoding, detect_encoding
from dualuse.connectors.builtin.files import LINE, FileConfig, FileConnector
from dualuse.connectors.builtin.shape import Shape, ragged_records
from dualuse.errors import InputError
from dualuse.rejects import Check

__all__ = [
    "CsvConfig",
    "CsvConnector",
    "decide_encoding",
    "detect_delimiter",
    "detect_encoding",
    "record_chunks",
    "transcode",
]

_HEAD = 64 * 1024
_CHUNK = 1024 * 1024
_DELIMITERS = ";\t|,"  # ties go to the earlier one: a ";" file often has decimal commas, a "," file rarely has ";"


class CsvConfig(FileConfig):
    """Settings of the CSV connector: ``delimiter`` and ``encoding`` override detection."""

    delimiter: str | None = None
    encoding: str | None = None

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None:
            value = {"\\t": "\t", "tab": "\t"}.get(value, value)
            if len(value) != 1:
                raise ValueError(f"a delimiter is one character, got {value!r}")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r} (try utf-8, utf-8-sig, cp1251)") from None
        return value


def detect_delimiter(sample: str, *, default: str = ",") -> str:
    """The delimiter of a CSV sample: one of ``,;\\t|`` (``default`` when unsure).

    The delimiter that splits the header into more than one cell and the most lines into as many
    cells as the header wins, so one short or long row does not change the answer; quotes are
    respected, so commas inside a header such as ``Вес нетто, кг`` do not mislead it.

    Examples:
        >>> detect_delimiter("G33;Вес нетто, кг\\n8542310000;1 200,50\\n"), detect_delimiter("t,i,j\\n2023,156,398\\n")
        (';', ',')
        >>> detect_delimiter("t;i;j;k\\n2023;156\\n2023;156;398;8542\\n2023;156;398;8541\\n")
        ';'
    """
    lines = sample.splitlines()[:50]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut
    lines = [line for line in lines if line.strip()]
    best, best_score = default, (0, 1)
    for delimiter in _DELIMITERS:
        widths = [len(row) for row in std_csv.reader(lines, delimiter=delimiter)]
        if not widths or widths[0] < 2:
            continue
        score = (sum(width == widths[0] for width in widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _line_of(data: bytes, position: int, before: int) -> int:
    return before + data.count(b"\n", 0, position) + 1


def transcode(path: Path, target: Path, encoding: str) -> None:
    """Rewrite ``path`` as UTF-8 into ``target`` in chunks; InputError naming the line of a bad byte.

    Examples:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "in.csv").write_bytes("a;б\\n1;2\\n".encode("cp1251") + b"\\x98;3\\n")
        >>> transcode(folder / "in.csv", folder / "out.csv", "cp1251")
        Traceback (most recent call last):
        dualuse.errors.InputError: ...in.csv, row 3: byte 0x98 cannot be decoded as cp1251
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines_before = 0
    partial = target.with_name(target.name + ".partial")
    with path.open("rb") as source, partial.open("w", encoding="utf-8", newline="") as out:
        while True:
            chunk = source.read(_CHUNK)
            try:
                out.write(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as exc:
                line = _line_of(exc.object, exc.start, lines_before)
                bad = exc.object[exc.start : exc.start + 1].hex()
                raise InputError(f"byte 0x{bad} cannot be decoded as {encoding}", file=str(path), row=line) from None
            if not chunk:
                break
            lines_before += chunk.count(b"\n")
    partial.replace(target)


def _first_invalid_utf8(path: Path) -> tuple[int, str] | None:
    """(line, byte) of the first byte that is not UTF-8, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines_before = 0
    with path.open("rb") as source:
        while True:
            chunk = source.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return _line_of(exc.object, exc.start, lines_before), exc.object[exc.start : exc.start + 1].hex()
            if not chunk:
                return None
            lines_before += chunk.count(b"\n")


@dataclass(frozen=True)
class _Reading:
    path: Path
    delimiter: str
    bytes_per_line: int
    shape: Shape


def record_chunks(path: Path, chunk_bytes: int) -> Iterator[bytes]:
    """The records after the header line, in chunks of about ``chunk_bytes`` that end on a record boundary.

    A line break ends a record only when the quotes before it are balanced (RFC 4180 doubles a
    quote inside a quoted field, which keeps the count even), so quoted line breaks stay inside.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
        >>> _ = path.write_bytes(b'a,b\\n1,"x\\ny"\\n2,z\\n3,w\\n')
        >>> list(record_chunks(path, 4))
        [b'1,"x\\ny"\\n', b'2,z\\n', b'3,w\\n']
    """
    with path.open("rb") as handle:
        header = handle.readline()
        while header.count(b'"') % 2:  # a header cell with a line break
            more = handle.readline()
            if not more:
                return
            header += more
        carry = b""
        while True:
            block = handle.read(max(chunk_bytes, 1))
            data = carry + block
            if not block:
                if data:
                    yield data
                return
            cut = data.rfind(b"\n")
            while cut != -1 and data.count(b'"', 0, cut + 1) % 2:
                cut = data.rfind(b"\n", 0, cut)
            if cut == -1:
                carry = data
                continue
            yield data[: cut + 1]
            carry = data[cut + 1 :]


class CsvConnector(FileConnector[CsvConfig]):
    """Read a delimited text file through a mapping preset; ``source_row`` is its line (header = 1).

    (When a quoted cell holds a line break, ``source_row`` counts records: record n is row n + 1.)

    Examples:
        >>> CsvConnector.name, CsvConnector.first_row
        ('csv', 2)
    """

    name = "csv"
    description = "A delimited text file (any delimiter; UTF-8, UTF-8 with BOM or cp1251), mapped by a preset."
    config_model = CsvConfig

    def _encoding(self) -> str:
        chosen = self.config.encoding or (self.preset.encoding if self.preset else None)
        return chosen or decide_encoding(self.config.path)

    def scan(self, context: FetchContext) -> pl.LazyFrame:
        """Decide encoding and delimiter, transcode to UTF-8 when needed, count cells, and scan lazily."""
        path = self.config.path
        encoding = self._encoding()
        readable = path
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
        if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
            # polars reads the header lossily but refuses invalid UTF-8 in the records (then read_error()
            # finds the line): so only the first block needs checking here
            try:
                codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
            except UnicodeDecodeError as exc:
                bad = head[exc.start : exc.start + 1].hex()
                line = _line_of(head, exc.start, 0)
                raise InputError(
                    f"byte 0x{bad} cannot be decoded as utf-8; pass encoding=", file=str(path), row=line
                ) from None
        else:
            context.cache_dir.mkdir(parents=True, exist_ok=True)
            stat = path.stat()
            key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{encoding}".encode()).hexdigest()
            readable = context.cache_dir / f"{path.stem}-{key[:16]}.utf8.csv"
            if context.refresh or not readable.exists():
                transcode(path, readable, encoding)
        sample = head.decode(encoding, errors="replace").removeprefix("\ufeff")
        delimiter = (
            self.config.delimiter or (self.preset.delimiter if self.preset else None) or detect_delimiter(sample)
        )
        lines = max(sample.count("\n"), 1)
        shape = ragged_records(readable, delimiter, file=str(path))
        self._reading = _Reading(readable, delimiter, max(len(head) // lines, 1), shape)
        frame = pl.scan_csv(
            readable,
            separator=delimiter,
            infer_schema=False,
            null_values=self._null_values(),
            row_index_name=LINE,
            row_index_offset=2,
            raise_if_empty=False,
            truncate_ragged_lines=True,  # ragged records are rejected by record_checks()
            glob=False,  # the path is a file name, never a pattern
        )
        try:
            frame.collect_schema()  # reads the header line
        except pl.exceptions.PolarsError as exc:
            raise self.read_error(exc) from None
        return frame

    def record_checks(self) -> list[Check]:
        """A record with more or fewer cells than the header is rejected whole, with both counts."""
        shape = self._reading.shape
        if not shape.ragged:
            return []
        cells = {index + self.first_row: count for index, count in shape.ragged.items()}
        line = pl.col(LINE).cast(pl.Int64)
        found = line.replace_strict(cells, default=None, return_dtype=pl.Int64)
        reason = pl.format(
            "{} cells where the header has {}: {}",
            found,
            pl.lit(shape.header_cells),
            pl.when(found > shape.header_cells)
            .then(pl.lit("extra cells are not read, so the row is not trusted"))
            .otherwise(pl.lit("a cell is missing, so the cells may be shifted")),
        )
        return [Check("(record)", line.is_in(list(cells)), found.cast(pl.String), reason)]

    def read_error(self, error: Exception, near_row: int | None = None) -> InputError:
        """An undecodable byte (named by line), else the parser's complaint, as an InputError naming the file."""
        path = self.config.path
        invalid = _first_invalid_utf8(self._reading.path)
        if invalid is not None:
            line, byte = invalid
            return InputError(f"byte 0x{byte} cannot be decoded as utf-8; pass encoding=", file=str(path), row=line)
        where = f" near row {near_row}" if near_row is not None else ""
        return InputError(f"cannot parse as CSV{where}: {str(error).splitlines()[0]}", file=str(path))

    def _null_values(self) -> list[str] | None:
        return (self.preset.null_values or None) if self.preset else None

    def _batches(self, raw: pl.LazyFrame) -> Iterator[pl.DataFrame]:
        """Parse the file chunk by chunk (about ``batch_rows`` records each), so memory stays bounded.

        polars' own streaming reader runs ahead of a slow consumer and can hold the whole file.
        """
        reading = self._reading
        columns = [name for name in raw.collect_schema() if name != LINE]
        first = 2
        try:
            for chunk in record_chunks(reading.path, self.config.batch_rows * reading.bytes_per_line):
                batch = pl.read_csv(
                    io.BytesIO(chunk),  # polars copies from a file object; a bare bytes buffer can be borrowed
                    has_header=False,
                    new_columns=columns,
                    separator=reading.delimiter,
                    infer_schema=False,
                    null_values=self._null_values(),
                    raise_if_empty=False,
                    truncate_ragged_lines=True,  # ragged records are rejected by record_checks()
                ).rechunk()  # one chunk per column: polars 2.1 panics formatting text of filtered multi-chunk rows
                batch = batch.with_row_index(LINE, offset=first)
                first += batch.height
                yield batch
        except pl.exceptions.PolarsError as exc:
            raise self.read_error(exc, first) from None
