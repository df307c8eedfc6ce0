"""Section 4: memory — bytes per Connection in ``neurons``, peak of a ``vectorized`` epoch.

* ``neurons`` 784-300-10: what ``tracemalloc`` traces per Connection after building and after
  one step (which gives every Connection a gradient float of its own).
* ``vectorized``: one batch-64 epoch over 60,000 × 784 uint8 samples (MNIST's shape), made
  floats one batch at a time, in a fresh process (``python -m benchmarks.memory N``): once for
  the time and the peak resident memory (VmHWM: ``ru_maxrss`` survives ``exec`` on Linux),
  once under ``tracemalloc`` for what data and training allocate.
"""

import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np

import vectorized

from . import PROJECT_ROOT
from .formatting import format_bytes, format_time, sizes_name, table
from .neurons_timing import bytes_per_connection, status_bytes

SIZES = (784, 300, 10)
EPOCH_SAMPLES = 60_000
QUICK_EPOCH_SAMPLES = 10_000
BATCH = 64
DTYPE = "float32"


def _epoch_setup(n):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, SIZES[0]), dtype=np.uint8)
    classes = rng.integers(0, SIZES[-1], size=n, dtype=np.uint8)
    return images, classes, vectorized.Network(list(SIZES), seed=0, dtype=DTYPE)


def _run_epoch(images, classes, net):
    """One pass in batches; each batch becomes floats (÷255, one-hot 0.9/0.1 labels) only now."""
    codes = np.full((SIZES[-1], SIZES[-1]), 0.1, dtype=DTYPE)
    np.fill_diagonal(codes, 0.9)
    scale = np.asarray(1.0 / 255.0, dtype=DTYPE)
    for start in range(0, images.shape[0], BATCH):
        x = images[start:start + BATCH].astype(DTYPE)
        x *= scale
        net.train(codes[classes[start:start + BATCH]], x, 0.1, 1, batch_size=BATCH)


def epoch_worker(n):
    """Measure one epoch of ``n`` samples in this process; returns a JSON-ready dict."""
    baseline_rss = status_bytes("VmHWM")
    images, classes, net = _epoch_setup(n)
    start = time.perf_counter()
    _run_epoch(images, classes, net)
    seconds = time.perf_counter() - start
    peak_rss = status_bytes("VmHWM")
    data_bytes = images.nbytes + classes.nbytes
    del images, classes, net
    gc.collect()

    tracemalloc.start()
    _run_epoch(*_epoch_setup(n))
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"samples": n, "batch_size": BATCH, "dtype": DTYPE, "layer_sizes": list(SIZES),
            "epoch_seconds": seconds, "uint8_data_bytes": data_bytes,
            "tracemalloc_peak_bytes": traced_peak, "peak_rss_bytes": peak_rss,
            "peak_rss_before_data_bytes": baseline_rss}


def epoch_in_subprocess(n):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PROJECT_ROOT, env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory", str(n)], capture_output=True,
                          text=True, check=True, cwd=PROJECT_ROOT, env=env, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick=False, progress=print):
    progress(f"memory: neurons {list(SIZES)} under tracemalloc")
    per_connection = bytes_per_connection(SIZES)
    per_connection["layer_sizes"] = list(SIZES)
    n = QUICK_EPOCH_SAMPLES if quick else EPOCH_SAMPLES
    progress(f"memory: vectorized epoch of {n:,} uint8 samples (subprocess)")
    epoch = epoch_in_subprocess(n)
    epoch["full_size_samples"] = EPOCH_SAMPLES
    return {"neurons": per_connection, "vectorized_epoch": epoch}


def markdown(results):
    neu, epoch = results["memory"]["neurons"], results["memory"]["vectorized_epoch"]
    quick = "" if epoch["samples"] == EPOCH_SAMPLES else (
        f" — quick mode: {epoch['samples']:,} samples instead of {EPOCH_SAMPLES:,}")
    rows = [[f"`neurons` {sizes_name(neu['layer_sizes'])}, per Connection, after building / "
             "after one step (tracemalloc)",
             f"{neu['traced_bytes_per_connection_after_build']:.0f} B / "
             f"{neu['traced_bytes_per_connection_after_step']:.0f} B"],
            [f"`vectorized` epoch of {epoch['samples']:,} uint8 samples, batch "
             f"{epoch['batch_size']}, {epoch['dtype']}{quick}: tracemalloc peak / the data",
             f"{format_bytes(epoch['tracemalloc_peak_bytes'])} / "
             f"{format_bytes(epoch['uint8_data_bytes'])}"],
            ["… peak resident memory of that whole process (VmHWM) / its time",
             f"{format_bytes(epoch['peak_rss_bytes'])} / {format_time(epoch['epoch_seconds'])}"]]
    return ["", "## 4. Memory", ""] + table(["measurement", "value"], rows)


if __name__ == "__main__":  # the subprocess: one epoch of argv[1] samples, JSON on stdout
    print(json.dumps(epoch_worker(int(sys.argv[1]))))
