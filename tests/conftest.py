"""What the whole suite shares. Fixtures of one layer live in that layer's
``conftest.py`` (``tests/integration``, ``tests/api``, ...)."""

from __future__ import annotations

import os

from hypothesis import settings

# On CI the property tests draw the same examples every run, so that a red
# build is reproducible and never a roll of the dice; locally they explore.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
