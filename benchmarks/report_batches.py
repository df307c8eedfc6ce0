"""The report's sections on ``vectorized.fast`` against PyTorch: 784-300-10 and the CNNs."""

from . import cnn_parts
from .formatting import ratio, sizes_name, table
from .timing import format_time


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
