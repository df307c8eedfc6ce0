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
"""

import gc
import statistics
import time

import numpy as np

import neurons
import vectorized
import vectorized.fast
import vectorized.fast.layer

from .formatting import ratio, sizes_name, table
from .neurons_timing import random_samples
from .timing import format_time

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


def run(quick=False, progress=print):
    progress(f"phases: {list(SIZES)}")
    pairs = random_samples(SIZES[0], SIZES[-1], 8, 0)
    neu = time_public_phases(neurons.Network(list(SIZES), seed=0), pairs, 3 if quick else 15)
    arrays = [(np.asarray(t), np.asarray(x)) for t, x in pairs]
    vec = time_public_phases(vectorized.Network(list(SIZES), seed=0), arrays,
                             100 if quick else 1000)
    fast = time_fast_step(runs=6 if quick else 60)
    neu_total, vec_total = sum(neu.values()), sum(vec.values())
    rows = [{"phase": name, "neurons_seconds": neu[name], "neurons_share": neu[name] / neu_total,
             "textbook_seconds": vec[name], "textbook_share": vec[name] / vec_total,
             "ratio": neu[name] / vec[name] if vec[name] > 0 else float("nan")}
            for name in PHASES]
    return {"layer_sizes": list(SIZES), "dtype": "float64", "rows": rows,
            "neurons_total_seconds": neu_total, "textbook_total_seconds": vec_total,
            "fast_step_seconds": fast["step_seconds"],
            "fast_forward_seconds": fast["forward_seconds"]}


def markdown(results):
    section = results["phases"]
    neu, vec = section["neurons_total_seconds"], section["textbook_total_seconds"]
    rows = [[r["phase"], format_time(r["neurons_seconds"]), f"{100 * r['neurons_share']:.0f}%",
             format_time(r["textbook_seconds"]), f"{100 * r['textbook_share']:.0f}%",
             ratio(r["ratio"])] for r in section["rows"]]
    rows.append(["**one step**", format_time(neu), "100%", format_time(vec), "100%",
                 ratio(neu / vec)])
    fused = section["fast_step_seconds"] - section["fast_forward_seconds"]
    return (["", f"## 2. Phases of one step ({sizes_name(section['layer_sizes'])}, float64)", ""]
            + table(["phase", "neurons", "share", "textbook", "share", "neurons ÷ textbook"],
                    rows)
            + ["", f"`vectorized.fast` runs the last three fused: {format_time(fused)} per step "
                   f"after a forward pass of {format_time(section['fast_forward_seconds'])}."])
