"""The targets the suite checks, and their table at the end of the report.

Each is a ratio of two figures measured in the same run; nothing else is typed in.
"""

from . import busy
from .formatting import format_value, table
from .per_sample import row_of


def minibatch_row(results, dtype, batch_size, engine="fast"):
    return next(row for row in results["minibatch"]["rows"]
                if (row["engine"], row["dtype"], row["batch_size"]) == (engine, dtype, batch_size))


def _torch_over_fast(results, batch_size):
    if not results["pytorch"].get("found"):
        raise KeyError("pytorch")  # not installed: no target to check
    return next(row["torch_over_fast"] for row in results["pytorch"]["rows"]
                if row["batch_size"] == batch_size)


def _cnn_torch_over_fast(name, batch_size):
    def get(results):
        return next(row["engine_over_fast"] for net in results["cnn"]["networks"]
                    if (net["network"], net["batch_size"]) == (name, batch_size)
                    for row in net["rows"] if row["engine"] == "torch")
    return get


def _fraction_of_peak_256(results):
    """Batch 256 float32, of the matmul peak timed beside it: section 5's when it has it."""
    for row in results.get("pytorch", {}).get("rows", []):
        if row["batch_size"] == 256 and "fast_fraction_of_peak" in row:
            return row["fast_fraction_of_peak"]
    return minibatch_row(results, "float32", 256)["fraction_of_peak"]


def _tutorial_fc(results):
    return results["per_sample"]["tutorial_fc_784_300_10"]["median"]


# (description, getter(results) -> measured value, comparison, threshold, unit)
TARGETS = (
    ("textbook `train_one_sample` on 784-300-10, the tutorial's fc.py design ÷ textbook",
     lambda r: _tutorial_fc(r) / row_of(r, [784, 300, 10])["textbook_seconds"], ">=", 1, "×"),
    ("vectorized.fast `train_one_sample` on 784-300-10, the tutorial's fc.py design ÷ fast",
     lambda r: _tutorial_fc(r) / row_of(r, [784, 300, 10])["fast_seconds"], ">=", 2, "×"),
    ("vectorized.fast batch 64 float32 784-300-10 per sample, PyTorch CPU ÷ fast",
     lambda r: _torch_over_fast(r, 64), ">=", 1.5, "×"),
    ("vectorized.fast batch 256 float32 784-300-10, share of the matmul peak",
     _fraction_of_peak_256, ">=", 0.60, "%"),
) + tuple(
    (f"{name} `train` batch {batch} float32 per sample, PyTorch CPU ÷ vectorized.fast",
     _cnn_torch_over_fast(name, batch), ">=", 1.3 if (name, batch) == ("CNN 2", 64) else 1.0,
     "×") for name in ("CNN 1", "CNN 2", "CNN 3") for batch in (10, 64))


def check_targets(results):
    """[{description, comparison, threshold, unit, measured, ok}] for the sections run."""
    listed = []
    for description, get, op, threshold, unit in TARGETS:
        try:
            listed.append((description, get(results), op, threshold, unit))
        except (KeyError, StopIteration):
            continue  # that section was not run
    if "busy" in results:
        listed += busy.targets(results)
    return [{"description": description, "comparison": op, "threshold": threshold,
             "unit": unit, "measured": measured,
             "ok": bool(measured >= threshold if op == ">=" else measured <= threshold)}
            for description, measured, op, threshold, unit in listed]


def markdown(results):
    symbol = {"<=": "≤", ">=": "≥"}
    rows = [[t["description"],
             f"{symbol[t['comparison']]} {format_value(t['threshold'], t['unit'])}",
             format_value(t["measured"], t["unit"]), "✓" if t["ok"] else "✗"]
            for t in results["targets"]]
    return ["", "## Targets", ""] + table(["target", "goal", "measured", ""], rows)
