"""Output files written without following links someone else planted, and never seen half-written.

A report folder is often shared, or reused from an earlier run. If ``out/report.html.tmp`` or
``out/tables`` is a symbolic link that dualuse did not create, writing through it would overwrite
whatever it points to (a shell profile, another user's file). So output is written the way
careful tools do: into a new file created exclusively in the target folder (``O_EXCL`` never
opens an existing name, link or not), then renamed over the target (a rename replaces a link
itself, never what it points to). A folder inside the output tree that is a link is refused with
:class:`~dualuse.errors.OutputError`; the output folder the user names is theirs, link or not.

Examples:
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> (out / "victim.txt").write_text("keep me")
    7
    >>> (out / "report.html").symlink_to(out / "victim.txt")
    >>> write_text(out / "report.html", "<html>")
    >>> (out / "victim.txt").read_text(), (out / "report.html").is_symlink()
    ('keep me', False)
    >>> (out / "tables").symlink_to(out)
    >>> ensure_folder(out / "tables", root=out)
    Traceback (most recent call last):
    dualuse.errors.OutputError: ...tables: is a symbolic link; refusing to write through it (remove it or choose another folder)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dualuse.errors import OutputError

__all__ = ["ensure_folder", "staged_file", "write_bytes", "write_text"]


def ensure_folder(folder: Path, *, root: Path | None = None) -> Path:
    """Create ``folder`` (and parents) and return it; refuse a link at ``folder`` or between it and ``root``.

    ``root`` (the folder the user named) may itself be a link; nothing below it may be.

    Examples:
        >>> import pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> ensure_folder(root / "a" / "b", root=root).is_dir()
        True
    """
    folder.mkdir(parents=True, exist_ok=True)
    if root is None:
        return folder
    current = folder
    while current != root and root in current.parents:
        if current.is_symlink():
            raise OutputError(
                "is a symbolic link; refusing to write through it (remove it or choose another folder)",
                file=str(current),
            )
        current = current.parent
    return folder


@contextlib.contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """A fresh, exclusively created file beside ``path`` to write into; renamed over ``path`` on success.

    For writers that take a path (polars, pyarrow). The staged file is removed on failure.

    Examples:
        >>> import pathlib, tempfile
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
        >>> with staged_file(target) as staged:
        ...     _ = staged.write_text("done")
        >>> target.read_text()
        'done'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    staged = Path(name)
    try:
        yield staged
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`staged_file` (never through a link, never half-written)."""
    with staged_file(path) as staged, staged.open("r+b") as out:
        out.write(data)


def write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` through :func:`staged_file`."""
    write_bytes(path, text.encode(encoding))
