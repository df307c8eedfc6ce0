"""``python -m benchmarks [--quick] [--only SECTIONS] [--out-dir DIR] [--json PATH]``.

Runs the sections, prints the Markdown report on stdout (progress goes to stderr) and writes
it with the JSON results to ``benchmarks/results/latest.{json,md}`` under the current folder
(``quick.*`` with ``--quick``, so a smoke run never overwrites the full results).
"""

import argparse
import json
import math
import os
import sys
import time

from . import busy, cnn, environment, memory, minibatch, per_sample, phases, pytorch, targets
from .neurons_timing import run_pypy

RESULTS_DIR = os.path.join("benchmarks", "results")  # relative: under the current folder
# name: module with run(quick, progress) and markdown(results), in the report's order
SECTIONS = {"per-sample": per_sample, "phases": phases, "minibatch": minibatch,
            "memory": memory, "pytorch": pytorch, "cnn": cnn, "busy": busy}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time and weigh neurons, vectorized and vectorized.fast on this machine.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats, a 10,000-sample epoch: a few minutes")
    parser.add_argument("--only", metavar="SECTIONS",
                        help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    parser.add_argument("--out-dir", default=RESULTS_DIR,
                        help="where the output files go (default: ./benchmarks/results)")
    parser.add_argument("--json", metavar="PATH",
                        help="JSON results (default: OUT_DIR/latest.json, or quick.json); the "
                             "Markdown report goes beside it with .md")
    parser.add_argument("--no-pypy", action="store_true", help="do not look for pypy3")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="BLAS threads (default: what NumPy uses; PyTorch gets the same)")
    args = parser.parse_args(argv)
    args.sections = SECTIONS if not args.only else tuple(s.strip() for s in args.only.split(","))
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.blas_threads is not None and args.blas_threads < 1:
        parser.error("--blas-threads must be at least 1")
    args.json = args.json or os.path.join(args.out_dir, ("quick" if args.quick else "latest")
                                          + ".json")
    return args


def _finite(value):
    """The results with every NaN/inf replaced by None, so the JSON stays standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def markdown(results):
    """The report: what the figures were measured on, then each section's own table."""
    meta, env = results["meta"], results["meta"]["environment"]
    blas = " and ".join(f"{p['internal_api']} {p['version']} ({p['architecture']}, "
                        f"{p['num_threads']} threads)" for p in env["blas"]) or \
        f"{env['blas_threads']} threads"
    lines = ["# Benchmarks: `neurons` (object graph), `vectorized` (textbook matrices) and "
             "`vectorized.fast`", "",
             f"Measured {env['date']} in {meta['mode']} mode ({meta['seconds']:.0f} s) · "
             f"{env['python']} · NumPy {env['numpy']} · BLAS {blas} · CPU: {env['cpu_model']}, "
             f"{env['cpus']} CPUs · load average (1 min) at start/end "
             f"{env['load_average_at_start']}/{meta.get('load_average_at_end')}: above the CPU "
             "count, other work competed for the cores and the times are noisy.", "",
             "Inputs are seeded dense random numbers (MNIST's zeros are skipped by no engine, so "
             "dense is the conservative case). Every time is the median of several repeats."]
    for name, module in SECTIONS.items():
        if results.get(name.replace("-", "_")):
            lines += module.markdown(results)
    return "\n".join(lines + targets.markdown(results)) + "\n"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.blas_threads is not None:
        environment.set_blas_threads(args.blas_threads)
    started, quick = time.perf_counter(), args.quick

    def progress(message):
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    results = {"meta": {"mode": "quick" if quick else "full",
                        "environment": environment.describe()}}
    for name in args.sections:  # busy last: it keeps a core busy
        results[name.replace("-", "_")] = SECTIONS[name].run(quick, progress)
        if name == "per-sample":
            results["ladder"] = per_sample.run_ladder(quick, progress)
            results["pypy"] = {"found": False, "skipped": True} if args.no_pypy else \
                run_pypy(per_sample.ARCHITECTURES, quick, progress)
    results["targets"] = targets.check_targets(results)
    results["meta"]["seconds"] = time.perf_counter() - started
    results["meta"]["load_average_at_end"] = environment.load_average()
    text = markdown(results)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as f:
        f.write(json.dumps(_finite(results), indent=2, allow_nan=False) + "\n")
    with open(os.path.splitext(args.json)[0] + ".md", "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)
    progress(f"wrote {args.json} and its .md")
    return 0
