"""Check your own implementation of backprop against the project's reference.

``check(candidate)`` draws seeded networks, loads the same weights into the reference
(``vectorized.Network``, float64) and the candidate, and compares outputs, losses, δ,
gradients and the parameters after a step; it stops at the first difference and names the
usual mistake when the numbers fit one. ``load("module:Name")`` finds a candidate by name.
"""

from .candidates import Candidate, CheckError
from .load import SYNTAX, as_candidate, load
from .run import Report, check

__all__ = ["SYNTAX", "Candidate", "CheckError", "Report", "as_candidate", "check", "load"]
