"""Section 3: mini-batch training (``vectorized.Network.train``) against this machine's peak.

Useful work per sample, counted as in the literature on dense layers: for every layer the
forward product ``W·x`` and the weight gradient ``δ xᵀ``, and for every layer but the first
the input gradient ``Wᵀ δ`` — each ``2 · in · out`` floating-point operations (a multiply and
an add per weight). For 784-300-10: 784·300·2·2 + 300·10·2·3 = 958,800 FLOPs per sample.
Activations, losses and updates are not counted (they are O(in + out) or O(in · out) once
per *batch*), so the achieved GFLOP/s is a fair "fraction of the hardware in use".

The peak is measured on the spot: the median time of ``np.matmul`` of two square matrices
(2048×2048; 1024×1024 in quick mode), with however many threads NumPy's BLAS uses.
"""

import numpy as np

from .per_sample import time_vectorized_batched
from .timing import measure

SIZES = (784, 300, 10)
BATCH_SIZES = (1, 8, 64, 256)
DTYPES = ("float32", "float64")


def useful_flops_per_sample(sizes):
    """2·in·out per product: forward and weight gradient everywhere, input gradient after
    the first layer."""
    total = 0
    for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 2 if index == 0 else 3
        total += 2 * n_in * n_out * products
    return total


def matmul_peak(dtype, n, repeats):
    """Achieved GFLOP/s of ``a @ b`` for n×n matrices of ``dtype`` (median of ``repeats``)."""
    rng = np.random.default_rng(0)
    a = rng.random((n, n)).astype(dtype)
    b = rng.random((n, n)).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    timing = measure(lambda: np.matmul(a, b, out=out), repeats=repeats, number=1)
    return {"n": n, "seconds": timing["median"], "gflops": 2.0 * n**3 / timing["median"] / 1e9,
            "repeats": repeats}


def samples_for(batch_size, quick):
    """How many samples one timed ``train`` epoch gets: several batches, ≥ 256 samples."""
    if quick:
        return max(256, 4 * batch_size)
    return max(512, 16 * batch_size)


def run(quick=False, progress=print):
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)  # the machine drifts: many repeats
    flops = useful_flops_per_sample(SIZES)
    peaks = {}
    for dtype in DTYPES:
        progress(f"mini-batch: matmul peak {dtype}")
        peaks[dtype] = matmul_peak(dtype, 1024 if quick else 2048, 3 if quick else 5)
    rows = []
    for dtype in DTYPES:
        for batch_size in BATCH_SIZES:
            progress(f"mini-batch: {dtype} batch {batch_size}")
            n = samples_for(batch_size, quick)
            # This machine's speed drifts from minute to minute: each row is compared with a
            # peak measured right before it, not with one taken a minute earlier.
            row_peak = matmul_peak(dtype, 1024 if quick else 2048, 3 if quick else 5)
            timing = time_vectorized_batched(SIZES, batch_size, n=n, repeats=repeats,
                                             min_time=min_time, dtype=dtype)
            per_sample = timing["median"]
            gflops = flops / per_sample / 1e9
            rows.append({
                "dtype": dtype,
                "batch_size": batch_size,
                "seconds_per_sample": per_sample,
                "samples_per_second": 1.0 / per_sample,
                "gflops": gflops,
                "peak_gflops": row_peak["gflops"],
                "fraction_of_peak": gflops / row_peak["gflops"],
                "samples_per_epoch": n,
            })
    return {
        "layer_sizes": list(SIZES),
        "flops_per_sample": flops,
        "peak": peaks,
        "rows": rows,
    }

