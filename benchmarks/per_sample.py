"""Section 1: one training step per sample, ``neurons`` against ``vectorized``.

For each architecture both networks run ``train_one_sample`` (float64, the dtype in which the
two give the same numbers) on dense random samples; ``vectorized`` also runs ``train`` with
``batch_size=64``, whose time is divided by the number of samples. Both are measured in the
same run, so the ratios compare like with like.
"""

import numpy as np

import vectorized
import vectorized.activators
import vectorized.blas
import vectorized.layer

from .neurons_timing import N_SAMPLES, random_samples, time_train_one_sample
from .timing import cycling, measure

ARCHITECTURES = ([8, 3, 8], [784, 10, 10], [784, 30, 10], [784, 100, 10], [784, 300, 10])
BATCH = 64


def time_vectorized_one_sample(sizes, *, repeats, min_time, seed=0, dtype="float64",
                               numpy_only=False, added_at_once=False):
    """Median seconds per ``vectorized.Network.train_one_sample`` call (each repeat times many
    consecutive calls, so the one call in ``DEFERRED_STEPS`` that adds the held steps to W is
    counted). ``numpy_only``: switch off SciPy's BLAS updates and sigmoid (``USE_SCIPY_BLAS``,
    ``USE_SCIPY_EXPIT``) meanwhile; ``added_at_once``: add every step to W at once
    (``DEFERRED_STEPS = 0``)."""
    net = vectorized.Network(list(sizes), seed=seed, dtype=dtype)
    pairs = [(np.asarray(t, dtype=dtype), np.asarray(x, dtype=dtype))
             for t, x in random_samples(sizes[0], sizes[-1], N_SAMPLES, seed)]
    next_pair = cycling(pairs)

    def step():
        label, sample = next_pair()
        net.train_one_sample(label, sample, 0.1)

    switches = []
    if numpy_only:
        switches += [(vectorized.blas, "USE_SCIPY_BLAS", False),
                     (vectorized.activators, "USE_SCIPY_EXPIT", False)]
    if added_at_once:
        switches.append((vectorized.layer, "DEFERRED_STEPS", 0))
    saved = [(module, name, getattr(module, name)) for module, name, _ in switches]
    for module, name, value in switches:
        setattr(module, name, value)
    try:
        return measure(step, repeats=repeats, min_time=min_time)
    finally:
        for module, name, value in saved:
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
    progress("per-sample: [784, 300, 10] vectorized float64, each step added to W at once")
    at_once = time_vectorized_one_sample([784, 300, 10], repeats=repeats, min_time=min_time,
                                         added_at_once=True)
    numpy_only = None
    if vectorized.blas.USE_SCIPY_BLAS:  # what the step costs without SciPy
        progress("per-sample: [784, 300, 10] vectorized float64, NumPy only")
        numpy_only = time_vectorized_one_sample([784, 300, 10], repeats=repeats,
                                                min_time=min_time, numpy_only=True)
    return {"dtype": "float64", "batch_size": BATCH, "repeats": repeats, "rows": rows,
            "float32_784_300_10": float32, "added_at_once_784_300_10": at_once,
            "numpy_only_784_300_10": numpy_only,
            "deferred_steps": vectorized.layer.DEFERRED_STEPS}
