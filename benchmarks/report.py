"""The results as Markdown (stdout, README) and the targets checked against them.

Every number printed here comes from the results dict the benchmarks filled in: nothing is
typed in, apart from the targets themselves.
"""

import math

from .timing import format_time

# (key, description, section, getter(results) -> measured value, comparison, threshold, unit)
TARGETS = (
    ("neurons_784_300_10_seconds", "neurons `train_one_sample`, 784-300-10",
     lambda r: _per_sample_row(r, [784, 300, 10])["neurons_seconds"], "<=", 35e-3, "s"),
    ("neurons_bytes_per_connection_after_build", "neurons bytes per Connection, after building",
     lambda r: r["memory"]["neurons"]["bytes_per_connection_after_build"], "<=", 120, "B"),
    ("neurons_bytes_per_connection_after_step", "neurons bytes per Connection, after one step",
     lambda r: r["memory"]["neurons"]["bytes_per_connection_after_step"], "<=", 120, "B"),
    ("vectorized_784_300_10_seconds", "vectorized `train_one_sample`, 784-300-10 (float64)",
     lambda r: _per_sample_row(r, [784, 300, 10])["vectorized_seconds"], "<=", 110e-6, "s"),
    ("vectorized_784_300_10_float32_seconds",
     "vectorized `train_one_sample`, 784-300-10 (float32)",
     lambda r: r["per_sample"]["float32_784_300_10"]["median"], "<=", 110e-6, "s"),
    ("batch64_float32_seconds_per_sample", "vectorized batch 64, float32, per sample",
     lambda r: _minibatch_row(r, "float32", 64)["seconds_per_sample"], "<=", 12e-6, "s"),
    ("batch64_float32_fraction_of_peak", "vectorized batch 64, float32, of matmul peak",
     lambda r: _minibatch_row(r, "float32", 64)["fraction_of_peak"], ">=", 0.40, "%"),
    ("batch256_float32_fraction_of_peak", "vectorized batch 256, float32, of matmul peak",
     lambda r: _minibatch_row(r, "float32", 256)["fraction_of_peak"], ">=", 0.60, "%"),
    ("epoch_peak_rss_bytes", "vectorized epoch, peak memory of the whole process",
     lambda r: r["memory"]["vectorized_epoch"]["peak_rss_bytes"], "<", 300e6, "B"),
)


SYMBOLS = {"<=": "≤", ">=": "≥", "<": "<"}


def _per_sample_row(results, sizes):
    for row in results["per_sample"]["rows"]:
        if row["layer_sizes"] == sizes:
            return row
    raise KeyError(sizes)


def _minibatch_row(results, dtype, batch_size):
    for row in results["minibatch"]["rows"]:
        if row["dtype"] == dtype and row["batch_size"] == batch_size:
            return row
    raise KeyError((dtype, batch_size))


def format_value(value, unit):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if unit == "s":
        return format_time(value)
    if unit == "%":
        return f"{100 * value:.0f}%"
    if unit == "B":
        return format_bytes(value)
    return f"{value:g}"


def format_bytes(n):
    if n < 1000:
        return f"{n:.0f} B"
    if n < 1e6:
        return f"{n / 1e3:.1f} kB"
    return f"{n / 1e6:.0f} MB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


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


def ratio(x):
    if x is None or not math.isfinite(x):
        return "–"
    return f"×{x:.0f}" if x >= 10 else f"×{x:.1f}"


def threads(n):
    return f"{n} thread{'' if n == 1 else 's'}"


def sizes_name(sizes):
    return "-".join(str(n) for n in sizes)


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if k == 0 else "---:" for k in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


# --- sections -------------------------------------------------------------------------------

def header(results):
    meta = results["meta"]
    env = meta["environment"]
    blas = env["blas"]
    blas_name = " ".join(filter(None, [blas.get("name"), blas.get("version")])) or "unknown"
    libraries = env.get("blas_libraries") or []
    core = next((lib["core"] for lib in libraries if lib.get("core")), None)
    pools = ""
    if len(libraries) > 1:
        pools = (" · two BLAS thread pools loaded: " + " and ".join(
            f"`{lib['library']}` ({threads(lib['threads'])})" for lib in libraries))
    lines = [
        "# Benchmarks: `neurons` (object graph) vs `vectorized` (NumPy)",
        "",
        f"Measured {env['date']} in {meta['mode']} mode ({meta['seconds']:.0f} s) · "
        f"{env['python']} · NumPy {env['numpy']} · BLAS {blas_name}"
        f"{f' ({core})' if core else ''}, {threads(env['blas_threads'])} "
        f"({env['blas_threads_source']}) · CPU: {env['cpu_model']}, {env['cpus']} CPUs{pools}",
        "",
        f"Load average (1 min) at start/end: {env['load_average_at_start']}/"
        f"{meta.get('load_average_at_end')} on {env['cpus']} CPUs — when it exceeds the CPU "
        "count, other processes competed for the cores and the times are noisy (multithreaded "
        "BLAS suffers most).",
    ]
    load = [x for x in (env["load_average_at_start"], meta.get("load_average_at_end"))
            if x is not None]
    if load and max(load) > env["cpus"] and env["blas_threads"] > 1:
        lines[-1] += (" This run was on a busy machine: `--blas-threads 1` keeps BLAS threads "
                      "from waiting for cores that other processes hold.")
    lines += [
        "",
        "Inputs are dense random numbers in [0, 1), seeded; MNIST-like sparsity (~80% zeros) is "
        "not used — neither implementation skips zeros, so dense inputs are the conservative "
        "case. Every time is the median of several timed repeats.",
    ]
    return lines


