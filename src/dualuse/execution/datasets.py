"""Partitioned Parquet datasets: a folder of Parquet files (hive-style ``key=value`` folders or not),
a glob, or an object storage URL (``s3://bucket/shipments/``): any path polars reads.

A dataset is read as one table: its files in sorted path order, each file's rows in order, with
the hive keys as columns (as ``pl.scan_parquet(path, hive_partitioning=True)`` reads it). A
partitioned run reads it in :class:`Chunk` s of whole files, each knowing the position of its first
row in that table, so that row numbers (``source_row``) are those of the whole.

Examples:
    >>> import pathlib, tempfile, polars as pl
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for hs in ("8542", "8806"):
    ...     (folder / f"heading={hs}").mkdir()
    ...     pl.DataFrame({"value_usd": [1.0, 2.0]}).write_parquet(folder / f"heading={hs}" / "part-0.parquet")
    >>> data = Dataset(str(folder))
    >>> data.rows(), [chunk.offset for chunk in data.chunks(rows=2)]
    (4, [0, 2])
    >>> data.chunks(rows=2)[1].scan().collect().rows()
    [(1.0, 8806), (2.0, 8806)]
    >>> is_dataset(str(folder)), is_dataset(str(folder / "heading=8542" / "part-0.parquet"))
    (True, False)
"""

from __future__ import annotations

import functools
import glob
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dualuse.errors import InputError

__all__ = ["Chunk", "Dataset", "as_dataset", "is_dataset"]

_PARQUET = (".parquet", ".pq", ".parq")


def _is_url(text: str) -> bool:
    return "://" in text and not text.startswith("file://")


def is_dataset(data: object) -> bool:
    """Whether ``data`` names a partitioned dataset: a :class:`Dataset`, a folder, a glob of Parquet
    files (``shipments/*.parquet``) or a URL.

    A single file (``x.parquet``, ``x.csv``) is not, nor a pattern of other files (``kz-*.csv``):
    the front door reads those.
    """
    if isinstance(data, Dataset):
        return True
    if isinstance(data, Path):
        return data.is_dir()
    if isinstance(data, str):
        if "*" in data:
            return data.lower().endswith(_PARQUET)
        if _is_url(data) or data.startswith("file://"):
            return not data.rstrip("/").lower().endswith(_PARQUET) or data.endswith("/")
        return Path(data).is_dir()
    return False


def as_dataset(data: object) -> Dataset | None:
    """``data`` as a :class:`Dataset` when it names one (see :func:`is_dataset`), else None."""
    if isinstance(data, Dataset):
        return data
    if is_dataset(data):
        return Dataset(str(data))
    return None


@dataclass(frozen=True)
class Chunk:
    """Whole files of a dataset, read as one frame: ``offset`` is its first row's position in the dataset."""

    files: tuple[str, ...]
    offset: int
    rows: int
    hive_schema: tuple[tuple[str, pl.DataType], ...] = ()

    def scan(self) -> pl.LazyFrame:
        """The chunk's rows, with the dataset's hive keys as columns (typed as in the whole dataset)."""
        if not self.files:
            raise InputError("an empty chunk has no rows to scan")
        return pl.scan_parquet(
            list(self.files),
            hive_partitioning=bool(self.hive_schema),
            hive_schema=dict(self.hive_schema) or None,
        )


@dataclass(frozen=True)
class Dataset:
    """A partitioned Parquet dataset (see the module documentation). ``path``: a folder, glob or URL."""

    path: str

    def scan(self) -> pl.LazyFrame:
        """The whole dataset as one lazy table (what a whole-table run reads)."""
        files = self.files()
        return Chunk(tuple(files), 0, sum(self._counts()), self._hive()).scan()

    def files(self) -> list[str]:
        """The dataset's Parquet files, in sorted path order."""
        return list(self._files())

    def rows(self) -> int:
        """How many rows the dataset holds (from the files' metadata: nothing is read)."""
        return sum(self._counts())

    def chunks(self, *, rows: int) -> list[Chunk]:
        """The files grouped in order into chunks of about ``rows`` rows (a file is never split)."""
        if rows < 1:
            raise InputError(f"rows per chunk must be at least 1, not {rows}")
        hive = self._hive()
        chunks: list[Chunk] = []
        files: list[str] = []
        start = size = 0
        for path, count in zip(self._files(), self._counts(), strict=True):
            files.append(path)
            size += count
            if size >= rows:
                chunks.append(Chunk(tuple(files), start, size, hive))
                start, files, size = start + size, [], 0
        if files:
            chunks.append(Chunk(tuple(files), start, size, hive))
        return chunks

    @functools.cached_property
    def _listing(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        import pyarrow.fs as pafs
        import pyarrow.parquet as pq

        text = self.path
        filesystem: pafs.FileSystem = pafs.LocalFileSystem()
        if "*" in text:
            paths = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
        else:
            root = text
            if "://" in text:
                try:
                    filesystem, root = pafs.FileSystem.from_uri(text)
                except (OSError, ValueError) as exc:
                    raise InputError(f"cannot open the dataset: {exc}", file=text) from None
            infos = filesystem.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True))
            scheme = text.split("://", 1)[0] + "://" if _is_url(text) else ""
            paths = sorted(
                scheme + info.path
                for info in infos
                if info.type == pafs.FileType.File and not os.path.basename(info.path).startswith((".", "_"))
            )
        if not paths:
            raise InputError("no Parquet files in the dataset", file=text)
        counts = []
        for path in paths:
            local = path.split("://", 1)[1] if _is_url(path) else path
            try:
                counts.append(pq.read_metadata(local, filesystem=filesystem).num_rows)
            except (OSError, ValueError) as exc:
                raise InputError(f"not a Parquet file: {exc}", file=path) from None
        return tuple(paths), tuple(counts)

    def _files(self) -> tuple[str, ...]:
        return self._listing[0]

    def _counts(self) -> tuple[int, ...]:
        return self._listing[1]

    def _hive(self) -> tuple[tuple[str, pl.DataType], ...]:
        """The hive keys (``key=value`` folders of the first file) with the types polars gives them over all files."""
        first = self._files()[0]
        keys = [part.split("=", 1)[0] for part in first.replace("\\", "/").split("/")[:-1] if "=" in part]
        if not keys:
            return ()
        schema = pl.scan_parquet(list(self._files()), hive_partitioning=True).collect_schema()
        return tuple((key, schema[key]) for key in keys if key in schema)
