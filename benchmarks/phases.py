"""Section 2: where a training step's time goes, phase by phase.

Both packages expose the tutorial's phases publicly, and this section times exactly those
calls, one ``perf_counter`` pair per phase inside real training steps (median over the steps):

=============  ==========================================  =====================================
phase          neurons (object graph)                      vectorized (the textbook engine)
=============  ==========================================  =====================================
forward        ``predict(sample)`` (式1)                    ``predict(x)`` (式2)
deltas         ``calc_delta(label)`` (式3, 式4)              ``calc_delta(t)`` (式7, 式8)
gradients      ``calc_gradient()``                         ``calc_gradient()``
update         ``update_weight(rate)`` (式5)                ``update_weight(rate)`` (式9, 式10)
=============  ==========================================  =====================================

``vectorized.fast`` runs deltas, gradients and update fused (式9/式10 applied to W without
forming W_grad; the first layer holds its steps and adds ``DEFERRED_STEPS`` of them at a time,
see vectorized/fast/deferred.py). Its step is timed whole, in runs of ``DEFERRED_STEPS``
consecutive steps so that each run includes the step that adds the held steps, minus its
forward pass timed the same way.

Finally the passes over the first layer's (300, 784) weights that a one-sample step makes are
timed alone, as a floor: the product ``W·x``, the update ``W += η·δxᵀ`` of one step
(``vectorized.fast.blas.rank1_update``) and that of ``DEFERRED_STEPS`` held steps at once
(``vectorized.fast.blas.product_update``), on one BLAS thread as the fast engine runs them.
"""

import gc
import statistics
import time

import numpy as np

import neurons
import vectorized
import vectorized.fast
import vectorized.fast.blas
import vectorized.fast.layer

from .neurons_timing import random_samples
from .timing import measure

SIZES = (784, 300, 10)
PHASES = ("forward", "deltas", "gradients", "update")
RATE = 0.1


def time_public_phases(net, pairs, steps):
    """Median seconds of each public phase over ``steps`` training steps (after one warm-up)."""
    samples = {name: [] for name in PHASES}
    clock = time.perf_counter
    gc.disable()
    try:
        for k in range(steps + 1):
            label, sample = pairs[k % len(pairs)]
            t0 = clock()
            net.predict(sample)
            t1 = clock()
            net.calc_delta(label)
            t2 = clock()
            net.calc_gradient()
            t3 = clock()
            net.update_weight(RATE)
            t4 = clock()
            if k:
                for name, seconds in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                    samples[name].append(seconds)
    finally:
        gc.enable()
    return {name: statistics.median(values) for name, values in samples.items()}


def time_fast_step(sizes=SIZES, runs=60, seed=0):
    """Seconds per step of ``vectorized.fast`` ``train_one_sample`` and of its forward pass,
    each the median over runs of ``DEFERRED_STEPS`` consecutive calls."""
    net = vectorized.fast.Network(list(sizes), seed=seed)
    pairs = [(np.asarray(t), np.asarray(x)) for t, x in random_samples(sizes[0], sizes[-1], 8,
                                                                        seed)]
    run_length = max(1, vectorized.fast.layer.DEFERRED_STEPS)
    clock = time.perf_counter
    steps, forwards = [], []
    gc.disable()
    try:
        for run in range(runs + 1):  # run 0 is a warm-up
            step_time = forward_time = 0.0
            for k in range(run_length):
                label, sample = pairs[(run * run_length + k) % len(pairs)]
                start = clock()
                net.predict(sample)
                middle = clock()
                net.train_one_sample(label, sample, RATE)
                forward_time += middle - start
                step_time += clock() - middle
            if run:
                steps.append(step_time / run_length)
                forwards.append(forward_time / run_length)
    finally:
        gc.enable()
    return {"step_seconds": statistics.median(steps),
            "forward_seconds": statistics.median(forwards)}


def time_weight_passes(sizes=SIZES, dtype="float64", repeats=9, min_time=0.05):
    """Median seconds of the first layer's product ``W·x`` and, when SciPy is there, of its
    updates: one step's rank-1 update, and ``DEFERRED_STEPS`` held steps added in one product
    (``held_update_seconds`` is per step). Each is timed alone on a (sizes[1], sizes[0]) array;
    the updates are None without SciPy."""
    rng = np.random.default_rng(0)
    W = rng.uniform(-0.1, 0.1, (sizes[1], sizes[0])).astype(dtype)
    x = rng.random(sizes[0]).astype(dtype)
    delta = rng.uniform(-1e-3, 1e-3, sizes[1]).astype(dtype)
    held = max(1, vectorized.fast.layer.DEFERRED_STEPS)
    U = rng.uniform(-1e-9, 1e-9, (held, sizes[1])).astype(dtype)  # rows η·δ_i, as held
    X = rng.random((held, sizes[0])).astype(dtype)  # rows x_i
    product = measure(lambda: W @ x, repeats=repeats, min_time=min_time)["median"]
    update = held_update = None
    blas = vectorized.fast.blas
    if blas.USE_SCIPY_BLAS:
        update = measure(lambda: blas.rank1_update(W, 1e-9, delta, x), repeats=repeats,
                         min_time=min_time)["median"]
        held_update = measure(lambda: blas.product_update(W, 1.0, U.T, X),
                              repeats=repeats, min_time=min_time)["median"] / held
    return {"product_seconds": product, "rank1_update_seconds": update,
            "held_update_seconds": held_update, "held_steps": held,
            "shape": [sizes[1], sizes[0]], "dtype": dtype}


def run(quick=False, progress=print):
    progress(f"phases: {list(SIZES)}")
    pairs = random_samples(SIZES[0], SIZES[-1], 8, 0)
    neu = time_public_phases(neurons.Network(list(SIZES), seed=0), pairs, 3 if quick else 15)
    arrays = [(np.asarray(t), np.asarray(x)) for t, x in pairs]
    vec = time_public_phases(vectorized.Network(list(SIZES), seed=0), arrays,
                             100 if quick else 1000)
    fast = time_fast_step(runs=6 if quick else 60)
    rows = []
    neu_total = sum(neu.values())
    vec_total = sum(vec.values())
    for name in PHASES:
        rows.append({
            "phase": name,
            "neurons_seconds": neu[name],
            "neurons_share": neu[name] / neu_total,
            "textbook_seconds": vec[name],
            "textbook_share": vec[name] / vec_total,
            "ratio": neu[name] / vec[name] if vec[name] > 0 else float("nan"),
        })
    return {
        "layer_sizes": list(SIZES),
        "dtype": "float64",
        "rows": rows,
        "neurons_total_seconds": neu_total,
        "textbook_total_seconds": vec_total,
        "fast_step_seconds": fast["step_seconds"],
        "fast_forward_seconds": fast["forward_seconds"],
        "deferred_steps": vectorized.fast.layer.DEFERRED_STEPS,
        "fast_uses_scipy_blas": bool(vectorized.fast.blas.USE_SCIPY_BLAS),
        "weight_passes": time_weight_passes(repeats=3 if quick else 9),
    }
