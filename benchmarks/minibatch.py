"""Section 3: mini-batch training (``Network.train``) against this machine's peak: the fast
engine at every batch size, the textbook engine at batch 64 beside it.

Useful work per sample: for every layer the forward product ``W·x`` and the weight gradient
``δ xᵀ``, and for every layer but the first the input gradient ``Wᵀ δ``, each ``2 · in · out``
FLOPs (784-300-10: 958,800). The peak is ``np.matmul`` of two square matrices, timed in
alternation with each row repeat by repeat, so a slow moment of the machine slows both sides.
"""

import statistics

import numpy as np

import vectorized
import vectorized.fast

from .formatting import sizes_name, table
from .per_sample import random_batch_data
from .timing import format_time, measure, measure_interleaved

SIZES = (784, 300, 10)
BATCH_SIZES = (1, 8, 64, 256)
DTYPES = ("float32", "float64")
TEXTBOOK_BATCH_SIZES = (64,)
ENGINES = {"textbook": vectorized, "fast": vectorized.fast}


def useful_flops_per_sample(sizes):
    """2·in·out per product: forward and weight gradient everywhere, input gradient after
    the first layer."""
    total = 0
    for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 2 if index == 0 else 3
        total += 2 * n_in * n_out * products
    return total


def _square_matmul(dtype, n):
    """A function computing ``a @ b`` for two random n×n matrices of ``dtype``."""
    rng = np.random.default_rng(0)
    a = rng.random((n, n)).astype(dtype)
    b = rng.random((n, n)).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    return lambda: np.matmul(a, b, out=out)


def matmul_peak(dtype, n, repeats):
    """Achieved GFLOP/s of ``a @ b`` for n×n matrices of ``dtype`` (median of ``repeats``)."""
    timing = measure(_square_matmul(dtype, n), repeats=repeats, number=1)
    return {"n": n, "seconds": timing["median"], "gflops": 2.0 * n**3 / timing["median"] / 1e9,
            "repeats": repeats}


def time_row(dtype, batch_size, *, n, matmul_n, repeats, min_time, engine="fast"):
    """One table row: a ``train`` epoch over ``n`` samples and the square matmul, timed in
    alternation (see :func:`~benchmarks.timing.measure_interleaved`), so that each repeat's
    share of the peak compares the two under the same machine conditions."""
    net = ENGINES[engine].Network(list(SIZES), seed=0, dtype=dtype)
    labels, data = random_batch_data(SIZES, n, 0, dtype)
    timings = measure_interleaved(
        {"train": lambda: net.train(labels, data, 0.1, 1, batch_size=batch_size),
         "matmul": _square_matmul(dtype, matmul_n)},
        repeats=repeats, min_time=min_time)
    flops = useful_flops_per_sample(SIZES)
    matmul_flops = 2.0 * matmul_n**3
    shares = [(flops * n / train) / (matmul_flops / peak)
              for train, peak in zip(timings["train"]["times"], timings["matmul"]["times"])]
    per_sample = timings["train"]["median"] / n
    return {
        "engine": engine,
        "dtype": dtype,
        "batch_size": batch_size,
        "seconds_per_sample": per_sample,
        "samples_per_second": 1.0 / per_sample,
        "gflops": flops / per_sample / 1e9,
        "peak_gflops": matmul_flops / timings["matmul"]["median"] / 1e9,
        "fraction_of_peak": statistics.median(shares),
        "samples_per_epoch": n,
        "repeats": repeats,
    }


def samples_for(batch_size, quick):
    """Samples in one timed epoch: 64 batches in full mode (with 16, the first batch's cold
    caches and the data check were a sixth of the time at batch 256)."""
    if quick:
        return max(256, 4 * batch_size)
    return max(512, 64 * batch_size)


def run(quick=False, progress=print):
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)  # the machine drifts: many repeats
    matmul_n = 1024 if quick else 2048
    peaks = {}
    for dtype in DTYPES:
        progress(f"mini-batch: matmul peak {dtype}")
        peaks[dtype] = matmul_peak(dtype, matmul_n, 3 if quick else 5)
    rows = []
    plan = [("fast", dtype, batch_size) for dtype in DTYPES for batch_size in BATCH_SIZES]
    plan += [("textbook", dtype, batch_size) for dtype in DTYPES
             for batch_size in TEXTBOOK_BATCH_SIZES]
    for engine, dtype, batch_size in plan:
        progress(f"mini-batch: {engine} {dtype} batch {batch_size}")
        # This machine's speed drifts from second to second: each repeat of a row is
        # compared with a matmul timed right beside it, not with one taken a minute earlier.
        rows.append(time_row(dtype, batch_size, n=samples_for(batch_size, quick),
                             matmul_n=matmul_n, repeats=repeats, min_time=min_time,
                             engine=engine))
    return {
        "layer_sizes": list(SIZES),
        "flops_per_sample": useful_flops_per_sample(SIZES),
        "peak": peaks,
        "rows": rows,
    }


def markdown(results):
    section = results["minibatch"]
    peaks = ", ".join(f"{dtype} {p['gflops']:.1f} GFLOP/s" for dtype, p in section["peak"].items())
    rows = [[r["engine"], r["dtype"], r["batch_size"], format_time(r["seconds_per_sample"]),
             f"{r['samples_per_second']:,.0f}", f"{r['gflops']:.1f}", f"{r['peak_gflops']:.1f}",
             f"{100 * r['fraction_of_peak']:.0f}%"] for r in section["rows"]]
    return (["", f"## 3. Mini-batch training: `train` ({sizes_name(section['layer_sizes'])})", "",
             f"Useful work {section['flops_per_sample']:,} FLOPs per sample; this machine's "
             f"square `np.matmul` peak: {peaks}. Each row is timed in alternation with that "
             "matmul (\"matmul then\"); the share is the median of the repeats' shares.", ""]
            + table(["engine", "dtype", "batch", "time per sample", "samples / s", "GFLOP/s",
                     "matmul then", "of matmul peak"], rows))
