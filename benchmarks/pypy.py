"""Section 5: the pure-Python ``neurons`` under PyPy, when a ``pypy3`` is on PATH.

Runs ``pypy3 -m benchmarks.neurons_timing`` in a subprocess (that module and what it imports
are standard library plus ``neurons``: no NumPy) with a JIT warm-up before the timed repeats.
"""

import json
import os
import shutil
import subprocess

from . import PROJECT_ROOT


def find_pypy():
    return shutil.which("pypy3")


def run(architectures, quick=False, progress=print):
    """The per-sample neurons timings under PyPy, or ``{"found": False}``."""
    executable = find_pypy()
    if executable is None:
        return {"found": False}
    progress(f"pypy: {executable}")
    options = {
        "architectures": [list(sizes) for sizes in architectures],
        "repeats": 3 if quick else 7,
        "min_time": 0.02 if quick else 0.2,
        "warmup_time": 0.3 if quick else 2.0,
    }
    env = dict(os.environ)
    env["PYTHONPATH"] = PROJECT_ROOT  # the checkout, not the CPython venv's site-packages
    try:
        done = subprocess.run([executable, "-m", "benchmarks.neurons_timing", json.dumps(options)],
                              capture_output=True, text=True, cwd=PROJECT_ROOT, env=env,
                              timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"found": True, "executable": executable, "error": str(error)}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"found": True, "executable": executable,
                "error": f"exit status {done.returncode}: {last}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(found=True, executable=executable, options=options)
    return result