def per_sample_section(results):
    section = results["per_sample"]
    pypy = results.get("pypy", {"found": False})
    pypy_rows = {}
    if pypy.get("found") and "results" in pypy:
        pypy_rows = {tuple(r["layer_sizes"]): r for r in pypy["results"]}
    head = ["network", "connections", "neurons (CPython)"]
    if pypy_rows:
        head.append("neurons (PyPy)")
    head += ["vectorized", "neurons ÷ vectorized", "vectorized batch 64, per sample",
             "neurons ÷ batch 64"]
    rows = []
    for row in section["rows"]:
        cells = [sizes_name(row["layer_sizes"]), f"{row['connections']:,}",
                 format_time(row["neurons_seconds"])]
        if pypy_rows:
            p = pypy_rows.get(tuple(row["layer_sizes"]))
            cells.append(format_time(p["median"]) if p else "–")
        cells += [format_time(row["vectorized_seconds"]), ratio(row["ratio"]),
                  format_time(row["vectorized_batch64_seconds_per_sample"]),
                  ratio(row["ratio_batch64"])]
        rows.append(cells)
    lines = ["", f"## 1. Per-sample training: `train_one_sample` ({section['dtype']})", ""]
    lines += _table(head, rows)
    lines.append("")
    widest = max(section["rows"], key=lambda r: r["connections"])
    smallest = min(section["rows"], key=lambda r: r["connections"])
    per_conn = widest["neurons_seconds"] / widest["connections"]
    narrow = min((r for r in section["rows"] if r["layer_sizes"][0] == widest["layer_sizes"][0]),
                 key=lambda r: r["connections"])
    lines.append(
        f"The tutorial says \"hundreds of times\": on {sizes_name(widest['layer_sizes'])} we "
        f"measure {ratio(widest['ratio'])} sample by sample and {ratio(widest['ratio_batch64'])} "
        f"against batch-64 training."
    )
    lines.append("")
    if widest["ratio"] > narrow["ratio"]:
        grows = (f"Why the ratio grows with width (from {ratio(narrow['ratio'])} at "
                 f"{sizes_name(narrow['layer_sizes'])} to {ratio(widest['ratio'])} at "
                 f"{sizes_name(widest['layer_sizes'])}): ")
    else:  # a disturbed run: say so rather than print a sentence the table contradicts
        grows = (f"The ratio should grow with width, but in this run it does not "
                 f"({ratio(narrow['ratio'])} at {sizes_name(narrow['layer_sizes'])}, "
                 f"{ratio(widest['ratio'])} at {sizes_name(widest['layer_sizes'])}: the timings "
                 "were disturbed, see the load average). Why it should: ")
    lines.append(
        grows + "`neurons` pays the Python interpreter for every "
        f"connection ({per_conn * 1e9:.0f} ns per connection per step here), so its time grows "
        f"with the number of weights, while `vectorized` pays a nearly fixed NumPy overhead per "
        f"call ({format_time(smallest['vectorized_seconds'])} per step even for "
        f"{sizes_name(smallest['layer_sizes'])}) that bigger matrices amortise."
    )
    lines.append("")
    if "float32_784_300_10" in section and [784, 300, 10] in [r["layer_sizes"] for r in
                                                              section["rows"]]:
        f64 = _per_sample_row(results, [784, 300, 10])["vectorized_seconds"]
        lines.append(
            f"`vectorized` `train_one_sample` on 784-300-10 in float32: "
            f"{format_time(section['float32_784_300_10']['median'])} (float64: "
            f"{format_time(f64)})."
        )
        at_once = section.get("added_at_once_784_300_10")
        if at_once:
            lines[-1] += (
                f" The first layer holds its steps and adds {section['deferred_steps']} at a "
                f"time to W in one matrix product (vectorized/deferred.py); adding each step "
                f"at once (a rank-1 update per sample) takes {format_time(at_once['median'])} "
                "in float64."
            )
        numpy_only = section.get("numpy_only_784_300_10")
        if numpy_only:
            lines[-1] += (
                f" Without SciPy (NumPy only: products written to a buffer, then added, instead "
                f"of BLAS adding them into W; NumPy's sigmoid instead of `expit`), float64 takes "
                f"{format_time(numpy_only['median'])}."
            )
        lines.append("")
    if not pypy.get("found"):
        lines.append("PyPy: `pypy3` was not found on PATH, so the PyPy column is left out.")
    elif "error" in pypy:
        lines.append(f"PyPy: `{pypy['executable']}` failed: {pypy['error']}")
    else:
        row = pypy_rows.get(tuple(widest["layer_sizes"]))
        speedup = widest["neurons_seconds"] / row["median"] if row else float("nan")
        lines.append(
            f"PyPy: `neurons` under {pypy['implementation']} {pypy['python_version']} "
            f"(`{pypy['executable']}`, subprocess without NumPy, after a "
            f"{pypy['options']['warmup_time']:g} s JIT warm-up) is {ratio(speedup)} faster "
            f"than under CPython on {sizes_name(widest['layer_sizes'])}."
        )
    return lines


