"""The results as Markdown (stdout, README): header, per-sample and phase sections, and the
assembly of the whole report (batch, PyTorch and memory sections: report_batches.py; targets:
targets.py).

Every number printed here comes from the results dict the benchmarks filled in: nothing is
typed in, apart from the targets themselves.
"""

from .formatting import format_bytes, ratio, sizes_name, table, threads
from .report_batches import cnn_section, memory_section, minibatch_section, pytorch_section
from .targets import check_targets, per_sample_row, targets_section
from .timing import format_time

__all__ = ["check_targets", "markdown"]


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
        "# Benchmarks: `neurons` (object graph), `vectorized` (textbook matrices) and "
        "`vectorized.fast`",
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
        "not used — no implementation skips zeros, so dense inputs are the conservative "
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
    head += ["vectorized (textbook)", "neurons ÷ textbook", "vectorized.fast",
             "neurons ÷ fast", "fast, batch 64, per sample"]
    rows = []
    for row in section["rows"]:
        cells = [sizes_name(row["layer_sizes"]), f"{row['connections']:,}",
                 format_time(row["neurons_seconds"])]
        if pypy_rows:
            p = pypy_rows.get(tuple(row["layer_sizes"]))
            cells.append(format_time(p["median"]) if p else "–")
        cells += [format_time(row["textbook_seconds"]), ratio(row["ratio_textbook"]),
                  format_time(row["fast_seconds"]), ratio(row["ratio_fast"]),
                  format_time(row["fast_batch64_seconds_per_sample"])]
        rows.append(cells)
    lines = ["", f"## 1. Per-sample training: `train_one_sample` ({section['dtype']})", ""]
    lines += table(head, rows)
    lines.append("")
    widest = max(section["rows"], key=lambda r: r["connections"])
    smallest = min(section["rows"], key=lambda r: r["connections"])
    per_conn = widest["neurons_seconds"] / widest["connections"]
    lines += [
        f"The tutorial says \"hundreds of times\": on {sizes_name(widest['layer_sizes'])} the "
        f"textbook matrices are {ratio(widest['ratio_textbook'])} as fast as the object graph "
        f"sample by sample, the fast engine {ratio(widest['ratio_fast'])}, and batch-64 "
        f"training {ratio(widest['ratio_batch64'])}. `neurons` pays the interpreter for every "
        f"connection ({per_conn * 1e9:.0f} ns per connection per step here); the matrices pay a "
        f"nearly fixed NumPy overhead per call ({format_time(smallest['textbook_seconds'])} "
        f"per textbook step even for {sizes_name(smallest['layer_sizes'])}) that bigger "
        "matrices amortise.",
        "",
    ]
    tutorial = section.get("tutorial_fc_784_300_10")
    if tutorial and [784, 300, 10] in [r["layer_sizes"] for r in section["rows"]]:
        big = per_sample_row(results, [784, 300, 10])
        lines.append(
            f"On 784-300-10 the tutorial's own vectorised design (benchmarks/tutorial_fc.py: "
            f"column vectors, a new gradient array per step, 式8 run for the first layer too) "
            f"takes {format_time(tutorial['median'])} per sample: the textbook engine "
            f"{format_time(big['textbook_seconds'])}, the fast engine "
            f"{format_time(big['fast_seconds'])} "
            f"({ratio(tutorial['median'] / big['fast_seconds'])} the tutorial's speed)."
        )
        float32 = section.get("fast_float32_784_300_10")
        at_once = section.get("fast_added_at_once_784_300_10")
        numpy_only = section.get("fast_numpy_only_784_300_10")
        if float32:
            lines[-1] += f" The fast engine in float32: {format_time(float32['median'])}."
        if at_once:
            lines[-1] += (
                f" Its first layer holds its steps and adds {section['deferred_steps']} at a time "
                f"in one matrix product; adding each step at once takes "
                f"{format_time(at_once['median'])}.")
        if numpy_only:
            lines[-1] += (f" Without SciPy (no BLAS `?ger`/`?gemm` into W, NumPy's sigmoid) it "
                          f"takes {format_time(numpy_only['median'])}.")
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


