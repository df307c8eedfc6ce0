"""Section 3: mini-batch training (``Network.train``) against this machine's peak: the fast
engine at every batch size, the textbook engine at batch 64 beside it.

Useful work per sample against the peak of ``np.matmul`` on two square matrices, timed in
alternation with each row repeat by repeat, so a slow moment of the machine slows both sides
(:func:`time_beside_matmul`, for sections 5 and 6 too).
"""

import statistics

import numpy as np

from vectorized.spec import parse_layer_sizes

from .formatting import format_time, percent, sizes_name, table
from .per_sample import ENGINES, random_batch_data
from .timing import measure_interleaved, ratios

SIZES = (784, 300, 10)
BATCH_SIZES = (1, 8, 64, 256)
DTYPES = ("float32", "float64")
TEXTBOOK_BATCH_SIZES = (64,)


def useful_flops_per_sample(layer_sizes):
    """Forward product and weight gradient of every layer with parameters, input gradient of
    all but the first, each 2 per multiply-add: fully connected ``2·in·out`` (784-300-10:
    958,800), conv ``2·F·C·K²·OH·OW``. Activations, pooling, im2col and updates not counted."""
    total, first = 0, True
    for spec in parse_layer_sizes(layer_sizes):
        if spec.kind == "conv":
            F, OH, OW = spec.out_shape
            uses = 2 * F * spec.in_shape[0] * spec.kernel ** 2 * OH * OW
        elif spec.kind == "full":
            uses = 2 * spec.in_size * spec.out_size
        else:
            continue
        total += uses * (2 if first else 3)
        first = False
    return total


def square_matmul(dtype, n):
    """A function computing ``a @ b`` for two random n×n matrices of ``dtype``."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    return lambda: np.matmul(a, b, out=out)


def time_beside_matmul(epochs, n, flops, *, dtype, matmul_n, repeats, min_time):
    """Time each of ``epochs`` (``{engine: fn}``, each training one epoch over ``n`` samples)
    in alternation with a square ``np.matmul`` of ``dtype``. Returns ``({engine: row}, the
    matmul's GFLOP/s)``; a row: seconds per sample, useful GFLOP/s (``flops`` per sample), its
    share of the matmul's FLOP rate (median over the repeats, each against the matmul timed
    beside it) and, when "fast" is timed, engine ÷ fast repeat by repeat (median, spread)."""
    timings = measure_interleaved(dict(epochs, matmul=square_matmul(dtype, matmul_n)),
                                  repeats=repeats, min_time=min_time)
    matmul, matmul_flops = timings.pop("matmul"), 2.0 * matmul_n ** 3
    rows = {}
    for engine, timing in timings.items():
        per_sample = timing["median"] / n
        rows[engine] = {"seconds_per_sample": per_sample, "gflops": flops / per_sample / 1e9,
                        "fraction_of_peak": statistics.median(
                            (flops * n / t) / (matmul_flops / p)
                            for t, p in zip(timing["times"], matmul["times"]))}
        if "fast" in timings:
            rows[engine]["engine_over_fast"], rows[engine]["spread"] = ratios(
                timing["times"], timings["fast"]["times"])
    return rows, matmul_flops / matmul["median"] / 1e9


def time_row(dtype, batch_size, *, n, matmul_n, repeats, min_time, engine="fast"):
    """One table row: a ``train`` epoch over ``n`` samples beside the square matmul."""
    net = ENGINES[engine].Network(list(SIZES), seed=0, dtype=dtype)
    labels, data = random_batch_data(SIZES, n, 0, dtype)
    rows, peak = time_beside_matmul(
        {engine: lambda: net.train(labels, data, 0.1, 1, batch_size=batch_size)}, n,
        useful_flops_per_sample(SIZES), dtype=dtype, matmul_n=matmul_n, repeats=repeats,
        min_time=min_time)
    return dict(rows[engine], engine=engine, dtype=dtype, batch_size=batch_size,
                samples_per_second=1.0 / rows[engine]["seconds_per_sample"], peak_gflops=peak,
                samples_per_epoch=n, repeats=repeats)


def run(quick=False, progress=print):
    repeats, min_time = (3, 0.02) if quick else (15, 0.2)  # the machine drifts: many repeats
    matmul_n = 1024 if quick else 2048
    plan = [("fast", dtype, batch_size) for dtype in DTYPES for batch_size in BATCH_SIZES]
    plan += [("textbook", dtype, batch_size) for dtype in DTYPES
             for batch_size in TEXTBOOK_BATCH_SIZES]
    rows = []
    for engine, dtype, batch_size in plan:
        progress(f"mini-batch: {engine} {dtype} batch {batch_size}")
        # 64 batches an epoch (with 16, the first batch's cold caches and the data check
        # were a sixth of the time at batch 256)
        n = max(256, 4 * batch_size) if quick else max(512, 64 * batch_size)
        rows.append(time_row(dtype, batch_size, n=n, matmul_n=matmul_n, repeats=repeats,
                             min_time=min_time, engine=engine))
    peak = {dtype: {"n": matmul_n, "gflops": statistics.median(
        r["peak_gflops"] for r in rows if r["dtype"] == dtype)} for dtype in DTYPES}
    return {"layer_sizes": list(SIZES), "flops_per_sample": useful_flops_per_sample(SIZES),
            "peak": peak, "rows": rows}


def markdown(results):
    section = results["minibatch"]
    peaks = ", ".join(f"{dtype} {p['gflops']:.1f} GFLOP/s" for dtype, p in section["peak"].items())
    rows = [[r["engine"], r["dtype"], r["batch_size"], format_time(r["seconds_per_sample"]),
             f"{r['samples_per_second']:,.0f}", f"{r['gflops']:.1f}", f"{r['peak_gflops']:.1f}",
             percent(r["fraction_of_peak"])] for r in section["rows"]]
    return (["", f"## 3. Mini-batch training: `train` ({sizes_name(section['layer_sizes'])})", "",
             f"Useful work {section['flops_per_sample']:,} FLOPs per sample; this machine's "
             f"square `np.matmul` peak (median of the rows): {peaks}. Each row is timed in "
             "alternation with that matmul (\"matmul then\"); the share is the median of the "
             "repeats' shares.", ""]
            + table(["engine", "dtype", "batch", "time per sample", "samples / s", "GFLOP/s",
                     "matmul then", "of matmul peak"], rows))
