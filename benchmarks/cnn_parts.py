"""Where one ``vectorized.fast`` CNN training step spends its time (report section 6b).

Every method a step calls on a layer (:data:`PARTS`) is wrapped, on the instance, by a clock
that keeps each call's own time (minus the wrapped calls inside it), so the parts add up to the
step; "network" is the rest (checks, loss, output δ, reshapes). The step is also timed
unwrapped, in alternation, to show what the clocks cost. For each conv product the useful
FLOPs and the bytes it must move at least (W, the patches and the map, once each) say whether
it ran at arithmetic or at memory speed.
"""

import statistics
import time
from collections import defaultdict

from .formatting import percent, table
from .timing import measure_interleaved

# method (or activation attribute) → the part it is counted in
PARTS = {"forward": "forward", "im2col": "im2col copy", "activate": "activation",
         "derivative": "activation'", "weighted_delta": "error below", "error_below":
         "error below", "col2im": "col2im add", "hidden_delta": "δ (式8)", "backward_error":
         "δ (式8)", "sgd_step": "gradient + step", "calc_gradient": "gradient + step",
         "update": "gradient + step"}


class Clock:
    """Own time per key of wrapped calls (nested calls are subtracted from their caller)."""

    def __init__(self, timer=time.perf_counter):
        self.totals, self.stack, self.timer = defaultdict(float), [], timer

    def wrap(self, key, fn):
        def timed(*args, **kwargs):
            self.stack.append(0.0)
            start = self.timer()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = self.timer() - start
                self.totals[key] += elapsed - self.stack.pop()
                if self.stack:
                    self.stack[-1] += elapsed
        return timed


def layer_name(index, layer):
    kind = type(layer).__name__.replace("Layer", "").replace("FullConnected", "fc")
    return f"{index + 1} {kind.lower()}"


def conv_product(layer, n):
    """(FLOPs, bytes) of one of a conv layer's three products for a batch of n."""
    F, OH, OW = layer.output_shape
    rows = layer.input_shape[0] * layer.filter_size ** 2  # C·K²
    positions = n * OH * OW
    return 2 * F * rows * positions, layer.dtype.itemsize * (F * rows + positions * (rows + F))


def breakdown(make_net, labels, x, batch_size, *, repeats=7, min_time=0.1):
    """Seconds per batch step of each (layer, part) of ``make_net()`` training on ``x`` in
    batches of ``batch_size`` (medians), the step's own median and spread, and the conv
    products' FLOPs and bytes."""
    plain, timed, clock = make_net(), make_net(), Clock()
    layers = timed._layers  # the fast layers (``layers`` are the textbook network's)
    for index, layer in enumerate(layers):
        for method, part in PARTS.items():
            if hasattr(layer, method):
                setattr(layer, method, clock.wrap((index, part), getattr(layer, method)))
    steps = len(x) // batch_size
    timings = measure_interleaved(
        {"plain": lambda: plain.train(labels, x, 0.01, 1, batch_size=batch_size),
         "timed": lambda: timed.train(labels, x, 0.01, 1, batch_size=batch_size)},
        repeats=repeats, min_time=min_time)
    runs = []  # (seconds, {(layer, part): own seconds}) of single wrapped epochs
    for _ in range(repeats):
        clock.totals.clear()
        start = time.perf_counter()
        timed.train(labels, x, 0.01, 1, batch_size=batch_size)
        runs.append((time.perf_counter() - start, dict(clock.totals)))
    seconds, totals = sorted(runs, key=lambda run: run[0])[len(runs) // 2]  # the median run
    rows = []
    for (index, part), own in totals.items():
        layer = layers[index]
        row = {"layer": layer_name(index, layer), "part": part, "seconds": own / steps}
        if part in ("forward", "error below", "gradient + step") and \
                type(layer).__name__ == "ConvLayer":
            row["flops"], row["bytes"] = conv_product(layer, batch_size)
        rows.append(row)
    wrapped = seconds / steps
    rows.append({"layer": "", "part": "network",
                 "seconds": max(0.0, wrapped - sum(r["seconds"] for r in rows))})
    plain_times = [t / steps for t in timings["plain"]["times"]]
    return {"batch_size": batch_size, "step_seconds": statistics.median(plain_times),
            "spread": [min(plain_times), max(plain_times)], "repeats": repeats,
            "wrapped_step_seconds": wrapped, "rows": sorted(rows, key=lambda r: -r["seconds"])}


def markdown(result):
    """Markdown lines: one row per part, time per batch step and share of the step."""
    step = result["wrapped_step_seconds"]
    rows = [[row["layer"], row["part"], f"{1e3 * row['seconds']:.3f}",
             percent(row["seconds"] / step)]
            + ([f"{row['flops'] / row['seconds'] / 1e9:.1f}",
                f"{row['bytes'] / row['seconds'] / 1e9:.1f}"] if "flops" in row else ["", ""])
            for row in result["rows"]]
    return ["", f"One fast step at batch {result['batch_size']}: "
                f"{1e3 * result['step_seconds']:.2f} ms (median of {result['repeats']}, "
                f"{1e3 * result['spread'][0]:.2f}–{1e3 * result['spread'][1]:.2f}); "
                f"the median of {result['repeats']} epochs with the clocks, {1e3 * step:.2f} ms a "
                "step, shared out below.", ""] + table(
        ["layer", "part", "ms per step", "share", "GFLOP/s", "GB/s"], rows)