def _signed_time(seconds):
    return format_time(seconds) if seconds >= 0 else "−" + format_time(-seconds)


def ladder_section(results):
    rows = results["ladder"]["rows"]
    first = rows[0]["seconds"]
    lines = ["", f"### 1b. From the textbook step to `vectorized.fast` "
                 f"({sizes_name(results['ladder']['layer_sizes'])}), one trick at a time", ""]
    table_rows = []
    for before, row in zip([None] + rows[:-1], rows):
        saved = "" if before is None else _signed_time(before["seconds"] - row["seconds"])
        table_rows.append([row["rung"], row["adds"], row["dtype"], format_time(row["seconds"]),
                           saved, ratio(first / row["seconds"])])
    lines += table(["step", "what it adds", "dtype", "`train_one_sample`", "saves",
                    "textbook ÷ this"], table_rows)
    lines += ["", "Every rung timed in alternation with the others (benchmarks/ladder.py); "
                  "\"saves\" is the difference to the rung above."]
    return lines


def phases_section(results):
    section = results["phases"]
    rows = [[row["phase"], format_time(row["neurons_seconds"]),
             f"{100 * row['neurons_share']:.0f}%", format_time(row["textbook_seconds"]),
             f"{100 * row['textbook_share']:.0f}%", ratio(row["ratio"])]
            for row in section["rows"]]
    neu_total, vec_total = section["neurons_total_seconds"], section["textbook_total_seconds"]
    rows.append(["**one step**", format_time(neu_total), "100%", format_time(vec_total), "100%",
                 ratio(neu_total / vec_total)])
    lines = ["", f"## 2. Phases of one step ({sizes_name(section['layer_sizes'])}, "
                 f"{section['dtype']})", ""]
    lines += table(["phase", "neurons", "share", "vectorized (textbook)", "share",
                    "neurons ÷ textbook"], rows)
    fused = section["fast_step_seconds"] - section["fast_forward_seconds"]
    lines += [
        "",
        "Both packages' public phases, timed call by call: `predict`, `calc_delta`, "
        "`calc_gradient`, `update_weight` (benchmarks/phases.py). `vectorized.fast` runs the "
        "last three fused (式9 applied to W without forming W_grad, the first layer holding "
        f"{section['deferred_steps']} steps at a time): {format_time(fused)} per step after "
        f"a forward pass of {format_time(section['fast_forward_seconds'])}, against "
        f"{format_time(vec_total - section['rows'][0]['textbook_seconds'])} for the textbook's "
        "three phases.",
    ]
    passes = section.get("weight_passes")
    if passes and passes.get("rank1_update_seconds"):
        product, at_once = passes["product_seconds"], passes["rank1_update_seconds"]
        n_out, n_in = passes["shape"]
        lines += [
            "",
            f"The floor of a one-sample step: the first layer's {n_out}×{n_in} weights "
            f"({format_bytes(n_out * n_in * (8 if passes['dtype'] == 'float64' else 4))}) "
            f"must be read for `W·x` ({format_time(product)} alone), and a step adds to them: "
            f"one rank-1 update `?ger` {format_time(at_once)}",
        ]
        held = passes.get("held_update_seconds")
        if held:
            lines[-1] += (f", or {format_time(held)} per step when {passes['held_steps']} held "
                          "steps go in with one product `?gemm` (the same arithmetic, one pass "
                          "over W)")
        lines[-1] += "."
    return lines


def markdown(results):
    lines = header(results)
    if "per_sample" in results:
        lines += per_sample_section(results)
    if "ladder" in results:
        lines += ladder_section(results)
    if "phases" in results:
        lines += phases_section(results)
    if "minibatch" in results:
        lines += minibatch_section(results)
    if "memory" in results:
        lines += memory_section(results)
    if "pytorch" in results:
        lines += pytorch_section(results)
    if "cnn" in results:
        lines += cnn_section(results)
    if results.get("targets"):
        lines += targets_section(results)
    if results["meta"].get("chart_note"):
        lines += ["", results["meta"]["chart_note"]]
    return "\n".join(lines) + "\n"
