"""``python -m benchmarks [--quick] [--out-dir DIR] [--json PATH] [--chart PATH]``.

Runs every section, prints the Markdown report on stdout (progress goes to stderr) and writes:

* JSON    — ``--json``, default ``benchmarks/results/latest.json`` (``quick.json`` with
            ``--quick``, so a smoke run never overwrites the full results);
* Markdown — ``--markdown``, default the same name with ``.md``;
* PNG     — ``--chart``, default the same name with ``.png``, when matplotlib is installed
            (otherwise a one-line note says it was skipped); ``--no-chart`` to skip it.

``--out-dir`` moves the defaults elsewhere (otherwise ``benchmarks/results`` under the
current folder: the checkout's own when run from its root, never where this code sits).
``--blas-threads N`` fixes the BLAS thread count (NumPy's and, when
``vectorized.fast`` loaded it, SciPy's own OpenBLAS; PyTorch gets the same number);
``--only`` and ``--no-pypy`` trim the run. The PyTorch section is skipped when torch is not
installed (``pip install -e '.[compare]'``).
"""

import argparse
import json
import math
import os
import sys
import time

from . import (
    busy,
    chart,
    cnn,
    environment,
    ladder,
    memory,
    minibatch,
    per_sample,
    phases,
    pypy,
    report,
)
from . import pytorch as pytorch_section

RESULTS_DIR = os.path.join("benchmarks", "results")  # relative: under the current folder
SECTIONS = ("per-sample", "phases", "minibatch", "memory", "pytorch", "cnn", "busy")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time and weigh neurons, vectorized and vectorized.fast on this machine.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats, a 10,000-sample epoch: under a minute")
    parser.add_argument("--out-dir", default=RESULTS_DIR,
                        help="where the default output files go (default: ./benchmarks/results)")
    parser.add_argument("--json", metavar="PATH",
                        help="JSON results (default: OUT_DIR/latest.json, or quick.json)")
    parser.add_argument("--markdown", metavar="PATH",
                        help="Markdown report (default: the JSON's name with .md)")
    parser.add_argument("--chart", metavar="PATH",
                        help="PNG chart, if matplotlib is installed (default: .png beside it)")
    parser.add_argument("--no-chart", action="store_true", help="do not draw the chart")
    parser.add_argument("--no-pypy", action="store_true", help="do not look for pypy3")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="BLAS threads to use (default: what NumPy uses; 1 is steadier on "
                             "a busy machine)")
    parser.add_argument("--only", metavar="SECTIONS",
                        help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    args.sections = SECTIONS if not args.only else tuple(s.strip() for s in args.only.split(","))
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    base = os.path.join(args.out_dir, "quick" if args.quick else "latest")
    args.json = args.json or base + ".json"
    stem = os.path.splitext(args.json)[0]
    args.markdown = args.markdown or stem + ".md"
    args.chart = args.chart or stem + ".png"
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


def _write(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.blas_threads is not None:
        if args.blas_threads < 1:
            raise SystemExit("--blas-threads must be at least 1")
        environment.set_blas_threads(args.blas_threads)
    started = time.perf_counter()

    def progress(message):
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    quick = args.quick
    results = {"meta": {"mode": "quick" if quick else "full", "argv": list(argv or sys.argv[1:]),
                        "environment": environment.describe()}}
    if "per-sample" in args.sections:
        results["per_sample"] = per_sample.run(quick, progress)
        results["ladder"] = ladder.run(quick, progress)
        if args.no_pypy:
            results["pypy"] = {"found": False, "skipped": True}
        else:
            results["pypy"] = pypy.run(per_sample.ARCHITECTURES, quick, progress)
    if "phases" in args.sections:
        results["phases"] = phases.run(quick, progress)
    if "minibatch" in args.sections:
        results["minibatch"] = minibatch.run(quick, progress)
    if "memory" in args.sections:
        results["memory"] = memory.run(quick, progress)
    if "pytorch" in args.sections:
        results["pytorch"] = pytorch_section.run(quick, progress,
                                                 blas_threads=environment.blas_threads()[0])
    if "cnn" in args.sections:
        results["cnn"] = cnn.run(quick, progress, blas_threads=environment.blas_threads()[0])
    if "busy" in args.sections:  # last: it keeps a core busy, and sets its own BLAS threads
        results["busy"] = busy.run(quick, progress)
    results["targets"] = report.check_targets(results)
    results["meta"]["seconds"] = time.perf_counter() - started
    results["meta"]["load_average_at_end"] = environment.load_average()

    if args.no_chart:
        results["meta"]["chart"] = None
    else:
        os.makedirs(os.path.dirname(os.path.abspath(args.chart)), exist_ok=True)
        try:
            note = chart.draw(results, args.chart)
        except Exception as error:  # a broken matplotlib must not cost the measurements
            note = f"Chart failed: {type(error).__name__}: {error}"
        results["meta"]["chart"] = None if note else os.path.abspath(args.chart)
        results["meta"]["chart_note"] = note or f"Chart: {args.chart}"

    text = report.markdown(results)
    _write(args.json, json.dumps(_finite(results), indent=2, allow_nan=False) + "\n")
    _write(args.markdown, text)
    sys.stdout.write(text)
    progress(f"wrote {args.json} and {args.markdown}")
    return 0
