"""The ``dualuse`` command.

Exit codes: 0 success; 1 bad input or a failed step (one line on stderr, no traceback);
2 wrong usage (unknown option, missing argument); 130 interrupted.
"""

from __future__ import annotations

import os
import sys

from dualuse.cli.app import app, run

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit code."""
    # The console script is a guarded main, so screening may use worker processes on every core.
    os.environ.setdefault("DUALUSE_WORKERS", "auto")
    code = run(argv if argv is not None else sys.argv[1:])
    if argv is None:
        sys.exit(code)
    return code