def phases_section(results):
    section = results["phases"]
    rows = []
    for row in section["rows"]:
        rows.append([row["phase"], format_time(row["neurons_seconds"]),
                     f"{100 * row['neurons_share']:.0f}%",
                     format_time(row["vectorized_seconds"]),
                     f"{100 * row['vectorized_share']:.0f}%", ratio(row["ratio"])])
    neu_total, vec_total = section["neurons_total_seconds"], section["vectorized_total_seconds"]
    rows.append(["**one step**", format_time(neu_total), "100%", format_time(vec_total), "100%",
                 ratio(neu_total / vec_total)])
    lines = ["", f"## 2. Phases of one step ({sizes_name(section['layer_sizes'])}, "
                 f"{section['dtype']})", ""]
    lines += _table(["phase", "neurons", "share", "vectorized", "share",
                     "neurons ÷ vectorized"], rows)
    top_n = max(section["rows"], key=lambda r: r["neurons_share"])
    top_v = max(section["rows"], key=lambda r: r["vectorized_share"])
    lines += [
        "",
        f"Largest phase: `neurons` {top_n['phase']} ({100 * top_n['neurons_share']:.0f}%), "
        f"`vectorized` {top_v['phase']} ({100 * top_v['vectorized_share']:.0f}%). "
        "neurons: `predict`, `calc_delta`, `calc_gradient`, `update_weight`; vectorized: "
        "`_forward`, `_backward` (deltas and gradients together, "
        f"{format_time(section['vectorized_backward_seconds'])}; the deltas row is it minus "
        "the layers' own gradient computation), `_update` — see benchmarks/phases.py.",
    ]
    fused_n = section.get("neurons_fused_gradient_update_seconds")
    if fused_n:
        staged = sum(row["neurons_seconds"] for row in section["rows"]
                     if row["phase"] in ("gradients", "update"))
        lines += [
            "",
            f"`neurons` `train_one_sample` computes each gradient and applies 式5 in the same "
            f"pass over the connections (`update_weight`, as in the tutorial): "
            f"{format_time(fused_n)} instead of {format_time(staged)} for the gradients and "
            "update rows.",
        ]
    fused = section.get("vectorized_fused_backward_update_seconds")
    if fused:
        textbook = sum(row["vectorized_seconds"] for row in section["rows"]
                       if row["phase"] != "forward")
        held = section.get("deferred_steps", 0)
        how = (f"the first layer holding its steps and adding {held} at a time in one matrix "
               "product" if held else "each step added to W at once")
        lines += [
            "",
            f"`vectorized` `train_one_sample` actually runs deltas, gradients and update fused "
            f"(`_backward_and_update`: 式9 applied to W without forming W_grad, {how}; timed "
            f"over runs of {max(1, held)} consecutive steps): {format_time(fused)} per step "
            f"instead of {format_time(textbook)} for those three rows.",
        ]
    passes = section.get("weight_passes")
    if passes and passes.get("rank1_update_seconds"):
        product, at_once = passes["product_seconds"], passes["rank1_update_seconds"]
        rows, cols = passes["shape"]
        lines += [
            "",
            f"The floor of a one-sample step: the first layer's {rows}×{cols} weights "
            f"({format_bytes(rows * cols * (8 if passes['dtype'] == 'float64' else 4))}, "
            "larger than a core's L2 cache on most CPUs) must be read for `W·x`, and the update "
            "reads and writes them. Timed alone: `W·x` "
            f"{format_time(product)}; adding one step at once (rank-1 update `?ger`) "
            f"{format_time(at_once)}, {format_time(product + at_once)} together.",
        ]
        held = passes.get("held_update_seconds")
        if held:
            lines[-1] += (
                f" Adding {passes['held_steps']} held steps in one product (`?gemm`): "
                f"{format_time(held)} per step, {format_time(product + held)} together: the "
                "product does the same arithmetic, but reads and writes W once for all "
                f"{passes['held_steps']}."
            )
        lines[-1] += " The rest of a step is the small NumPy calls."
    return lines


