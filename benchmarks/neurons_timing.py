"""Per-sample training time of the ``neurons`` object graph — standard library only.

The same code times ``neurons`` in the benchmark's own process (CPython) and, run as a
script, under PyPy in a subprocess (:func:`run_pypy`), where NumPy is not available::

    pypy3 -m benchmarks.neurons_timing '{"architectures": [[8, 3, 8]], "repeats": 3}'

prints one JSON object. ``"tutorial": true`` also times the tutorial's object design
(``tutorial_design.py``) in alternation with ``neurons`` and gives the ratio; ``"memory":
true`` adds the bytes per Connection and the connections a step touches. A CNN spec works too:
``'{"architectures": [["1x28x28", "conv20x5", "pool2", 100, 10]], "memory": true}'``.

Nothing here (nor in ``__init__.py``, ``timing.py``, ``tutorial_design.py``) may import NumPy;
the result says whether it got imported anyway. Python 3.9 syntax (Debian's PyPy is 3.9).
"""

import gc
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time

from . import PROJECT_ROOT, tutorial_design
from .timing import WARMUP_SECONDS, measure, measure_interleaved, ratios, stepper

N_SAMPLES = 8  # distinct random samples cycled through by the timed training steps


def random_samples(n_in, n_out, count, seed):
    """``count`` dense random (label, sample) pairs: inputs U(0, 1), 0.9/0.1-coded labels
    (MNIST's ~80% zeros would save no engine any work: dense is the conservative case)."""
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
    pairs = random_samples(net.input_size, net.output_size, N_SAMPLES, seed)
    result = measure(stepper(net, pairs), repeats=repeats, min_time=min_time,
                     warmup_time=warmup_time)
    result["connections"] = len(net.connections)
    result["build_seconds"] = build
    return result


def status_bytes(field):
    """A field of /proc/self/status in bytes ("VmRSS", "VmHWM"), or None where it is missing."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            return next(int(line.split()[1]) * 1024 for line in f
                        if line.startswith(field + ":"))
    except (OSError, ValueError, StopIteration):
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
            return status_bytes("VmRSS") if mode == "rss" else tracemalloc.get_traced_memory()[0]

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
    alternation. Returns the medians and ``ratio`` = tutorial / neurons, the median of the
    per-repeat ratios."""
    import neurons

    pairs = random_samples(sizes[0], sizes[-1], N_SAMPLES, seed)
    timed = measure_interleaved(
        {"neurons": stepper(neurons.Network(list(sizes), seed=seed), pairs),
         "tutorial": stepper(tutorial_design.Network(list(sizes), seed=seed), pairs)},
        repeats=repeats, min_time=min_time, warmup_time=warmup_time)
    return {"layer_sizes": list(sizes), "neurons_seconds": timed["neurons"]["median"],
            "tutorial_seconds": timed["tutorial"]["median"], "repeats": repeats,
            "ratio": ratios(timed["tutorial"]["times"], timed["neurons"]["times"])[0]}


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


def run_pypy(architectures, quick=False, progress=print):
    """The report's per-sample ``neurons`` timings under a ``pypy3`` on PATH, in a subprocess
    (a JIT warm-up before the timed repeats), or ``{"found": False}``."""
    executable = shutil.which("pypy3")
    if executable is None:
        return {"found": False}
    progress(f"pypy: {executable}")
    options = {"architectures": [list(sizes) for sizes in architectures],
               "repeats": 3 if quick else 7, "min_time": 0.02 if quick else 0.2,
               "warmup_time": 0.3 if quick else 2.0}
    env = dict(os.environ, PYTHONPATH=PROJECT_ROOT)  # the checkout, not CPython's packages
    try:
        done = subprocess.run([executable, "-m", "benchmarks.neurons_timing", json.dumps(options)],
                              capture_output=True, text=True, cwd=PROJECT_ROOT, env=env,
                              timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"found": True, "executable": executable, "error": str(error)}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"found": True, "executable": executable,
                "error": f"exit status {done.returncode}: {last}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(found=True, executable=executable, options=options)
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    options = json.loads(argv[0]) if argv else {}
    architectures = options.pop("architectures", [[8, 3, 8]])
    print(json.dumps(run(architectures, **options)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
