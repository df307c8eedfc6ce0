"""Section 7, the training run's BLAS thread rule on a busy machine (also alone:
``python -m benchmarks.busy [--quick]``, exit 1 when the target is missed).

``vectorized.Network.train`` (relu, softmax, cross-entropy) with the threads
``neurons_lab.training.threads.choose_threads`` picks and with every core, on the machine as it
is ("quiet") and, right beside it, while another process keeps one core busy with a Python loop
(three rounds, the order turned each round; one with ``--quick``). Target: the rule's busy ÷
quiet ≤ ×1.5 at batch 10 and 64.
"""

import contextlib
import multiprocessing
import statistics
import sys
import time

import vectorized
from neurons_lab.training.threads import available_cores, blas_threads, choose_threads

from .formatting import format_time, ratio, sizes_name, table
from .per_sample import random_batch_data
from .timing import measure, ratios

NETWORKS = ([784, 300, 10], [784, 500, 10])
BATCHES = (10, 64, 256)
TARGET_BATCHES, LIMIT = (10, 64), 1.5


def _spin(stop):
    while not stop.is_set():  # pure interpreter work, ~0.5 ms between looks at ``stop``
        sum(range(20_000))


@contextlib.contextmanager
def busy_core():
    """One core kept busy by another process for the block; stopped after it, however it ends."""
    context = multiprocessing.get_context("spawn")  # no fork of a process with BLAS threads
    stop = context.Event()
    process = context.Process(target=_spin, args=(stop,), daemon=True)
    process.start()
    try:
        time.sleep(0.3)  # the spawned interpreter is up and spinning
        yield process
    finally:
        stop.set()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()


def _seconds_per_step(sizes, batch, threads, quick):
    net = vectorized.Network(sizes, activation="relu", output="softmax", loss="cross_entropy",
                             seed=0)
    n = batch * (4 if quick else 8)
    labels, data = random_batch_data(sizes, n)

    def epoch():
        with blas_threads(threads):  # as a training run does: set, train, restore
            net.train(labels, data, 0.01, 1, batch_size=batch)

    timed = measure(epoch, repeats=3 if quick else 5, min_time=0.05, warmup_time=0.1)
    time.sleep(0.2)  # idle BLAS workers of a many-thread call stop spinning
    return timed["median"] * batch / n


def run(quick=False, progress=print):
    cells = [(sizes, batch) for sizes in NETWORKS for batch in BATCHES]
    cores = available_cores()
    times = {(cell, state, setting): [] for cell in range(len(cells))
             for state in ("quiet", "busy") for setting in ("rule", "all")}
    for round_ in range(1 if quick else 3):
        for k, (sizes, batch) in enumerate(cells):  # quiet and busy side by side, in turn
            for state in ("quiet", "busy")[::1 if round_ % 2 == 0 else -1]:
                progress(f"busy machine: round {round_ + 1}, {sizes} batch {batch}, {state}")
                with busy_core() if state == "busy" else contextlib.nullcontext():
                    for setting in ("rule", "all"):
                        threads = choose_threads(sizes, batch) if setting == "rule" else cores
                        times[k, state, setting].append(
                            _seconds_per_step(sizes, batch, threads, quick))
    rows = []
    for k, (sizes, batch) in enumerate(cells):
        med = {key[1:]: statistics.median(times[key]) for key in times if key[0] == k}
        quiet = times[k, "quiet", "rule"]
        rows.append({"layer_sizes": sizes, "batch_size": batch,
                     "threads": choose_threads(sizes, batch).threads,
                     "seconds_per_step": {f"{s}_{t}": v for (s, t), v in med.items()},
                     "busy_over_quiet": ratios(times[k, "busy", "rule"], quiet)[0],
                     "all_busy_over_quiet": ratios(times[k, "busy", "all"], quiet)[0]})
    return {"rows": rows}


def markdown(results):
    section = results["busy"]
    rows = [[sizes_name(r["layer_sizes"]), r["batch_size"], r["threads"]]
            + [format_time(r["seconds_per_step"][key])
               for key in ("quiet_rule", "busy_rule", "quiet_all", "busy_all")]
            + [ratio(r["busy_over_quiet"]), ratio(r["all_busy_over_quiet"])]
            for r in section["rows"]]
    return (["", "## 7. Busy machine: the thread rule with one core taken", ""]
            + table(["network", "batch", "rule's threads", "quiet", "busy", "all cores, quiet",
                     "all cores, busy", "busy ÷ quiet", "all cores busy ÷ rule quiet"], rows)
            + ["", "`train` per step, medians; \"busy\": a Python loop in another process "
                   f"holds one core (`python -m benchmarks.busy`); ratios are medians of the "
                   f"rounds' ratios. Target ≤ ×{LIMIT} at batch "
                   f"{' and '.join(map(str, TARGET_BATCHES))}."])


def targets(results):
    return [(f"busy ÷ quiet, thread rule, {sizes_name(r['layer_sizes'])} batch "
             f"{r['batch_size']}", r["busy_over_quiet"], "<=", LIMIT, "×")
            for r in results["busy"]["rows"] if r["batch_size"] in TARGET_BATCHES]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    results = {"busy": run("--quick" in argv, lambda m: print(m, file=sys.stderr, flush=True))}
    print("\n".join(markdown(results)))
    return 0 if all(t[1] <= LIMIT for t in targets(results)) else 1


if __name__ == "__main__":
    sys.exit(main())
