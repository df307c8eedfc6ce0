"""Section 2: where a training step's time goes, phase by phase, in both implementations.

THE ONE PLACE IN benchmarks/ THAT READS THE NETWORKS' INTERNALS. Everything else uses the
shared API only. The phases of one ``train_one_sample`` step, in the tutorial's order:

=============  ===========================================  ====================================
phase          neurons (object graph)                       vectorized (matrices)
=============  ===========================================  ====================================
forward        ``Network.predict(sample)`` (式1)            ``Network._forward(x)`` (式2)
deltas         ``Network.calc_delta(label)`` (式3, 式4)     ``Network._backward(y, t)`` minus
                                                            its weight-gradient part (式7, 式8)
gradients      ``Network.calc_gradient()``                  ``FullConnectedLayer.backward(δ,
                                                            propagate=False)`` for every layer
update         ``Network.update_weight(rate)`` (式5)        ``Network._update(rate)`` (式9, 式10)
=============  ===========================================  ====================================

In the matrix form one ``FullConnectedLayer.backward`` call computes a layer's weight
gradient *and* passes δ down (``δ @ W``), so ``Network._backward`` is timed whole and its
gradient part is timed again on its own, with the very δ each layer received (recorded during
the ``_backward`` call); the delta phase is the difference. Every phase is timed inside real
training steps, one ``perf_counter`` pair per phase, and the median over the steps is kept.

``neurons.Network.train_one_sample`` runs exactly these four phases.

``vectorized.Network.train_one_sample`` runs the fused one-sample step ``_backward_and_update``
(deltas, then 式9/式10 applied to W without forming W_grad; the first layer holds its steps and
adds ``DEFERRED_STEPS`` of them at a time, see vectorized/deferred.py). It is timed too, as one
more figure beside the four textbook phases, after them: in runs of ``DEFERRED_STEPS``
consecutive steps, so that each run includes the one step that adds the held steps to W.

Finally the passes over the first layer's (300, 784) weights that a one-sample step makes are
timed alone, as a floor: the product ``W·x``, the update ``W += η·δxᵀ`` of one step
(``vectorized.blas.rank1_update``) and that of ``DEFERRED_STEPS`` held steps at once
(``vectorized.blas.product_update``), on one BLAS thread as ``train_one_sample`` runs them.
"""

import gc
import statistics
import time

import numpy as np

import neurons
import vectorized
import vectorized.blas
import vectorized.layer

from .neurons_timing import random_samples
from .timing import measure

SIZES = (784, 300, 10)
PHASES = ("forward", "deltas", "gradients", "update")
RATE = 0.1


def _median_phases(samples):
    return {name: statistics.median(values) for name, values in samples.items()}


def time_neurons_phases(sizes=SIZES, steps=10, seed=0):
    """Median seconds of each phase of ``neurons`` training steps (plus their sum)."""
    net = neurons.Network(list(sizes), seed=seed)
    pairs = random_samples(sizes[0], sizes[-1], 8, seed)
    samples = {name: [] for name in PHASES}
    clock = time.perf_counter
    gc.disable()
    try:
        for k in range(steps + 1):  # step 0 is a warm-up, not recorded
            label, sample = pairs[k % len(pairs)]
            t0 = clock()  # the four phases of train_one_sample
            net.predict(sample)
            t1 = clock()
            net.calc_delta(label)
            t2 = clock()
            net.calc_gradient()
            t3 = clock()
            net.update_weight(RATE)
            t4 = clock()
            if k > 0:
                for name, seconds in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                    samples[name].append(seconds)
    finally:
        gc.enable()
    return _median_phases(samples)


class _DeltaRecorder:
    """Wraps the ``backward`` of each layer for one call, remembering the δ it was given."""

    def __init__(self, layers):
        self.layers = layers
        self.deltas = [None] * len(layers)

    def __enter__(self):
        for index, layer in enumerate(self.layers):
            def recording(delta, l2=0.0, propagate=True, _index=index, _method=layer.backward):
                self.deltas[_index] = delta
                return _method(delta, l2, propagate=propagate)
            layer.backward = recording  # an instance attribute shadows the method
        return self

    def __exit__(self, *exc):
        for layer in self.layers:
            del layer.backward
        return False


