"""Section 1: one training step per sample: ``neurons``, the textbook ``vectorized`` and
``vectorized.fast``, side by side, and the tutorial's own two designs as yardsticks.

For each architecture the three run ``train_one_sample`` (float64, the dtype in which they give
the same numbers) on dense random samples; ``vectorized.fast`` also runs ``train`` with
``batch_size=64``, its time divided by the samples. On 784-300-10 also the tutorial's
vectorised design (``tutorial_fc.py``) and its object design (``tutorial_design.py``, timed in
alternation with ``neurons``). All in one run, so the ratios compare like with like.
"""

import numpy as np

import vectorized
import vectorized.fast

from . import tutorial_fc
from .formatting import ratio, sizes_name, table
from .neurons_timing import (
    N_SAMPLES,
    compare_with_tutorial,
    random_samples,
    time_train_one_sample,
)
from .timing import cycling, format_time, measure

ARCHITECTURES = ([8, 3, 8], [784, 10, 10], [784, 30, 10], [784, 100, 10], [784, 300, 10])
BATCH = 64
ENGINES = {"textbook": vectorized, "fast": vectorized.fast}


def time_engine_one_sample(engine, sizes, *, repeats, min_time, seed=0, dtype="float64"):
    """Median seconds per ``Network.train_one_sample`` call of ``engine`` ("textbook" or
    "fast"). Each repeat times many consecutive calls, so whatever the fast engine does only
    every few steps is counted."""
    net = ENGINES[engine].Network(list(sizes), seed=seed, dtype=dtype)
    pairs = [(np.asarray(t, dtype=dtype), np.asarray(x, dtype=dtype))
             for t, x in random_samples(net.input_size, net.output_size, N_SAMPLES, seed)]
    next_pair = cycling(pairs)

    def step():
        label, sample = next_pair()
        net.train_one_sample(label, sample, 0.1)

    return measure(step, repeats=repeats, min_time=min_time)


def random_batch_data(sizes, n, seed=0, dtype="float64"):
    """(labels (n, out), data (n, in)) arrays: inputs U(0, 1), 0.9/0.1-coded labels."""
    rng = np.random.default_rng(seed)
    data = rng.random((n, sizes[0])).astype(dtype)
    labels = np.full((n, sizes[-1]), 0.1, dtype=dtype)
    labels[np.arange(n), rng.integers(0, sizes[-1], n)] = 0.9
    return labels, data


def time_batched(sizes, batch_size, *, n, repeats, min_time, seed=0, dtype="float64"):
    """Median seconds per *sample* of one fast ``train`` epoch over ``n`` samples."""
    net = vectorized.fast.Network(list(sizes), seed=seed, dtype=dtype)
    labels, data = random_batch_data(sizes, n, seed, dtype)
    result = measure(lambda: net.train(labels, data, 0.1, 1, batch_size=batch_size),
                     repeats=repeats, min_time=min_time)
    return result["median"] / n


def run(quick=False, progress=print):
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)  # the machine drifts: many repeats
    rows = []
    for sizes in ARCHITECTURES:
        progress(f"per-sample: {sizes}")
        neu = time_train_one_sample(sizes, repeats=repeats, min_time=min_time)
        textbook, fast = (time_engine_one_sample(engine, sizes, repeats=repeats,
                                                 min_time=min_time)["median"]
                          for engine in ("textbook", "fast"))
        batched = time_batched(sizes, BATCH, n=4 * BATCH, repeats=repeats, min_time=min_time)
        rows.append({"layer_sizes": list(sizes), "connections": neu["connections"],
                     "neurons_seconds": neu["median"], "textbook_seconds": textbook,
                     "fast_seconds": fast, "fast_batch64_seconds_per_sample": batched,
                     "ratio_textbook": neu["median"] / textbook,
                     "ratio_fast": neu["median"] / fast})
    big = [784, 300, 10]
    progress("per-sample: [784, 300, 10] the tutorial's designs")
    tutorial = tutorial_fc.time_train_one_sample(big, repeats=repeats, min_time=min_time)
    objects = compare_with_tutorial(big, repeats=repeats, min_time=min_time)
    return {"dtype": "float64", "rows": rows, "tutorial_fc_784_300_10": tutorial,
            "tutorial_design_784_300_10": objects}


def row_of(results, sizes):
    return next(row for row in results["per_sample"]["rows"] if row["layer_sizes"] == sizes)


def markdown(results):
    section = results["per_sample"]
    pypy = results.get("pypy", {})
    on_pypy = {tuple(r["layer_sizes"]): r["median"] for r in pypy.get("results", [])}
    rows = [[sizes_name(r["layer_sizes"]), f"{r['connections']:,}",
             format_time(r["neurons_seconds"])]
            + ([format_time(on_pypy.get(tuple(r["layer_sizes"])))] if on_pypy else [])
            + [format_time(r["textbook_seconds"]), ratio(r["ratio_textbook"]),
               format_time(r["fast_seconds"]), ratio(r["ratio_fast"]),
               format_time(r["fast_batch64_seconds_per_sample"])] for r in section["rows"]]
    head = (["network", "connections", "neurons"] + (["neurons (PyPy)"] if on_pypy else [])
            + ["textbook", "neurons ÷ textbook", "fast", "neurons ÷ fast",
               "fast, batch 64, per sample"])
    lines = ["", "## 1. Per-sample training: `train_one_sample` (float64)", ""]
    lines += table(head, rows)
    big, fc = row_of(results, [784, 300, 10]), section["tutorial_fc_784_300_10"]["median"]
    objects = section["tutorial_design_784_300_10"]
    lines += ["", f"784-300-10, the tutorial's designs: its `fc.py` matrices "
                  f"(benchmarks/tutorial_fc.py) {format_time(fc)} per sample, "
                  f"{ratio(fc / big['textbook_seconds'])} the textbook engine's time and "
                  f"{ratio(fc / big['fast_seconds'])} the fast engine's; its object graph "
                  f"(benchmarks/tutorial_design.py) {format_time(objects['tutorial_seconds'])}, "
                  f"{ratio(objects['ratio'])} `neurons`' time, timed in alternation."]
    if pypy.get("error"):
        lines += ["", f"PyPy: `{pypy['executable']}` failed: {pypy['error']}"]
    elif not pypy.get("found"):
        lines += ["", "PyPy: `pypy3` was not found on PATH."]
    return lines
