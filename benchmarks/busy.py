"""Mini-batch training on a quiet and on a busy machine: ``python -m benchmarks.busy [--quick]``.

Times ``vectorized.Network.train`` (relu hidden layers, softmax output, cross-entropy; dense
random inputs) for each network and batch size with three BLAS thread settings:

* ``default`` — :func:`training.threads.choose_threads`, decided at the start of each block as
  a training run decides it (so on the busy machine it sees the busy core);
* ``one`` — one thread; ``all`` — as many threads as cores (OpenBLAS's own default);

first on the machine as it is ("quiet"), then with one core kept busy by a plain Python loop in
another process (:func:`~benchmarks.cpuload.busy_core`). The three settings are timed in
alternation, repeat by repeat, in a rotating order, with a pause of single-threaded work after
a multi-threaded setting (its idle BLAS workers spin for a while and slow the next); full mode
alternates quiet and busy blocks three times. Every figure is a median; the ratios compare
medians of this one run. How much CPU *other* processes used during the quiet blocks is
reported, since a shared machine is never quite quiet.

For the suite: :func:`run` fills a results entry, :func:`markdown` turns it into lines, and
:func:`check_targets` gives rows in ``benchmarks.report``'s target format.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np

import vectorized
from neurons_lab.training.threads import available_cores, blas_threads, choose_threads

from .cpuload import OtherLoad, busy_core
from .cpuload import settle as _settle
from .environment import blas_libraries, load_average
from .timing import format_time

NETWORKS = ([784, 300, 10], [784, 500, 10])
BATCHES = (1, 10, 64, 256)
SETTINGS = ("default", "one", "all")
STATES = ("quiet", "busy")
#: (batch sizes, measured ratio, limit): busy ÷ quiet with the default policy; default ÷ the
#: best of one and all threads on the quiet machine.
BUSY_LIMIT, BUSY_BATCHES = 1.5, (10, 64)
QUIET_LIMIT = 1.10
#: Above this many cores used by other processes during the quiet blocks, the report says the
#: machine was not quiet.
QUIET_OTHERS = 0.25


def input_size(spec):
    """Numbers per sample: the first entry, or C·H·W of a ``"CxHxW"`` convolutional input."""
    first = spec[0]
    if isinstance(first, str):
        size = 1
        for n in first.lower().split("x"):
            size *= int(n)
        return size
    return int(first)


def parse_spec(text):
    """``"784-300-10"`` → ``[784, 300, 10]``; ``"1x28x28-conv20x5-pool2-100-10"`` → the
    convolutional spec (numbers become ints, the rest stays text)."""
    return [int(part) if part.isdigit() else part for part in text.split("-")]


def _workload(spec, batch, quick):
    """(network, labels, data): a few batches of dense random data for ``spec``."""
    net = vectorized.Network(list(spec), activation="relu", output="softmax",
                             loss="cross_entropy", seed=0)
    n = batch * (4 if quick else 8) if batch > 1 else (64 if quick else 256)
    rng = np.random.default_rng(0)
    data = rng.random((n, input_size(spec)))
    labels = np.eye(spec[-1])[rng.integers(0, spec[-1], n)]
    return net, labels, data


def _call(net, labels, data, batch, threads):
    def train_epoch():
        with blas_threads(threads):  # as a training run does: set, train, restore
            net.train(labels, data, 0.01, 1, batch_size=batch)
    return train_epoch


def _time_rotating(fns, repeats, min_time, warmup_time=0.2, settle=()):
    """``{name: [seconds per call, one per repeat]}``, the functions timed in alternation as
    :func:`~benchmarks.timing.measure_interleaved` does, in an order that rotates every repeat
    (each goes first equally often); after a repeat of a name in ``settle`` (multi-threaded
    settings), :func:`_settle` before the next."""
    names = list(fns)
    deadline, once = time.perf_counter() + warmup_time, {}
    while not once or time.perf_counter() < deadline:
        for name in names:
            start = time.perf_counter()
            fns[name]()
            once[name] = time.perf_counter() - start
    number = {name: max(1, math.ceil(min_time / max(once[name], 1e-9))) for name in names}
    times = {name: [] for name in names}
    for repeat in range(repeats):
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:
            start = time.perf_counter()
            for _ in range(number[name]):
                fns[name]()
            times[name].append((time.perf_counter() - start) / number[name])
            if name in settle:
                _settle()
    return times


def _time_block(spec, batch, quick, repeats, min_time):
    """{setting: [seconds per step, one per repeat]} and the default's choice, for one block."""
    cores = available_cores()
    net, labels, data = _workload(spec, batch, quick)
    choice = choose_threads(spec, batch, cores=cores)
    counts = {"default": choice.threads, "one": 1, "all": cores}
    times = _time_rotating({name: _call(net, labels, data, batch, counts[name])
                            for name in SETTINGS}, repeats, min_time,
                           settle={name for name in SETTINGS if counts[name] > 1})
    steps = -(-len(data) // batch)
    return {name: [t / steps for t in times[name]] for name in SETTINGS}, choice


def run(quick=False, progress=print, networks=NETWORKS, batches=BATCHES):
    """Results entry: every (network, batch) row timed quiet and busy with each setting.
    ``networks``: any layer specs ``vectorized.Network`` accepts (convolutional ones too)."""
    rounds, repeats, min_time = (1, 3, 0.05) if quick else (3, 6, 0.1)
    cells = [(list(spec), batch) for spec in networks for batch in batches]
    times = {(i, state): {name: [] for name in SETTINGS} for i in range(len(cells))
             for state in STATES}
    chosen = {(i, state): None for i in range(len(cells)) for state in STATES}
    other = {state: [] for state in STATES}
    for round_ in range(rounds):
        for state in STATES:
            progress(f"busy machine: round {round_ + 1}/{rounds}, {state}")
            with OtherLoad() as load:
                if state == "busy":
                    with busy_core():
                        _time_cells(cells, state, times, chosen, quick, repeats, min_time)
                else:
                    _time_cells(cells, state, times, chosen, quick, repeats, min_time)
            if load.cores is not None:
                other[state].append(load.cores)
    rows = []
    for i, (spec, batch) in enumerate(cells):
        med = {state: {name: statistics.median(times[i, state][name]) for name in SETTINGS}
               for state in STATES}
        quiet = med["quiet"]
        rows.append({
            "layer_sizes": spec, "batch_size": batch,
            "threads": {state: chosen[i, state].threads for state in STATES},
            "reason": {state: chosen[i, state].reason for state in STATES},
            "seconds_per_step": med,
            "busy_over_quiet": med["busy"]["default"] / quiet["default"],
            # the same for one thread: what the other load alone costs (no thread can help)
            "busy_over_quiet_one_thread": med["busy"]["one"] / quiet["one"],
            "default_over_best_quiet": quiet["default"] / min(quiet["one"], quiet["all"]),
        })
    return {"cores": available_cores(), "rounds": rounds, "repeats": repeats,
            "other_processes_cores": {state: (statistics.median(values) if values else None)
                                      for state, values in other.items()},
            "blas_libraries": blas_libraries(), "rows": rows}


def _time_cells(cells, state, times, chosen, quick, repeats, min_time):
    for i, (spec, batch) in enumerate(cells):
        block, choice = _time_block(spec, batch, quick, repeats, min_time)
        for name in SETTINGS:
            times[i, state][name] += block[name]
        chosen[i, state] = choice  # the last round's choice (each round decides afresh)


def check_targets(results):
    """Target rows (``benchmarks.report`` format) for the section's ratios."""
    checked = []
    for row in results["busy"]["rows"]:
        name = f"{'-'.join(map(str, row['layer_sizes']))} batch {row['batch_size']}"
        pairs = [("default_over_best_quiet", QUIET_LIMIT,
                  f"default threads ÷ best of 1 and all, quiet, {name}")]
        if row["batch_size"] in BUSY_BATCHES:
            pairs.append(("busy_over_quiet", BUSY_LIMIT,
                          f"busy ÷ quiet machine, default threads, {name}"))
        for key, limit, description in pairs:
            checked.append({"key": f"busy_{key}_{name.replace(' ', '_')}",
                            "description": description, "comparison": "<=",
                            "threshold": limit, "unit": "×", "measured": row[key],
                            "ok": bool(row[key] <= limit)})
    return checked


def markdown(results):
    """The section's Markdown lines (a heading, a paragraph, a table)."""
    section = results["busy"]
    other = section["other_processes_cores"]
    cores = section["cores"]
    lines = ["", "## Busy machine: BLAS threads under load", "",
             f"`vectorized.Network.train`, time per step (median), {cores} cores. \"busy\": a "
             "plain Python loop in another process keeps one core busy. Settings: the default "
             "policy (`training.threads`; its thread count, quiet/busy, in brackets), one "
             f"thread, all {cores}. The settings alternate repeat by repeat (rotating order); "
             f"{section['rounds']} round(s) of quiet then busy. \"busy ÷ quiet\" is the default's; "
             "\"… 1 thread\" the same for one thread, what the load costs when no thread "
             "waits for another. Other processes used "
             f"{_cores(other['quiet'])} during the quiet blocks and {_cores(other['busy'])} "
             "during the busy ones (the loop included).", ""]
    head = ["network", "batch", "quiet: default", "1 thread", "all", "busy: default",
            "1 thread", "all", "busy ÷ quiet", "… 1 thread", "default ÷ best"]
    lines += ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for row in section["rows"]:
        t = row["seconds_per_step"]
        cells = ["-".join(map(str, row["layer_sizes"])), str(row["batch_size"])]
        for state in STATES:
            cells.append(f"{format_time(t[state]['default'])} ({row['threads'][state]})")
            cells += [format_time(t[state][name]) for name in ("one", "all")]
        cells += [f"×{row[key]:.2f}" for key in ("busy_over_quiet", "busy_over_quiet_one_thread",
                                                  "default_over_best_quiet")]
        lines.append("| " + " | ".join(cells) + " |")
    if other["quiet"] is not None and other["quiet"] > QUIET_OTHERS:
        lines += ["", f"**Not a quiet machine**: other processes used {other['quiet']:.2f} "
                      "cores during the quiet blocks, so the default saw busy cores there too; "
                      "rerun on an idle machine for the quiet figures."]
    lines += ["", f"Targets: busy ÷ quiet ≤ ×{BUSY_LIMIT} for batch "
                  f"{' and '.join(map(str, BUSY_BATCHES))}; default ÷ best ≤ ×{QUIET_LIMIT:.2f}."]
    return lines


def _cores(value):
    return "unknown" if value is None else f"{value:.2f} cores"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.busy",
                                     description="BLAS threads on a quiet and a busy machine.")
    parser.add_argument("--quick", action="store_true", help="one round, fewer repeats")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--network", action="append", type=parse_spec, metavar="SPEC",
                        help="a network to time instead of 784-300-10 and 784-500-10, its "
                             "layers joined by '-' (e.g. 1x28x28-conv20x5-pool2-100-10); "
                             "repeat for several")
    parser.add_argument("--batches", type=lambda text: [int(b) for b in text.split(",")],
                        default=list(BATCHES), help="comma-separated (default 1,10,64,256)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def progress(message):
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    results = {"busy": run(args.quick, progress, args.network or NETWORKS, args.batches)}
    results["busy"]["load_average_at_end"] = load_average()
    results["targets"] = check_targets(results)
    lines = markdown(results)
    lines += [f"- {'✓' if t['ok'] else '✗'} {t['description']}: ×{t['measured']:.2f} "
              f"(≤ ×{t['threshold']})" for t in results["targets"]]
    print("\n".join(lines))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
    return 0 if all(t["ok"] for t in results["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
