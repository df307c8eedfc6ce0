"""The one timer every benchmark uses: the median of several timed repeats.

Standard library only (``neurons_timing`` imports it under PyPy, where NumPy is absent).

Each function is called for ``WARMUP_SECONDS`` first (a virtual CPU runs slower for a moment
after idling), then timed in repeats with the garbage collector paused, as ``timeit`` does;
the *median* repeat is the one least affected by whatever else the machine was doing.
"""

import gc
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


def cycling(items):
    """A function returning the next item of ``items`` on every call (round-robin), so that
    repeated training steps do not all see the very same sample."""
    position = [-1]

    def next_item():
        position[0] = (position[0] + 1) % len(items)
        return items[position[0]]

    return next_item


def format_time(seconds):
    """A duration with a unit a reader can compare at a glance: ns, µs, ms or s."""
    if seconds is None or seconds != seconds:  # missing or NaN
        return "–"
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs" if seconds < 1e-4 else f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms" if seconds < 1e-2 else f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"