def time_vectorized_phases(sizes=SIZES, steps=1000, seed=0, dtype="float64"):
    """Median seconds of each phase of ``vectorized`` training steps (plus their sum)."""
    net = vectorized.Network(list(sizes), seed=seed, dtype=dtype)
    pairs = [(np.asarray(t, dtype=dtype), np.asarray(x, dtype=dtype))
             for t, x in random_samples(sizes[0], sizes[-1], 8, seed)]
    samples = {name: [] for name in ("forward", "backward", "gradients", "update")}
    clock = time.perf_counter
    layers = net.layers
    gc.disable()
    try:
        for k in range(steps + 1):
            label, sample = pairs[k % len(pairs)]
            t0 = clock()
            y = net._forward(sample)
            t1 = clock()
            with _DeltaRecorder(layers) as recorder:
                net._backward(y, label)
            # time the backward pass again, unwrapped (the recorder's wrapper costs time)
            t2 = clock()
            net._backward(y, label)
            t3 = clock()
            for layer, delta in zip(layers, recorder.deltas):
                layer.backward(delta, net.l2, propagate=False)
            t4 = clock()
            net._update(RATE)
            t5 = clock()
            if k:
                samples["forward"].append(t1 - t0)
                samples["backward"].append(t3 - t2)
                samples["gradients"].append(t4 - t3)
                samples["update"].append(t5 - t4)
        samples["fused"] = _time_fused_runs(net, pairs, max(1, steps // 16))
    finally:
        gc.enable()
    medians = _median_phases(samples)
    backward = medians.pop("backward")
    medians["deltas"] = max(backward - medians["gradients"], 0.0)
    medians["backward"] = backward
    return medians


def _time_fused_runs(net, pairs, runs):
    """Seconds per step of ``net._backward_and_update``, one figure per run of
    ``DEFERRED_STEPS`` consecutive steps (its forward passes are not counted)."""
    run_length = max(1, vectorized.layer.DEFERRED_STEPS)
    clock = time.perf_counter
    per_step = []
    for run in range(runs + 1):  # run 0 is a warm-up
        seconds = 0.0
        for k in range(run_length):
            label, sample = pairs[(run * run_length + k) % len(pairs)]
            y = net._forward(sample)
            start = clock()
            net._backward_and_update(y, label, RATE)
            seconds += clock() - start
        if run:
            per_step.append(seconds / run_length)
    return per_step


def time_weight_passes(sizes=SIZES, dtype="float64", repeats=9, min_time=0.05):
    """Median seconds of the first layer's product ``W·x`` and, when SciPy is there, of its
    updates: one step's rank-1 update, and ``DEFERRED_STEPS`` held steps added in one product
    (``held_update_seconds`` is per step). Each is timed alone on a (sizes[1], sizes[0]) array;
    the updates are None without SciPy."""
    rng = np.random.default_rng(0)
    W = rng.uniform(-0.1, 0.1, (sizes[1], sizes[0])).astype(dtype)
    x = rng.random(sizes[0]).astype(dtype)
    delta = rng.uniform(-1e-3, 1e-3, sizes[1]).astype(dtype)
    held = max(1, vectorized.layer.DEFERRED_STEPS)
    U = rng.uniform(-1e-9, 1e-9, (held, sizes[1])).astype(dtype)  # rows η·δ_i, as held
    X = rng.random((held, sizes[0])).astype(dtype)  # rows x_i
    product = measure(lambda: W @ x, repeats=repeats, min_time=min_time)["median"]
    update = held_update = None
    if _uses_scipy_blas():
        update = measure(lambda: vectorized.blas.rank1_update(W, 1e-9, delta, x), repeats=repeats,
                         min_time=min_time)["median"]
        held_update = measure(lambda: vectorized.blas.product_update(W, 1.0, U.T, X),
                              repeats=repeats, min_time=min_time)["median"] / held
    return {"product_seconds": product, "rank1_update_seconds": update,
            "held_update_seconds": held_update, "held_steps": held,
            "shape": [sizes[1], sizes[0]], "dtype": dtype}


def run(quick=False, progress=print):
    progress(f"phases: {list(SIZES)}")
    neu = time_neurons_phases(steps=3 if quick else 15)
    vec = time_vectorized_phases(steps=200 if quick else 2000)
    rows = []
    neu_total = sum(neu[name] for name in PHASES)
    vec_total = sum(vec[name] for name in PHASES)
    for name in PHASES:
        rows.append({
            "phase": name,
            "neurons_seconds": neu[name],
            "neurons_share": neu[name] / neu_total,
            "vectorized_seconds": vec[name],
            "vectorized_share": vec[name] / vec_total,
            "ratio": neu[name] / vec[name] if vec[name] > 0 else float("nan"),
        })
    return {
        "layer_sizes": list(SIZES),
        "dtype": "float64",
        "rows": rows,
        "neurons_total_seconds": neu_total,
        "vectorized_total_seconds": vec_total,
        "vectorized_backward_seconds": vec["backward"],
        # gradients + update in one pass, as neurons' train_one_sample does them
        "neurons_fused_gradient_update_seconds": neu.get("fused"),
        # deltas + gradients + update as train_one_sample does them (held steps included)
        "vectorized_fused_backward_update_seconds": vec["fused"],
        "deferred_steps": vectorized.layer.DEFERRED_STEPS,
        "vectorized_uses_scipy_blas": _uses_scipy_blas(),
        "weight_passes": time_weight_passes(repeats=3 if quick else 9),
    }


def _uses_scipy_blas():
    """Whether vectorized updates W in place with SciPy's BLAS (?ger, ?gemm)."""
    return bool(vectorized.blas.USE_SCIPY_BLAS)
