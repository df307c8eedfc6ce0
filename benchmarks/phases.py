"""Section 2: where a training step's time goes, phase by phase: the public phases
``predict`` (式1/式2), ``calc_delta`` (式3, 式4 / 式7, 式8), ``calc_gradient`` and
``update_weight`` (式5 / 式9, 式10) of ``neurons`` and the textbook ``vectorized``, one
``perf_counter`` pair per phase inside real training steps (median over the steps).
(``vectorized.fast`` fuses the last three: its step is in sections 1 and 1b.)
"""

import gc
import statistics
import time

import numpy as np

import neurons
import vectorized

from .formatting import format_time, ratio, sizes_name, table
from .neurons_timing import random_samples

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


def run(quick=False, progress=print):
    progress(f"phases: {list(SIZES)}")
    pairs = random_samples(SIZES[0], SIZES[-1], 8, 0)
    neu = time_public_phases(neurons.Network(list(SIZES), seed=0), pairs, 3 if quick else 15)
    arrays = [(np.asarray(t), np.asarray(x)) for t, x in pairs]
    vec = time_public_phases(vectorized.Network(list(SIZES), seed=0), arrays,
                             100 if quick else 1000)
    neu_total, vec_total = sum(neu.values()), sum(vec.values())
    rows = [{"phase": name, "neurons_seconds": neu[name], "neurons_share": neu[name] / neu_total,
             "textbook_seconds": vec[name], "textbook_share": vec[name] / vec_total,
             "ratio": neu[name] / vec[name] if vec[name] > 0 else float("nan")}
            for name in PHASES]
    return {"layer_sizes": list(SIZES), "dtype": "float64", "rows": rows,
            "neurons_total_seconds": neu_total, "textbook_total_seconds": vec_total}


def markdown(results):
    section = results["phases"]
    neu, vec = section["neurons_total_seconds"], section["textbook_total_seconds"]
    rows = [[r["phase"], format_time(r["neurons_seconds"]), f"{100 * r['neurons_share']:.0f}%",
             format_time(r["textbook_seconds"]), f"{100 * r['textbook_share']:.0f}%",
             ratio(r["ratio"])] for r in section["rows"]]
    rows.append(["**one step**", format_time(neu), "100%", format_time(vec), "100%",
                 ratio(neu / vec)])
    return (["", f"## 2. Phases of one step ({sizes_name(section['layer_sizes'])}, float64)", ""]
            + table(["phase", "neurons", "share", "textbook", "share", "neurons ÷ textbook"],
                    rows))
