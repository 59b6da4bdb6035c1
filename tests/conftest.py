"""Suite-wide settings.

Property and fuzz tests explore new random inputs on every local run; under CI they replay a
fixed sequence, so a red build always means a change in the code, not a lucky draw. The
inputs a local run finds to fail become explicit regression tests.

No example has a deadline: speed is measured by the benchmarks in ``bench/``, and a busy
machine must not turn a correct example into a failure.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("local", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "local")
