"""Section 1b: from the textbook step to ``vectorized.fast``, one trick at a time.

Each rung is ``train_one_sample`` on 784-300-10 with one more of the fast engine's tricks
switched on than the rung before (module switches of ``vectorized.fast``, set around each
call). All rungs are timed in alternation (``timing.measure_interleaved``), so each trick's
saving is measured under the same machine conditions as the others. docs/fast.md quotes these
figures.
"""

import contextlib

import numpy as np

import vectorized
import vectorized.fast
from vectorized.fast import activators, blas
from vectorized.fast import layer as fast_layer

from .formatting import ratio, sizes_name, table
from .neurons_timing import N_SAMPLES, random_samples
from .timing import cycling, format_time, measure_interleaved

SIZES = [784, 300, 10]


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


def _stepper(network_class, dtype, switches, seed=0):
    with _switched(switches):
        net = network_class(SIZES, seed=seed, dtype=dtype)
    pairs = [(np.asarray(t, dtype=dtype), np.asarray(x, dtype=dtype))
             for t, x in random_samples(SIZES[0], SIZES[-1], N_SAMPLES, seed)]
    next_pair = cycling(pairs)

    def step():
        label, sample = next_pair()
        with _switched(switches):
            net.train_one_sample(label, sample, 0.1)

    return step


def run(quick=False, progress=print):
    progress("ladder: textbook to fast, one trick at a time, in alternation")
    steppers = {name: _stepper(cls, dtype, switches) for name, _, cls, dtype, switches in RUNGS}
    if not blas.USE_SCIPY_BLAS:  # without SciPy the BLAS and expit rungs are the NumPy path
        for name in ("+ BLAS ?ger", "+ expit"):
            steppers.pop(name)
    timings = measure_interleaved(steppers, repeats=3 if quick else 11,
                                  min_time=0.02 if quick else 0.1)
    rows = []
    for name, what, _, dtype, _ in RUNGS:
        if name in timings:
            rows.append({"rung": name, "adds": what, "dtype": dtype,
                         "seconds": timings[name]["median"]})
    return {"layer_sizes": SIZES, "rows": rows}


def markdown(results):
    rows, first = results["ladder"]["rows"], results["ladder"]["rows"][0]["seconds"]
    return (["", f"### 1b. From the textbook step to `vectorized.fast` "
                 f"({sizes_name(results['ladder']['layer_sizes'])}), one trick at a time", ""]
            + table(["step", "what it adds", "dtype", "`train_one_sample`", "textbook ÷ this"],
                    [[r["rung"], r["adds"], r["dtype"], format_time(r["seconds"]),
                      ratio(first / r["seconds"])] for r in rows]))