def minibatch_section(results):
    section = results["minibatch"]
    peaks = section["peak"]
    lines = ["", f"## 3. Mini-batch training: `train` ({sizes_name(section['layer_sizes'])})", ""]
    n_threads = results["meta"]["environment"]["blas_threads"]
    peak_text = ", ".join(
        f"{dtype} {p['gflops']:.1f} GFLOP/s" for dtype, p in peaks.items())
    any_peak = next(iter(peaks.values()))
    lines.append(
        f"This machine's matrix-multiply peak (`np.matmul`, {any_peak['n']}×{any_peak['n']}, "
        f"median of {any_peak['repeats']}, {threads(n_threads)}): {peak_text}. Useful work: "
        f"{section['flops_per_sample']:,} FLOPs per sample (forward and weight gradient of "
        "every layer, input gradient of all but the first: 2·in·out each). The machine's speed "
        "drifts, so each row times its training and that matmul in alternation, repeat by "
        "repeat: \"matmul then\" is the median matmul speed beside the row, and the share is "
        "the median of the repeats' shares."
    )
    lines.append("")
    rows = []
    for row in section["rows"]:
        rows.append([row["dtype"], row["batch_size"], format_time(row["seconds_per_sample"]),
                     f"{row['samples_per_second']:,.0f}", f"{row['gflops']:.1f}",
                     f"{row.get('peak_gflops', float('nan')):.1f}",
                     f"{100 * row['fraction_of_peak']:.0f}%"])
    lines += _table(["dtype", "batch", "time per sample", "samples / s", "GFLOP/s",
                     "matmul then", "of matmul peak"], rows)
    if any(row["fraction_of_peak"] > 1 for row in section["rows"]):
        lines += ["", "Above 100%: the peak measurement itself was slowed down (a busy machine); "
                      "the percentages are only as good as that one figure."]
    return lines


def memory_section(results):
    section = results["memory"]
    neu, epoch = section["neurons"], section["vectorized_epoch"]
    n = epoch["samples"]
    scaled = "" if n == epoch["full_size_samples"] else (
        f" — quick mode: {n:,} samples instead of {epoch['full_size_samples']:,}")
    lines = ["", "## 4. Memory", ""]
    rows = [
        [f"`neurons` {sizes_name(neu['layer_sizes'])} after building "
         f"({neu['connections']:,} connections)",
         f"{neu['bytes_per_connection_after_build']:.0f} B per Connection "
         f"({format_bytes(neu['bytes_after_build'])} in all)"],
        ["… after one training step (every Connection now holds its own gradient float)",
         f"{neu['bytes_per_connection_after_step']:.0f} B per Connection "
         f"({format_bytes(neu['bytes_after_step'])} in all)"],
        [f"`vectorized` epoch: {n:,} × {epoch['layer_sizes'][0]} uint8 samples, batch "
         f"{epoch['batch_size']}, {epoch['dtype']}{scaled}: peak traced by tracemalloc",
         f"{format_bytes(epoch['tracemalloc_peak_bytes'])} (the uint8 data: "
         f"{format_bytes(epoch['uint8_data_bytes'])})"],
        ["… peak resident memory of that whole process (VmHWM)",
         f"{format_bytes(epoch['peak_rss_bytes'])} "
         f"({format_bytes(epoch['peak_rss_before_data_bytes'])} of it before the data: "
         "interpreter and NumPy)"],
        ["… time of that epoch", format_time(epoch["epoch_seconds"])],
    ]
    lines += _table(["measurement", "value"], rows)
    lines += ["", "Bytes per Connection = everything the network allocates (Connection, Node and "
                  "list objects, float weights) ÷ its number of connections."]
    return lines


def targets_section(results):
    lines = ["", "## Targets", ""]
    rows = []
    for t in results["targets"]:
        goal = f"{SYMBOLS[t['comparison']]} {format_value(t['threshold'], t['unit'])}"
        rows.append([t["description"], goal, format_value(t["measured"], t["unit"]),
                     "✓" if t["ok"] else "✗"])
    lines += _table(["target", "goal", "measured", ""], rows)
    return lines


def markdown(results):
    lines = header(results)
    if "per_sample" in results:
        lines += per_sample_section(results)
    if "phases" in results:
        lines += phases_section(results)
    if "minibatch" in results:
        lines += minibatch_section(results)
    if "memory" in results:
        lines += memory_section(results)
    if results.get("targets"):
        lines += targets_section(results)
    if results["meta"].get("chart_note"):
        lines += ["", results["meta"]["chart_note"]]
    return "\n".join(lines) + "\n"
