"""Hypothesis profiles for the property tests.

Profiles: ``fast`` (default, inside ``make test``) and ``thorough`` (``make validate``),
chosen with the environment variable ``HYPOTHESIS_PROFILE``. Seeds are derandomized, so a
run never flakes: the same examples are tried every time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fast",
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))
