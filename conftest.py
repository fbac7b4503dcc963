"""Settings for every test run from this repository: tests/, the doctests in src/ and the plugins' tests.

No test depends on the wall clock or on luck: hypothesis' per-example deadline is off, since a first
call may load bundled data (hundreds of milliseconds on a loaded machine) and the suite runs on
shared 2-core machines; and its examples are derived from each test (``derandomize``), so a first
run on a fresh clone sees what every other run sees. Speed is measured in ``benchmarks/``, against a
baseline, never in tests. To hunt for new counter-examples, run with ``HYPOTHESIS_PROFILE=explore``
(random examples, more of them).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dualuse", deadline=None, derandomize=True)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dualuse"))
