"""Where a second BLAS thread starts to pay: ``python -m benchmarks.crossover [--quick]``.

For each network 784-H-10 (relu hidden layer, softmax output, cross-entropy) and batch size,
times ``vectorized.Network.train`` on one BLAS thread and on all cores, alternating repeat by
repeat, and prints the median of the per-pair ratios (one thread ÷ all threads: above 1, the
threads pay). Of several pairs, only those during which other processes used the least CPU
count (:class:`~benchmarks.cpuload.OtherLoad`), and the most those others used is printed:
on a shared machine the figures are only as quiet as that column says. The numbers behind
``training.threads.WORK_PER_THREAD`` come from here.
"""

import argparse
import statistics
import sys
import time

import numpy as np

import vectorized
from neurons_lab.training.threads import available_cores, blas_threads, largest_product

from .cpuload import OtherLoad, settle

HIDDEN = (100, 300, 500, 1000)
BATCHES = (1, 4, 16, 32, 64, 128, 256, 1024)


def training_call(hidden, batch, threads, seconds=0.15):
    """A function running one ``train`` epoch of about ``seconds`` on ``threads`` threads, and
    the steps it takes."""
    sizes = [784, hidden, 10]
    net = vectorized.Network(sizes, activation="relu", output="softmax", loss="cross_entropy",
                             seed=0)
    rng = np.random.default_rng(0)
    n = batch * 8
    data, labels = rng.random((n, 784)), np.eye(10)[rng.integers(0, 10, n)]
    with blas_threads(threads):
        start = time.perf_counter()
        net.train(labels, data, 0.01, 1, batch_size=batch)
        once = time.perf_counter() - start
    epochs = max(1, round(seconds / max(once, 1e-6)))

    def call():
        with blas_threads(threads):
            net.train(labels, data, 0.01, epochs, batch_size=batch)

    return call, epochs * n // batch


def quietest_pairs(calls, pairs, keep):
    """Time the calls in alternation ``pairs`` times; returns the ``keep`` rounds during which
    other processes used the least CPU, as ``[(others' cores, [seconds per call])]``."""
    rounds = []
    for call in calls:
        call()  # warm up
    for _ in range(pairs):
        times, loads = [], []
        for call in calls:
            with OtherLoad() as load:
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            loads.append(load.cores or 0.0)
            settle()  # let the idle BLAS workers stop spinning before the next call
        rounds.append((max(loads), times))
    return sorted(rounds, key=lambda r: r[0])[:keep]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crossover", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="four pairs per cell")
    parser.add_argument("--hidden", default=",".join(map(str, HIDDEN)))
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)))
    args = parser.parse_args(argv)
    cores = available_cores()
    pairs, keep = (4, 2) if args.quick else (15, 5)
    print(f"{cores} cores; one thread vs {cores}; {pairs} pairs each, the {keep} during "
          "which other processes used the least CPU\n")
    print("| network | batch | multiply-adds | 1 thread, per step | all, per step "
          "| 1 ÷ all | others' load |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for hidden in (int(h) for h in args.hidden.split(",")):
        for batch in (int(b) for b in args.batches.split(",")):
            (one, steps1), (all_, steps2) = (training_call(hidden, batch, t) for t in (1, cores))
            kept = [(load, (a / steps1, b / steps2))  # seconds per step
                    for load, (a, b) in quietest_pairs([one, all_], pairs, keep)]
            ratio = statistics.median(a / b for _, (a, b) in kept)
            t1 = statistics.median(a for _, (a, _) in kept)
            t2 = statistics.median(b for _, (_, b) in kept)
            load = max(other for other, _ in kept)
            work = batch * largest_product([784, hidden, 10])
            print(f"| 784-{hidden}-10 | {batch} | {work:,} | {t1 * 1e3:.3f} ms "
                  f"| {t2 * 1e3:.3f} ms | {ratio:.2f} | ≤ {load:.2f} cores |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
