"""Suite-wide settings.

Property and fuzz tests explore new random inputs on every local run; under CI they replay a
fixed sequence, so a red build always means a change in the code, not a lucky draw. The
inputs a local run finds to fail become explicit regression tests.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")
