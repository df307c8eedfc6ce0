"""The report's sections on batches and memory: mini-batch training against the machine's
peak, ``vectorized.fast`` against PyTorch, and memory."""

from . import cnn_parts
from .formatting import format_bytes, ratio, sizes_name, table, threads
from .timing import format_time


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
        rows.append([row.get("engine", "fast"), row["dtype"], row["batch_size"],
                     format_time(row["seconds_per_sample"]),
                     f"{row['samples_per_second']:,.0f}", f"{row['gflops']:.1f}",
                     f"{row.get('peak_gflops', float('nan')):.1f}",
                     f"{100 * row['fraction_of_peak']:.0f}%"])
    lines += table(["engine", "dtype", "batch", "time per sample", "samples / s", "GFLOP/s",
                     "matmul then", "of matmul peak"], rows)
    if any(row["fraction_of_peak"] > 1 for row in section["rows"]):
        lines += ["", "Above 100%: the peak measurement itself was slowed down (a busy machine); "
                      "the percentages are only as good as that one figure."]
    return lines


def pytorch_section(results):
    section = results["pytorch"]
    lines = ["", "## 5. `vectorized.fast` and PyTorch (CPU), float32", ""]
    if not section.get("found"):
        return lines + ["PyTorch is not installed (`pip install -e '.[compare]'`): skipped."]
    rows = [[row["batch_size"], format_time(row["fast_seconds_per_sample"]),
             format_time(row["torch_seconds_per_sample"]),
             f"{ratio(row['torch_over_fast'])} ({row['spread'][0]:.2f}–{row['spread'][1]:.2f})",
             f"{100 * row['fast_fraction_of_peak']:.0f}%"] for row in section["rows"]]
    lines += table(["batch", "vectorized.fast, per sample", "PyTorch, per sample",
                    "PyTorch ÷ fast (spread)", "fast, of the matmul peak beside it"], rows)
    lines += [
        "",
        f"PyTorch {section['version']} with `torch.set_num_threads({section['threads']})`, the "
        f"number of threads NumPy's BLAS uses ({section['numpy_blas_threads']}). Same network "
        f"({sizes_name(section['layer_sizes'])}, sigmoid, ½Σ(t − y)² averaged over the batch, "
        "plain SGD), same data, one epoch per call, the two timed in alternation; the ratio is "
        "the median of the repeats' ratios. From the same float64 parameters one batch step of "
        f"each differs by {section['same_step_difference']:.1e} at most: the same step.",
    ]
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
    lines += table(["measurement", "value"], rows)
    lines += ["", "Bytes per Connection = everything the network allocates (Connection, Node and "
                  "list objects, float weights) ÷ its number of connections."]
    return lines


def cnn_section(results):
    section = results["cnn"]
    lines = ["", f"## 6. Convolutional networks: `train`, {section['dtype']}", ""]
    torch = section.get("torch")
    lines.append(
        "Every engine trains the same network on the same random data, one epoch per call, all "
        "timed in alternation with a square `np.matmul`; each figure is the median over the "
        "repeats, and engine ÷ fast is taken repeat by repeat (median, then the lowest and "
        "highest). " + (f"PyTorch {torch['version']} with `torch.set_num_threads("
                        f"{torch['threads']})`." if torch else
                        "PyTorch is not installed: its rows are missing."))
    for net in section["networks"]:
        lines += ["", f"**{net['network']}** `{net['layer_sizes']}`, {net['activation']}, "
                      f"batch {net['batch_size']}: {net['flops_per_sample']:,} useful FLOPs per "
                      f"sample; matmul peak {net['peak_gflops']:.1f} GFLOP/s "
                      f"({net['matmul_n']}², median); load average {net.get('loadavg')}", ""]
        rows = [[row["engine"], format_time(row["seconds_per_sample"]), f"{row['gflops']:.1f}",
                 f"{100 * row['fraction_of_peak']:.0f}%",
                 f"{ratio(row['engine_over_fast'])} ({row['spread'][0]:.2f}–"
                 f"{row['spread'][1]:.2f})"] for row in net["rows"]]
        lines += table(["engine", "time per sample", "GFLOP/s", "of matmul peak",
                        "engine ÷ fast"], rows)
    for parts in section.get("parts", []):
        lines += ["", f"### 6b. {parts['network']}: the parts of one `vectorized.fast` step "
                      f"(load average {parts['loadavg']})"]
        lines += cnn_parts.format_parts(parts)
    return lines
