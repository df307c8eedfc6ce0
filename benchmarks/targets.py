"""The targets the benchmarks check, and their table in the report.

Ratios are taken within one run (both sides measured minutes apart on the same machine);
nothing is typed in apart from the targets themselves.
"""

from .formatting import format_value, table

SYMBOLS = {"<=": "≤", ">=": "≥", "<": "<"}


def per_sample_row(results, sizes):
    for row in results["per_sample"]["rows"]:
        if row["layer_sizes"] == sizes:
            return row
    raise KeyError(sizes)


def minibatch_row(results, dtype, batch_size, engine="fast"):
    for row in results["minibatch"]["rows"]:
        if (row["dtype"], row["batch_size"], row.get("engine", "fast")) == \
                (dtype, batch_size, engine):
            return row
    raise KeyError((engine, dtype, batch_size))


def _tutorial_over_fast(results):
    section = results["per_sample"]
    return (section["tutorial_fc_784_300_10"]["median"]
            / per_sample_row(results, [784, 300, 10])["fast_seconds"])


def _torch_over_fast(results, batch_size):
    section = results["pytorch"]
    if not section.get("found"):
        raise KeyError("pytorch")  # not installed: no target to check
    for row in section["rows"]:
        if row["batch_size"] == batch_size:
            return row["torch_over_fast"]
    raise KeyError(batch_size)


def _cnn_torch_over_fast(name, batch_size):
    def get(results):
        for net in results["cnn"]["networks"]:
            if (net["network"], net["batch_size"]) == (name, batch_size):
                for row in net["rows"]:
                    if row["engine"] == "torch":
                        return row["engine_over_fast"]
        raise KeyError("torch")  # not installed or not run: no target to check
    return get


def _fraction_of_peak_256(results):
    """Batch 256 float32, of the matmul peak timed beside it: section 5's when it has it."""
    for row in results.get("pytorch", {}).get("rows", []):
        if row["batch_size"] == 256 and "fast_fraction_of_peak" in row:
            return row["fast_fraction_of_peak"]
    return minibatch_row(results, "float32", 256)["fraction_of_peak"]


# (key, description, getter(results) -> measured value, comparison, threshold, unit)
TARGETS = (
    ("neurons_784_300_10_seconds", "neurons `train_one_sample`, 784-300-10",
     lambda r: per_sample_row(r, [784, 300, 10])["neurons_seconds"], "<=", 35e-3, "s"),
    ("neurons_bytes_per_connection_after_build", "neurons bytes per Connection, after building",
     lambda r: r["memory"]["neurons"]["bytes_per_connection_after_build"], "<=", 120, "B"),
    ("textbook_speedup_over_neurons",
     "vectorized (textbook) `train_one_sample` on 784-300-10, neurons ÷ textbook",
     lambda r: per_sample_row(r, [784, 300, 10])["ratio_textbook"], ">=", 100, "×"),
    ("fast_speedup_over_tutorial_fc",
     "vectorized.fast `train_one_sample` on 784-300-10, tutorial's fc.py design ÷ fast",
     _tutorial_over_fast, ">=", 2, "×"),
    ("fast_batch64_float32_vs_pytorch",
     "vectorized.fast batch 64 float32 per sample, PyTorch CPU ÷ fast",
     lambda r: _torch_over_fast(r, 64), ">=", 1.5, "×"),
    ("batch256_float32_fraction_of_peak", "vectorized.fast batch 256, float32, of matmul peak",
     _fraction_of_peak_256, ">=", 0.60, "%"),
) + tuple(
    (f"cnn{name[-1]}_batch{batch}_fast_vs_pytorch",
     f"{name} `train` batch {batch} float32 per sample, PyTorch CPU ÷ vectorized.fast",
     _cnn_torch_over_fast(name, batch), ">=", 1.3 if (name, batch) == ("CNN 2", 64) else 1.0,
     "×") for name in ("CNN 1", "CNN 2", "CNN 3") for batch in (10, 64)) + (
    ("epoch_peak_rss_bytes", "vectorized epoch, peak memory of the whole process",
     lambda r: r["memory"]["vectorized_epoch"]["peak_rss_bytes"], "<", 300e6, "B"),
)


def check_targets(results):
    """[{key, description, target, measured, ok}, …] for the sections that were run."""
    checked = []
    for key, description, get, op, threshold, unit in TARGETS:
        try:
            measured = get(results)
        except KeyError:
            continue  # that section was not run
        ok = measured <= threshold if op == "<=" else (
            measured >= threshold if op == ">=" else measured < threshold)
        checked.append({"key": key, "description": description, "comparison": op,
                        "threshold": threshold, "unit": unit, "measured": measured,
                        "ok": bool(ok)})
    return checked


def targets_section(results):
    lines = ["", "## Targets", ""]
    rows = []
    for t in results["targets"]:
        goal = f"{SYMBOLS[t['comparison']]} {format_value(t['threshold'], t['unit'])}"
        rows.append([t["description"], goal, format_value(t["measured"], t["unit"]),
                     "✓" if t["ok"] else "✗"])
    lines += table(["target", "goal", "measured", ""], rows)
    return lines
