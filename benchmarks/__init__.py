"""Speed and memory of the two implementations, measured on this machine: ``python -m benchmarks``.

See benchmarks/README.md. This file (like ``timing.py`` and ``neurons_timing.py``) imports
only the standard library, so ``pypy3 -m benchmarks.neurons_timing`` runs without NumPy.
"""

import os

# The checkout: benchmarks are never installed (the wheel holds neurons, vectorized and
# neurons_lab only), so the subprocesses' cwd and PYTHONPATH are never site-packages.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
