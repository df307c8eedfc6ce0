"""Shared test configuration: hypothesis profiles (CI runs more examples, no deadline)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# CI draws the same examples every run (derandomize): a landing never depends on luck.
# Local runs ("dev") draw new ones each time and keep finding fresh cases.
settings.register_profile(
    "ci", max_examples=80, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# HYPOTHESIS_PROFILE=stress: many more random networks, for a long look before a release.
settings.register_profile(
    "stress", max_examples=500, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
