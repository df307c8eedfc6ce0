"""``neurons`` on CNN 1 of the CNN article, next to ``vectorized``: per-sample training time
(CPython and, when ``pypy3`` is on PATH, PyPy) and bytes per Connection, all in one run::

    python -m benchmarks.neurons_cnn            # about two minutes; --quick for a smoke run

One ``train_one_sample`` of ``["1x28x28", "conv20x5", "pool2", 100, 10]`` (sigmoid, ½Σ(t−y)²,
float64, dense random inputs) touches 600,150 connections in ``neurons``: 299,520 of the conv
layer (11,520 nodes × 25 + bias) sharing 520 SharedWeights, 11,520 of the pooling layer and
289,110 fully connected. Prints one JSON object.
"""

import json
import os
import subprocess
import sys

from . import PROJECT_ROOT
from .neurons_timing import bytes_per_connection, time_train_one_sample
from .per_sample import time_engine_one_sample
from .pypy import find_pypy

CNN_1 = ["1x28x28", "conv20x5", "pool2", 100, 10]


def pypy_timing(quick):
    """The neurons timing and memory under PyPy (a subprocess without NumPy), or None."""
    executable = find_pypy()
    if executable is None:
        return None
    options = {"architectures": [CNN_1], "memory": True, "repeats": 3 if quick else 7,
               "min_time": 0.05 if quick else 1.0, "warmup_time": 0.5 if quick else 8.0}
    env = dict(os.environ, PYTHONPATH=PROJECT_ROOT)
    done = subprocess.run([executable, "-m", "benchmarks.neurons_timing", json.dumps(options)],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, env=env,
                          timeout=900, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])["results"][0]


def run(quick=False):
    repeats, min_time = (3, 0.05) if quick else (5, 1.0)
    result = {"layer_sizes": CNN_1, "memory": bytes_per_connection(CNN_1)}
    neurons = time_train_one_sample(CNN_1, repeats=repeats, min_time=min_time, warmup_time=2.0)
    seconds = {"neurons_cpython": neurons["median"]}
    for engine in ("textbook", "fast"):
        seconds[engine] = time_engine_one_sample(engine, CNN_1, repeats=3 * repeats,
                                                 min_time=min_time / 4)["median"]
    pypy = pypy_timing(quick)
    if pypy is not None and "median" in pypy:
        seconds["neurons_pypy"] = pypy["median"]
        result["pypy_memory"] = pypy.get("memory")
    result["pypy"] = pypy if pypy is None or "error" in pypy else "ok"
    result["seconds_per_sample"] = seconds
    result["neurons_cpython_over_textbook"] = seconds["neurons_cpython"] / seconds["textbook"]
    if "neurons_pypy" in seconds:
        result["neurons_pypy_over_textbook"] = seconds["neurons_pypy"] / seconds["textbook"]
    return result


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv[1:]), indent=1))
