"""The one timer every benchmark uses: the median of several timed repeats.

Standard library only (``neurons_timing`` imports it under PyPy, where NumPy is absent).

Each function is called for ``WARMUP_SECONDS`` first (a virtual CPU runs slower for a moment
after idling), then timed in repeats with the garbage collector paused, as ``timeit`` does;
the *median* repeat is the one least affected by whatever else the machine was doing.
"""

import gc
import itertools
import math
import statistics
import time

# Busy time before timing: after idling, the CPU here needs ~0.3 s to come back to full speed.
WARMUP_SECONDS = 0.5


def measure_interleaved(fns, *, repeats=5, min_time=0.1, warmup_time=WARMUP_SECONDS,
                        number=None):
    """Time several functions in alternation: repeat k times each of them in turn, so that
    their k-th repeats see the machine in the same state. ``fns``: ``{name: fn}``; ``number``
    (calls per repeat) defaults to enough calls for a repeat to last ``min_time`` seconds.
    Returns ``{name: {"median", "min", "max", "times", "repeats", "number"}}`` (seconds per
    call; ``times`` in repeat order, so ratios can be taken repeat by repeat)."""
    deadline = time.perf_counter() + warmup_time
    once = {name: 0.0 for name in fns}
    while True:  # warm up all of them (and size each repeat by its latest call)
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            once[name] = time.perf_counter() - start
        if time.perf_counter() >= deadline:
            break
    number = {name: number or max(1, math.ceil(min_time / max(once[name], 1e-9)))
              for name in fns}
    times = {name: [] for name in fns}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for name, fn in fns.items():
                start = time.perf_counter()
                for _ in range(number[name]):
                    fn()
                times[name].append((time.perf_counter() - start) / number[name])
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: {"median": statistics.median(values), "min": min(values), "max": max(values),
                   "times": values, "repeats": repeats, "number": number[name]}
            for name, values in times.items()}


def measure(fn, **options):
    """Time ``fn()`` alone: :func:`measure_interleaved` of one function."""
    return measure_interleaved({"fn": fn}, **options)["fn"]


def ratios(numerators, denominators):
    """(median, [lowest, highest]) of the repeat-by-repeat ratios of two lists of times."""
    values = sorted(a / b for a, b in zip(numerators, denominators))
    return statistics.median(values), [values[0], values[-1]]


def stepper(net, pairs, rate=0.1):
    """A function training ``net`` on the next (label, sample) of ``pairs`` at each call
    (round-robin), so that repeated steps do not all see the very same sample."""
    cycle = itertools.cycle(pairs)

    def step():
        label, sample = next(cycle)
        net.train_one_sample(label, sample, rate)

    return step
