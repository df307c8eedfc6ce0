"""Section 1: one training step per sample, ``neurons`` against ``vectorized``.

For each architecture both networks run ``train_one_sample`` (float64, the dtype in which the
two give the same numbers) on dense random samples; ``vectorized`` also runs ``train`` with
``batch_size=64``, whose time is divided by the number of samples. Both are measured in the
same run, so the ratios compare like with like.
"""

import numpy as np

import vectorized
import vectorized.activators
import vectorized.layer

from .neurons_timing import N_SAMPLES, random_samples, time_train_one_sample
from .timing import cycling, measure

ARCHITECTURES = ([8, 3, 8], [784, 10, 10], [784, 30, 10], [784, 100, 10], [784, 300, 10])
BATCH = 64


def time_vectorized_one_sample(sizes, *, repeats, min_time, seed=0, dtype="float64",
                               numpy_only=False):
    """Median seconds per ``vectorized.Network.train_one_sample`` call. ``numpy_only``: switch
    off SciPy's rank-1 update and sigmoid (``USE_BLAS_GER``, ``USE_SCIPY_EXPIT``) meanwhile."""
    net = vectorized.Network(list(sizes), seed=seed, dtype=dtype)
    pairs = [(np.asarray(t, dtype=dtype), np.asarray(x, dtype=dtype))
             for t, x in random_samples(sizes[0], sizes[-1], N_SAMPLES, seed)]
    next_pair = cycling(pairs)

    def step():
        label, sample = next_pair()
        net.train_one_sample(label, sample, 0.1)

    switches = [(vectorized.layer, "USE_BLAS_GER"), (vectorized.activators, "USE_SCIPY_EXPIT")]
    saved = [getattr(module, name) for module, name in switches]
    if numpy_only:
        for module, name in switches:
            setattr(module, name, False)
    try:
        return measure(step, repeats=repeats, min_time=min_time)
    finally:
        for (module, name), value in zip(switches, saved):
            setattr(module, name, value)


def random_batch_data(sizes, n, seed=0, dtype="float64"):
    """(labels (n, out), data (n, in)) arrays: inputs U(0, 1), 0.9/0.1-coded labels."""
    rng = np.random.default_rng(seed)
    data = rng.random((n, sizes[0])).astype(dtype)
    labels = np.full((n, sizes[-1]), 0.1, dtype=dtype)
    labels[np.arange(n), rng.integers(0, sizes[-1], n)] = 0.9
    return labels, data


def time_vectorized_batched(sizes, batch_size, *, n, repeats, min_time, seed=0,
                            dtype="float64"):
    """Median seconds per *sample* of one ``train`` epoch over ``n`` samples in batches."""
    net = vectorized.Network(list(sizes), seed=seed, dtype=dtype)
    labels, data = random_batch_data(sizes, n, seed, dtype)
    result = measure(lambda: net.train(labels, data, 0.1, 1, batch_size=batch_size),
                     repeats=repeats, min_time=min_time)
    for key in ("median", "min", "max"):
        result[key] /= n
    result["samples_per_call"] = n
    return result


def run(quick=False, progress=print):
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)  # the machine drifts: many repeats
    rows = []
    for sizes in ARCHITECTURES:
        progress(f"per-sample: {sizes}")
        neu = time_train_one_sample(sizes, repeats=repeats, min_time=min_time)
        vec = time_vectorized_one_sample(sizes, repeats=repeats, min_time=min_time)
        bat = time_vectorized_batched(sizes, BATCH, n=4 * BATCH, repeats=repeats,
                                      min_time=min_time)
        rows.append({
            "layer_sizes": list(sizes),
            "connections": neu["connections"],
            "neurons_seconds": neu["median"],
            "vectorized_seconds": vec["median"],
            "vectorized_batch64_seconds_per_sample": bat["median"],
            "ratio": neu["median"] / vec["median"],
            "ratio_batch64": neu["median"] / bat["median"],
            "timings": {"neurons": neu, "vectorized": vec, "vectorized_batch64": bat},
        })
    progress("per-sample: [784, 300, 10] vectorized float32")
    float32 = time_vectorized_one_sample([784, 300, 10], repeats=repeats, min_time=min_time,
                                         dtype="float32")
    numpy_only = None
    if vectorized.layer.USE_BLAS_GER:  # what the step costs without SciPy
        progress("per-sample: [784, 300, 10] vectorized float64, NumPy only")
        numpy_only = time_vectorized_one_sample([784, 300, 10], repeats=repeats,
                                                min_time=min_time, numpy_only=True)
    return {"dtype": "float64", "batch_size": BATCH, "repeats": repeats, "rows": rows,
            "float32_784_300_10": float32, "numpy_only_784_300_10": numpy_only}
