"""Section 1: ``train_one_sample`` (float64) of ``neurons``, the textbook ``vectorized`` and
``vectorized.fast`` side by side (and fast ``train`` at batch 64, per sample); on 784-300-10
also the tutorial's vectorised design (``tutorial_fc.py``) and its object design
(``tutorial_design.py``, in alternation with ``neurons``). Section 1b, the ladder: each rung
switches on one more of the fast engine's tricks (module switches set around each call), all
rungs timed in alternation; docs/fast.md quotes it.
"""

import contextlib

import numpy as np

import vectorized
import vectorized.fast
from vectorized.fast import activators, blas
from vectorized.fast import layer as fast_layer

from . import tutorial_fc
from .formatting import format_time, ratio, sizes_name, table
from .neurons_timing import N_SAMPLES, compare_with_tutorial, random_samples
from .neurons_timing import time_train_one_sample as time_neurons
from .timing import measure, measure_interleaved, stepper

ARCHITECTURES = ([8, 3, 8], [784, 10, 10], [784, 30, 10], [784, 100, 10], [784, 300, 10])
BIG = [784, 300, 10]
BATCH = 64
ENGINES = {"textbook": vectorized, "fast": vectorized.fast}


def array_pairs(sizes, dtype="float64", seed=0):
    """:func:`~benchmarks.neurons_timing.random_samples` as 1-D arrays of ``dtype``."""
    return [(np.asarray(t, dtype=dtype), np.asarray(x, dtype=dtype))
            for t, x in random_samples(sizes[0], sizes[-1], N_SAMPLES, seed)]


def random_batch_data(sizes, n, seed=0, dtype="float64"):
    """(labels (n, out), data (n, in)) arrays: inputs U(0, 1), 0.9/0.1-coded labels."""
    rng = np.random.default_rng(seed)
    data = rng.random((n, sizes[0])).astype(dtype)
    labels = np.full((n, sizes[-1]), 0.1, dtype=dtype)
    labels[np.arange(n), rng.integers(0, sizes[-1], n)] = 0.9
    return labels, data


def time_batched(sizes, batch_size, *, n, repeats, min_time):
    """Median seconds per *sample* of one fast ``train`` epoch over ``n`` samples."""
    net = vectorized.fast.Network(list(sizes), seed=0)
    labels, data = random_batch_data(sizes, n)
    result = measure(lambda: net.train(labels, data, 0.1, 1, batch_size=batch_size),
                     repeats=repeats, min_time=min_time)
    return result["median"] / n


def run(quick=False, progress=print):
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)  # the machine drifts: many repeats
    rows = []
    for sizes in ARCHITECTURES:
        progress(f"per-sample: {sizes}")
        neu = time_neurons(sizes, repeats=repeats, min_time=min_time)
        # many consecutive calls per repeat: what the fast engine does every few steps counts
        textbook, fast = (measure(stepper(ENGINES[engine].Network(sizes, seed=0),
                                          array_pairs(sizes)),
                                  repeats=repeats, min_time=min_time)["median"]
                          for engine in ("textbook", "fast"))
        batched = time_batched(sizes, BATCH, n=4 * BATCH, repeats=repeats, min_time=min_time)
        rows.append({"layer_sizes": list(sizes), "connections": neu["connections"],
                     "neurons_seconds": neu["median"], "textbook_seconds": textbook,
                     "fast_seconds": fast, "fast_batch64_seconds_per_sample": batched,
                     "ratio_textbook": neu["median"] / textbook,
                     "ratio_fast": neu["median"] / fast})
    progress("per-sample: [784, 300, 10] the tutorial's designs")
    columns = [(t.reshape(-1, 1), x.reshape(-1, 1)) for t, x in array_pairs(BIG)]  # as fc.py
    tutorial = measure(stepper(tutorial_fc.Network(BIG), columns), repeats=repeats,
                       min_time=min_time)
    objects = compare_with_tutorial(BIG, repeats=repeats, min_time=min_time)
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
    big, fc = row_of(results, BIG), section["tutorial_fc_784_300_10"]["median"]
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
    return lines + ladder_markdown(results)


class _FullChecks(vectorized.fast.Network):
    """The fast engine with the textbook's input checks (no short path for ready arrays)."""

    def _is_ready(self, value, width, ndim):
        return False


# (name, what it adds, Network class, dtype, switches: (module, name, value))
RUNGS = (
    ("textbook", "the four phases: the gradient formed, scaled, then subtracted",
     vectorized.Network, "float64", ()),
    ("fused step", "η into δ first, η·δxᵀ formed once into a buffer and added (sgd_step)",
     _FullChecks, "float64", ((blas, "USE_SCIPY_BLAS", False),
                              (activators, "USE_SCIPY_EXPIT", False),
                              (fast_layer, "DEFERRED_STEPS", 0))),
    ("+ BLAS ?ger", "BLAS adds δxᵀ into W itself: one pass over W, no buffer",
     _FullChecks, "float64", ((activators, "USE_SCIPY_EXPIT", False),
                              (fast_layer, "DEFERRED_STEPS", 0))),
    ("+ expit", "the sigmoid of one sample in one C call",
     _FullChecks, "float64", ((fast_layer, "DEFERRED_STEPS", 0),)),
    ("+ held steps", "16 steps added to W in one ?gemm: one pass over W per 16 samples",
     _FullChecks, "float64", ()),
    ("+ ready inputs", "a finite array of the right dtype skips the general checks "
     "(= vectorized.fast)", vectorized.fast.Network, "float64", ()),
    ("float32", "the same engine on 4-byte floats: half the bytes to move",
     vectorized.fast.Network, "float32", ()),
)


@contextlib.contextmanager
def _switched(switches):
    saved = [(module, name, getattr(module, name)) for module, name, _ in switches]
    for module, name, value in switches:
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _rung(network_class, dtype, switches):
    with _switched(switches):
        step = stepper(network_class(BIG, seed=0, dtype=dtype), array_pairs(BIG, dtype))

    def switched_step():
        with _switched(switches):
            step()

    return switched_step


def run_ladder(quick=False, progress=print):
    progress("ladder: textbook to fast, one trick at a time, in alternation")
    rungs = {name: _rung(cls, dtype, switches) for name, _, cls, dtype, switches in RUNGS
             # without SciPy the BLAS and expit rungs are the NumPy path: left out
             if blas.USE_SCIPY_BLAS or name not in ("+ BLAS ?ger", "+ expit")}
    timings = measure_interleaved(rungs, repeats=3 if quick else 11,
                                  min_time=0.02 if quick else 0.1)
    return {"layer_sizes": BIG,
            "rows": [{"rung": name, "adds": what, "dtype": dtype,
                      "seconds": timings[name]["median"]}
                     for name, what, _, dtype, _ in RUNGS if name in timings]}


def ladder_markdown(results):
    if not results.get("ladder"):
        return []
    rows, first = results["ladder"]["rows"], results["ladder"]["rows"][0]["seconds"]
    return (["", f"### 1b. From the textbook step to `vectorized.fast` "
                 f"({sizes_name(results['ladder']['layer_sizes'])}), one trick at a time", ""]
            + table(["step", "what it adds", "dtype", "`train_one_sample`", "textbook ÷ this"],
                    [[r["rung"], r["adds"], r["dtype"], format_time(r["seconds"]),
                      ratio(first / r["seconds"])] for r in rows]))
