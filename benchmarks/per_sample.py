"""Section 1: one training step per sample: ``neurons``, the textbook ``vectorized`` and
``vectorized.fast``, side by side.

For each architecture the three run ``train_one_sample`` (float64, the dtype in which they give
the same numbers) on dense random samples; ``vectorized.fast`` also runs ``train`` with
``batch_size=64``, whose time is divided by the number of samples. All are measured in the same
run, so the ratios compare like with like. On 784-300-10 also: the tutorial's own vectorised
design (``tutorial_fc.py``), and the fast engine in float32, with each step added to W at once
(``DEFERRED_STEPS = 0``) and with NumPy alone (no SciPy).
"""

import numpy as np

import vectorized
import vectorized.fast
import vectorized.fast.activators
import vectorized.fast.blas
import vectorized.fast.layer

from . import tutorial_fc
from .neurons_timing import N_SAMPLES, random_samples, time_train_one_sample
from .timing import cycling, measure

ARCHITECTURES = ([8, 3, 8], [784, 10, 10], [784, 30, 10], [784, 100, 10], [784, 300, 10])
BATCH = 64
ENGINES = {"textbook": vectorized, "fast": vectorized.fast}


def time_engine_one_sample(engine, sizes, *, repeats, min_time, seed=0, dtype="float64",
                           numpy_only=False, added_at_once=False):
    """Median seconds per ``Network.train_one_sample`` call of ``engine`` ("textbook" or
    "fast"). Each repeat times many consecutive calls, so the fast engine's one call in
    ``DEFERRED_STEPS`` that adds the held steps to W is counted. Fast engine only:
    ``numpy_only`` switches off SciPy's BLAS updates and sigmoid meanwhile; ``added_at_once``
    adds every step to W at once (``DEFERRED_STEPS = 0``)."""
    net = ENGINES[engine].Network(list(sizes), seed=seed, dtype=dtype)
    pairs = [(np.asarray(t, dtype=dtype), np.asarray(x, dtype=dtype))
             for t, x in random_samples(net.input_size, net.output_size, N_SAMPLES, seed)]
    next_pair = cycling(pairs)

    def step():
        label, sample = next_pair()
        net.train_one_sample(label, sample, 0.1)

    fast = vectorized.fast
    switches = []
    if numpy_only:
        switches += [(fast.blas, "USE_SCIPY_BLAS", False),
                     (fast.activators, "USE_SCIPY_EXPIT", False)]
    if added_at_once:
        switches.append((fast.layer, "DEFERRED_STEPS", 0))
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


def time_batched(sizes, batch_size, *, n, repeats, min_time, seed=0, dtype="float64",
                 engine="fast"):
    """Median seconds per *sample* of one ``train`` epoch over ``n`` samples in batches."""
    net = ENGINES[engine].Network(list(sizes), seed=seed, dtype=dtype)
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
        textbook = time_engine_one_sample("textbook", sizes, repeats=repeats, min_time=min_time)
        fast = time_engine_one_sample("fast", sizes, repeats=repeats, min_time=min_time)
        bat = time_batched(sizes, BATCH, n=4 * BATCH, repeats=repeats, min_time=min_time)
        rows.append({
            "layer_sizes": list(sizes),
            "connections": neu["connections"],
            "neurons_seconds": neu["median"],
            "textbook_seconds": textbook["median"],
            "fast_seconds": fast["median"],
            "fast_batch64_seconds_per_sample": bat["median"],
            "ratio_textbook": neu["median"] / textbook["median"],
            "ratio_fast": neu["median"] / fast["median"],
            "ratio_batch64": neu["median"] / bat["median"],
            "timings": {"neurons": neu, "textbook": textbook, "fast": fast,
                        "fast_batch64": bat},
        })
    big = [784, 300, 10]
    progress("per-sample: [784, 300, 10] the tutorial's design (tutorial_fc.py)")
    tutorial = tutorial_fc.time_train_one_sample(big, repeats=repeats, min_time=min_time)
    progress("per-sample: [784, 300, 10] fast float32")
    float32 = time_engine_one_sample("fast", big, repeats=repeats, min_time=min_time,
                                     dtype="float32")
    progress("per-sample: [784, 300, 10] fast float64, each step added to W at once")
    at_once = time_engine_one_sample("fast", big, repeats=repeats, min_time=min_time,
                                     added_at_once=True)
    numpy_only = None
    if vectorized.fast.blas.USE_SCIPY_BLAS:  # what the step costs without SciPy
        progress("per-sample: [784, 300, 10] fast float64, NumPy only")
        numpy_only = time_engine_one_sample("fast", big, repeats=repeats, min_time=min_time,
                                            numpy_only=True)
    return {"dtype": "float64", "batch_size": BATCH, "repeats": repeats, "rows": rows,
            "tutorial_fc_784_300_10": tutorial,
            "fast_float32_784_300_10": float32, "fast_added_at_once_784_300_10": at_once,
            "fast_numpy_only_784_300_10": numpy_only,
            "deferred_steps": vectorized.fast.layer.DEFERRED_STEPS}
