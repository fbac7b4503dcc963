"""The typer application: global options, error handling, and the command modules."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from typer.exceptions import TyperException

from dualuse._version import __version__
from dualuse.cli import (
    _output,
    commands_explore,
    commands_flows,
    commands_lists,
    commands_plugins,
    commands_report,
    commands_screen,
    commands_trace,
)
from dualuse.cli._command import QuietOpt, RootGroup, example_text
from dualuse.errors import DualuseError

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "app", "run"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

app = typer.Typer(
    cls=RootGroup,
    name="dualuse",
    help="Track dual-use goods flowing to Russia around export controls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    epilog=example_text(
        "dualuse demo",
        "dualuse lists match 8541.21.0000",
        "dualuse hubs flows.parquet --origin CN --hubs KZ,KG --out hubs.parquet",
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dualuse {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, metavar="", help="Print the version and exit."),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Track dual-use goods flowing to Russia around export controls."""
    _output.STATE.quiet = quiet


for module in (
    commands_lists,
    commands_plugins,
    commands_flows,
    commands_screen,
    commands_trace,
    commands_report,
    commands_explore,
):
    module.register(app)


def run(argv: list[str]) -> int:
    """Run ``dualuse`` with ``argv``; turn every :class:`DualuseError` into one line on stderr."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="dualuse", standalone_mode=False)
    except DualuseError as exc:
        _output.error(str(exc))
        return EXIT_ERROR
    except (typer.Abort, KeyboardInterrupt):
        _output.error("interrupted")
        return EXIT_INTERRUPTED
    except TyperException as exc:  # usage errors: unknown option, missing argument, bad value
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        return int(getattr(exc, "exit_code", EXIT_USAGE))
    except OSError as exc:
        _output.error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        return EXIT_ERROR
    except Exception as exc:  # a bug, not bad input: still one line, with a way to see the traceback
        if os.environ.get("DUALUSE_DEBUG"):
            raise
        _output.error(f"internal error ({type(exc).__name__}: {exc}); set DUALUSE_DEBUG=1 for the traceback")
        return EXIT_ERROR
    return result if isinstance(result, int) else EXIT_OK
