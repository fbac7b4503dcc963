"""Settings for every test run from this repository: tests/, the doctests in src/ and the plugins' tests.

No test depends on the wall clock: hypothesis' per-example deadline is off, since a first call may
load bundled data (hundreds of milliseconds on a loaded machine) and the suite runs on shared
2-core machines. Speed is measured in ``benchmarks/``, against a baseline, never in tests.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("dualuse", deadline=None)
settings.load_profile("dualuse")
