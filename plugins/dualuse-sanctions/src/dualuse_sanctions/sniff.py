"""Telling a list's published file by its first bytes: which connector reads it, with which settings.

:meth:`dualuse.connectors.Connector.recognises` lets a command that holds a file
(``dualuse screen --watchlist sdn.csv``) hand it to the connector made for its layout. Only the
first few kilobytes are read.

Examples:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> sdn = folder / "sdn.csv"
    >>> _ = sdn.write_bytes(b'47950,"LIMITED LIABILITY PARTNERSHIP ELEM GROUP","-0- ","RUSSIA-EO14024",-0- ,-0- \\r\\n')
    >>> looks_like_ofac_csv(sdn), header_cells(sdn)[:2]
    (True, ['47950', 'LIMITED LIABILITY PARTNERSHIP ELEM GROUP'])
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

__all__ = ["head_text", "header_cells", "looks_like_ofac_csv", "xml_root_has"]

_HEAD = 8192


def head_text(path: Path, size: int = _HEAD) -> str:
    """The first ``size`` bytes of a file as text (undecodable bytes replaced); empty when unreadable."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(size)
    except OSError:
        return ""
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def header_cells(path: Path, *, delimiter: str = ",", skip: int = 0) -> list[str]:
    """The cells of the first line after ``skip`` lines (stripped)."""
    lines = head_text(path).splitlines()
    if len(lines) <= skip:
        return []
    return [cell.strip() for cell in next(csv.reader(io.StringIO(lines[skip]), delimiter=delimiter), [])]


_OFAC_ROW = re.compile(r'^\d+,"[^"]*",("[^"]*"|-0- ?),')


def looks_like_ofac_csv(path: Path) -> bool:
    """OFAC's legacy CSV: no header, a numeric ``ent_num`` first, ``-0-`` for an empty cell."""
    first = head_text(path).splitlines()[:1]
    return bool(first) and bool(_OFAC_ROW.match(first[0])) and "-0-" in head_text(path)


def xml_root_has(path: Path, *markers: str) -> bool:
    """Whether an XML file's first bytes mention every one of ``markers`` (root element, namespace)."""
    head = head_text(path, 4096)
    return head.lstrip().startswith("<") and all(marker in head for marker in markers)
