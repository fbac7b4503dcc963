"""Progress for long steps, on stderr: a bar over a pipeline's steps, or a spinner naming the step.

Nothing is drawn with ``--quiet``, with ``--json`` (the caller passes ``enabled=False``) or when
stderr is not a terminal, so scripts and pipes see only the results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

from dualuse.cli._output import STATE

__all__ = ["StepCallback", "status", "step_progress"]

StepCallback = Callable[[str, int, int | None], None]


def _stderr() -> Console:
    return Console(stderr=True)


@contextmanager
def step_progress(enabled: bool, total: int) -> Iterator[StepCallback | None]:
    """A rich progress bar on stderr, advanced once per pipeline step (``None`` when disabled)."""
    if not enabled or STATE.quiet:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_stderr(), transient=True) as bar:
        task = bar.add_task("starting", total=total)

        def advance(step: str, done: int, _total: int | None) -> None:
            bar.update(task, description=step, advance=done)

        yield advance


@contextmanager
def status(first: str, *, enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the current step; call the yielded function to name the next one."""
    console = _stderr()
    if not enabled or STATE.quiet or not console.is_terminal:
        yield lambda _message: None
        return
    with console.status(first) as spinner:
        yield lambda message: spinner.update(message)
