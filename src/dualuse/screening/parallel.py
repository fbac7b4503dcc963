"""Pure-Python work of name preparation spread over the machine's cores.

Normalising a name is Python (regular expressions, transliteration, legal forms): a million
names take a minute on one core. :func:`map_in_chunks` splits a large list into one chunk per
core, hands all but the first to worker processes (started with ``spawn``: forking a process
whose polars thread pool runs is unsafe) and does the first itself. Small lists, the usual
case, never start a process.

Worker processes are opt-in, because a spawned worker re-imports the caller's main script: a
library must not do that behind its user's back. The ``dualuse`` command turns them on; in your
own code set the environment variable ``DUALUSE_WORKERS`` (``auto`` = every core, or a number)
from a script guarded by ``if __name__ == "__main__":``, or pass ``workers=``. Workers receive the legal forms registered in this process
(:func:`dualuse.screening.legal_forms.register_legal_form` at run time), so that they
normalise exactly as this process does. A worker that cannot start (a main script without
``if __name__ == "__main__":`` re-runs itself in the worker and fails) only costs time: its
chunk is then done here.

Examples:
    >>> map_in_chunks(_lengths, ["ab", "c"], None)
    [2, 1]
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from dualuse.screening.legal_forms import LegalForm, legal_forms, register_legal_form

__all__ = ["MIN_PARALLEL", "map_in_chunks"]

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 50_000
"""Lists shorter than this are processed in this process: a worker takes one or two seconds to start."""


def _lengths(items: Sequence[str], _extra: Any) -> list[int]:
    return [len(item) for item in items]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _configured_workers() -> int:
    """Processes to use from ``DUALUSE_WORKERS``: unset means 1 (no worker processes)."""
    setting = os.environ.get("DUALUSE_WORKERS", "").strip().lower()
    if setting in ("auto", "0"):
        return _cores()
    return int(setting) if setting.isdigit() else 1


def _main_importable() -> bool:
    """Whether a spawned worker can start: it re-imports the main script, which must exist
    (not the case for code piped to ``python -``)."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path is None or os.path.exists(path)


def _in_worker(
    func: Callable[[Sequence[T], Any], list[R]], forms: tuple[LegalForm, ...], items: Sequence[T], extra: Any
) -> list[R]:
    known = set(legal_forms())
    for form in forms:
        if form not in known:
            register_legal_form(
                form.form, form.tag, country=form.country, family=form.family, jurisdictions=form.jurisdictions
            )
            known.add(form)
    return func(items, extra)


def map_in_chunks(
    func: Callable[[Sequence[T], Any], list[R]],
    items: Sequence[T],
    extra: Any,
    *,
    min_parallel: int = MIN_PARALLEL,
    workers: int | None = None,
) -> list[R]:
    """``func(items, extra)``, computed in chunks on every core when ``items`` is long.

    ``func`` is a module-level function (workers import it) returning one result per item, in
    order; ``extra`` is passed to every call (it must pickle). ``workers``: the number of
    processes including this one (default: ``DUALUSE_WORKERS``, else 1).

    Examples:
        >>> map_in_chunks(_lengths, ["abc", "", "de"], None, min_parallel=2, workers=2)
        [3, 0, 2]
    """
    count = workers or _configured_workers()
    if count <= 1 or len(items) < min_parallel or not _main_importable():
        return func(items, extra)
    size = -(-len(items) // count)
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    forms = legal_forms()
    context = multiprocessing.get_context("spawn")
    try:
        # A pool per call, shut down before returning: a pool kept alive deadlocks the exit of a
        # multiprocessing child, which joins its own children before any atexit hook runs.
        with ProcessPoolExecutor(max_workers=len(chunks) - 1, mp_context=context) as pool:
            futures = [pool.submit(_in_worker, func, forms, chunk, extra) for chunk in chunks[1:]]
            results = func(chunks[0], extra)
            for chunk, future in zip(chunks[1:], futures, strict=True):
                try:
                    results.extend(future.result())
                except BrokenProcessPool:  # e.g. a main script without `if __name__ == "__main__":`
                    results.extend(func(chunk, extra))
    except (BrokenProcessPool, OSError):  # no process could start: work here
        return func(items, extra)
    return results
