"""Section 4: memory — bytes per Connection in ``neurons``, peak of a ``vectorized`` epoch.

* ``neurons``: everything a 784-300-10 network allocates (its Connection, Node and list
  objects and their float weights), traced with ``tracemalloc``, divided by its number of
  connections — right after building it, and again after one training step, which gives every
  Connection a gradient float of its own (before it, all gradients share the constant 0.0).
* ``vectorized``: one epoch of batch-64 training over a synthetic 60,000 × 784 uint8 data set
  (MNIST's shape), kept as uint8 and converted to floats one batch at a time. It runs in a
  fresh subprocess (``python -m benchmarks.memory --epoch N``), twice: once plain, for the
  time and the process's peak resident memory (VmHWM: interpreter and NumPy included), once
  under ``tracemalloc`` (NumPy reports its buffers to it) for what data and training allocate.
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
from .formatting import format_bytes, sizes_name, table
from .neurons_timing import bytes_per_connection
from .timing import format_time

NEURONS_SIZES = (784, 300, 10)
EPOCH_SIZES = (784, 300, 10)
EPOCH_SAMPLES = 60_000
QUICK_EPOCH_SAMPLES = 10_000
EPOCH_BATCH = 64
EPOCH_DTYPE = "float32"


def _peak_rss_bytes():
    """This process's peak resident memory (VmHWM, Linux; None elsewhere). Not ``ru_maxrss``:
    Linux carries that over across ``exec`` from the process that spawned us."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, ValueError, StopIteration):
        return None


def _epoch_setup(n, seed, dtype):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, EPOCH_SIZES[0]), dtype=np.uint8)
    classes = rng.integers(0, EPOCH_SIZES[-1], size=n, dtype=np.uint8)
    net = vectorized.Network(list(EPOCH_SIZES), seed=seed, dtype=dtype)
    return images, classes, net


def _run_epoch(images, classes, net, batch_size, dtype):
    """One pass in batches; each batch becomes floats (÷255, one-hot 0.9/0.1 labels) only now."""
    codes = np.full((EPOCH_SIZES[-1], EPOCH_SIZES[-1]), 0.1, dtype=dtype)
    np.fill_diagonal(codes, 0.9)
    scale = np.asarray(1.0 / 255.0, dtype=dtype)
    for start in range(0, images.shape[0], batch_size):
        x = images[start:start + batch_size].astype(dtype)
        x *= scale
        net.train(codes[classes[start:start + batch_size]], x, 0.1, 1, batch_size=batch_size)


def epoch_worker(n, batch_size=EPOCH_BATCH, dtype=EPOCH_DTYPE, seed=0):
    """Measure one epoch in this process; returns a JSON-ready dict."""
    baseline_rss = _peak_rss_bytes()
    images, classes, net = _epoch_setup(n, seed, dtype)
    start = time.perf_counter()
    _run_epoch(images, classes, net, batch_size, dtype)
    seconds = time.perf_counter() - start
    peak_rss = _peak_rss_bytes()
    data_bytes = images.nbytes + classes.nbytes
    del images, classes, net
    gc.collect()

    tracemalloc.start()
    images, classes, net = _epoch_setup(n, seed, dtype)
    _run_epoch(images, classes, net, batch_size, dtype)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"samples": n, "batch_size": batch_size, "dtype": dtype,
            "layer_sizes": list(EPOCH_SIZES), "epoch_seconds": seconds,
            "uint8_data_bytes": data_bytes, "tracemalloc_peak_bytes": traced_peak,
            "peak_rss_bytes": peak_rss, "peak_rss_before_data_bytes": baseline_rss}


def epoch_in_subprocess(n, batch_size=EPOCH_BATCH, dtype=EPOCH_DTYPE):
    command = [sys.executable, "-m", "benchmarks.memory", "--epoch", str(n),
               "--batch-size", str(batch_size), "--dtype", dtype]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PROJECT_ROOT, env.get("PYTHONPATH")]))
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
                          env=env, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick=False, progress=print):
    progress(f"memory: neurons {list(NEURONS_SIZES)} under tracemalloc")
    per_connection = bytes_per_connection(NEURONS_SIZES)
    per_connection["layer_sizes"] = list(NEURONS_SIZES)
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


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="Peak memory of one vectorized epoch.")
    parser.add_argument("--epoch", type=int, default=EPOCH_SAMPLES, help="samples")
    parser.add_argument("--batch-size", type=int, default=EPOCH_BATCH)
    parser.add_argument("--dtype", default=EPOCH_DTYPE, choices=("float32", "float64"))
    args = parser.parse_args(argv)
    print(json.dumps(epoch_worker(args.epoch, args.batch_size, args.dtype)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
