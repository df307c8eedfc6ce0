"""Per-sample training time of the ``neurons`` object graph — standard library only.

The same code times ``neurons`` in the benchmark's own process (CPython) and, run as a
script, under PyPy in a subprocess, where NumPy is not available::

    pypy3 -m benchmarks.neurons_timing '{"architectures": [[8, 3, 8]], "repeats": 3}'

prints one JSON object on stdout. With ``"tutorial": true`` every architecture is also timed
on the tutorial's own object design (``benchmarks/tutorial_design.py``), in alternation with
``neurons`` in the same run, and the result gives the ratio::

    pypy3 -m benchmarks.neurons_timing '{"architectures": [[784, 300, 10]], "tutorial": true}'

A CNN spec works the same way; ``"memory": true`` adds the bytes per Connection (the growth
of resident memory while building, both interpreters; under CPython also what ``tracemalloc``
traces) and the number of connections a step touches::

    pypy3 -m benchmarks.neurons_timing \
        '{"architectures": [["1x28x28", "conv20x5", "pool2", 100, 10]], "memory": true}'

Nothing here (nor in ``benchmarks/__init__.py`` or ``benchmarks/timing.py``) may import
NumPy; the result says whether it got imported anyway.
Keep the syntax Python 3.9-compatible (Debian's PyPy is 3.9).
"""

import gc
import json
import platform
import random
import statistics
import sys
import time

from . import tutorial_design
from .timing import WARMUP_SECONDS, cycling, measure, measure_interleaved

N_SAMPLES = 8  # distinct random samples cycled through by the timed training steps


def random_samples(n_in, n_out, count, seed):
    """``count`` dense random (label, sample) pairs: inputs U(0, 1), 0.9/0.1-coded labels.

    Dense random inputs are the conservative case: MNIST is ~80% zeros, which this network
    does not exploit anyway (every connection is visited regardless of its input's value).
    """
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        sample = [rng.random() for _ in range(n_in)]
        label = [0.1] * n_out
        label[rng.randrange(n_out)] = 0.9
        pairs.append((label, sample))
    return pairs


def time_train_one_sample(sizes, *, repeats=5, min_time=0.1, warmup_time=WARMUP_SECONDS,
                          seed=0):
    """Median seconds per ``neurons.Network.train_one_sample`` call on ``sizes``."""
    import neurons

    start = time.perf_counter()
    net = neurons.Network(list(sizes), seed=seed)
    build = time.perf_counter() - start
    next_pair = cycling(random_samples(net.input_size, net.output_size, N_SAMPLES, seed))

    def step():
        label, sample = next_pair()
        net.train_one_sample(label, sample, 0.1)

    result = measure(step, repeats=repeats, min_time=min_time, warmup_time=warmup_time)
    result["connections"] = len(net.connections)
    result["build_seconds"] = build
    return result


def _resident_bytes():
    """This process's resident memory (VmRSS), or None where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None


def bytes_per_connection(sizes, seed=0):
    """Memory of a ``neurons`` network per Connection, after building and after one step.

    ``connections``: the Connections with a weight (fully connected and conv, shared or not);
    ``connections_touched``: also the pool and dropout connections a step visits.
    ``rss_*``: growth of resident memory (page-sized, includes the allocator's slack);
    ``traced_*``: what ``tracemalloc`` traces, in a second network (CPython only).
    """
    import neurons

    result = {}
    for mode in ("rss", "traced") if platform.python_implementation() == "CPython" else ("rss",):
        if mode == "traced":
            import tracemalloc
            tracemalloc.start()

        def now(mode=mode):
            gc.collect()
            return _resident_bytes() if mode == "rss" else tracemalloc.get_traced_memory()[0]

        start = now()
        net = neurons.Network(list(sizes), seed=seed)
        built = now()
        (label, sample), = random_samples(net.input_size, net.output_size, 1, seed)
        net.train_one_sample(label, sample, 0.1)
        stepped = now()
        if mode == "traced":
            tracemalloc.stop()
        count = len(net.connections)
        result.update(connections=count, shared_weights=len(net.shared_weights),
                      connections_touched=sum(len(node.upstream) for layer in net.layers[1:]
                                              for node in layer.nodes))
        if start is not None:
            result[f"{mode}_bytes_per_connection_after_build"] = (built - start) / count
            result[f"{mode}_bytes_per_connection_after_step"] = (stepped - start) / count
        del net
    return result


def compare_with_tutorial(sizes, *, repeats=5, min_time=0.1, warmup_time=WARMUP_SECONDS,
                          seed=0):
    """Seconds per ``train_one_sample`` of ``neurons`` and of the tutorial's design, timed in
    alternation (repeat k of each sees the machine in the same state). Returns the medians and
    ``ratio`` = tutorial / neurons, the median of the per-repeat ratios."""
    import neurons

    ours = neurons.Network(list(sizes), seed=seed)
    theirs = tutorial_design.Network(list(sizes), seed=seed)
    pairs = random_samples(sizes[0], sizes[-1], N_SAMPLES, seed)
    next_ours, next_theirs = cycling(pairs), cycling(pairs)

    def step_ours():
        label, sample = next_ours()
        ours.train_one_sample(label, sample, 0.1)

    def step_theirs():
        label, sample = next_theirs()
        theirs.train_one_sample(label, sample, 0.1)

    timed = measure_interleaved({"neurons": step_ours, "tutorial": step_theirs},
                                repeats=repeats, min_time=min_time, warmup_time=warmup_time)
    ratios = [t / n for t, n in zip(timed["tutorial"]["times"], timed["neurons"]["times"])]
    return {"layer_sizes": list(sizes), "neurons_seconds": timed["neurons"]["median"],
            "tutorial_seconds": timed["tutorial"]["median"], "ratio": statistics.median(ratios),
            "repeats": repeats}


def run(architectures, *, repeats=5, min_time=0.1, warmup_time=WARMUP_SECONDS, seed=0,
        tutorial=False, memory=False):
    """Time every architecture; returns a JSON-ready dict. ``tutorial``: also time the
    tutorial's design beside ``neurons`` (:func:`compare_with_tutorial`) under "tutorial".
    ``memory``: measure :func:`bytes_per_connection` first, under "memory"."""
    results = []
    for sizes in architectures:
        measured = bytes_per_connection(sizes, seed=seed) if memory else None
        timing = time_train_one_sample(sizes, repeats=repeats, min_time=min_time,
                                       warmup_time=warmup_time, seed=seed)
        timing["layer_sizes"] = list(sizes)
        if measured is not None:
            timing["memory"] = measured
        if tutorial:
            timing["tutorial"] = compare_with_tutorial(
                sizes, repeats=repeats, min_time=min_time, warmup_time=warmup_time, seed=seed)
        results.append(timing)
    return {
        "implementation": platform.python_implementation(),
        "python_version": platform.python_version(),
        "version": sys.version.replace("\n", " "),
        "numpy_imported": "numpy" in sys.modules,
        "results": results,
    }


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    options = json.loads(argv[0]) if argv else {}
    architectures = options.pop("architectures", [[8, 3, 8]])
    print(json.dumps(run(architectures, **options)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
