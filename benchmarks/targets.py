"""The targets the suite checks (issues #24 and #29), and their table at the end of the report.

Each is a ratio of two figures measured in the same run; nothing else is typed in. A target
whose section was not run (or PyTorch not installed) is left out.
"""

from . import busy
from .formatting import percent, ratio, table
from .per_sample import BIG, row_of


def _row(rows, **match):
    return next(row for row in rows if all(row[key] == value for key, value in match.items()))


def _over_fc(engine):
    def get(results):
        fc = results["per_sample"]["tutorial_fc_784_300_10"]["median"]
        return fc / row_of(results, BIG)[f"{engine}_seconds"]
    return get


def _share_of_peak_256(results):
    """Batch 256 float32, of the matmul peak timed beside it: section 5's when it was run."""
    if results.get("pytorch", {}).get("rows"):
        return _row(results["pytorch"]["rows"], batch_size=256)["fast_fraction_of_peak"]
    return _row(results["minibatch"]["rows"], engine="fast", dtype="float32",
                batch_size=256)["fraction_of_peak"]


def _cnn_torch_over_fast(name, batch_size):
    def get(results):
        net = _row(results["cnn"]["networks"], network=name, batch_size=batch_size)
        return _row(net["rows"], engine="torch")["engine_over_fast"]
    return get


# (description, getter(results) -> measured value, comparison, threshold, unit)
TARGETS = (
    ("textbook `train_one_sample` on 784-300-10, the tutorial's fc.py design ÷ textbook",
     _over_fc("textbook"), ">=", 1, "×"),
    ("vectorized.fast `train_one_sample` on 784-300-10, the tutorial's fc.py design ÷ fast",
     _over_fc("fast"), ">=", 2, "×"),
    ("vectorized.fast batch 64 float32 784-300-10 per sample, PyTorch CPU ÷ fast",
     lambda r: _row(r["pytorch"]["rows"], batch_size=64)["torch_over_fast"], ">=", 1.5, "×"),
    ("vectorized.fast batch 256 float32 784-300-10, share of the matmul peak",
     _share_of_peak_256, ">=", 0.60, "%"),
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
    if not results.get("targets"):
        return []

    def value(x, unit):
        return percent(x) if unit == "%" else ratio(x)

    rows = [[t["description"], f"{'≥' if t['comparison'] == '>=' else '≤'} "
             f"{value(t['threshold'], t['unit'])}", value(t["measured"], t["unit"]),
             "✓" if t["ok"] else "✗"] for t in results["targets"]]
    return ["", "## Targets", ""] + table(["target", "goal", "measured", ""], rows)
