"""An optional PNG of the results; needs matplotlib (``pip install -e '.[plot]'``)."""


def draw(results, path):
    """Write the chart to ``path``; returns None, or a one-line note when it could not."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("Chart skipped: matplotlib is not installed "
                "(pip install matplotlib, or the project's [plot] extra).")
    panels = [key for key in ("per_sample", "minibatch") if key in results]
    if not panels:
        return "Chart skipped: neither the per-sample nor the mini-batch section was run."
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.8), squeeze=False)
    for ax, key in zip(axes[0], panels):
        (_per_sample if key == "per_sample" else _minibatch)(ax, results)
    env = results["meta"]["environment"]
    fig.suptitle(f"{env['cpu_model']} · {env['python']} · NumPy {env['numpy']} · "
                 f"{env['date']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


def _per_sample(ax, results):
    rows = results["per_sample"]["rows"]
    names = ["-".join(map(str, r["layer_sizes"])) for r in rows]
    x = range(len(rows))
    series = [("neurons (CPython)", [r["neurons_seconds"] for r in rows], "o-")]
    pypy = results.get("pypy", {})
    if pypy.get("results"):
        by_sizes = {tuple(r["layer_sizes"]): r["median"] for r in pypy["results"]}
        series.append(("neurons (PyPy)",
                       [by_sizes.get(tuple(r["layer_sizes"]), float("nan")) for r in rows], "o--"))
    series += [
        ("vectorized (textbook), one sample", [r["textbook_seconds"] for r in rows], "s-"),
        ("vectorized.fast, one sample", [r["fast_seconds"] for r in rows], "^-"),
        ("vectorized.fast, batch 64 (per sample)",
         [r["fast_batch64_seconds_per_sample"] for r in rows], "^--"),
    ]
    for label, seconds, style in series:
        ax.plot(list(x), [s * 1e6 for s in seconds], style, label=label)
    ax.set_yscale("log")
    ax.set_xticks(list(x))
    ax.set_xticklabels(names)
    ax.set_xlabel("network")
    ax.set_ylabel("µs per training sample (log scale)")
    ax.set_title("One training step per sample")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def _minibatch(ax, results):
    section = results["minibatch"]
    for dtype, peak in section["peak"].items():
        rows = [r for r in section["rows"]
                if r["dtype"] == dtype and r.get("engine", "fast") == "fast"]
        line, = ax.plot([r["batch_size"] for r in rows], [r["gflops"] for r in rows], "o-",
                        label=f"vectorized.fast train, {dtype}")
        ax.axhline(peak["gflops"], color=line.get_color(), linestyle=":",
                   label=f"matmul peak, {dtype}")
    ax.set_xscale("log", base=2)
    batch_sizes = sorted({r["batch_size"] for r in section["rows"]})
    ax.set_xticks(batch_sizes)
    ax.set_xticklabels([str(b) for b in batch_sizes])
    ax.minorticks_off()
    ax.set_xlabel("batch size")
    ax.set_ylabel("useful GFLOP/s")
    ax.set_title("-".join(map(str, section["layer_sizes"])) + ": mini-batch training")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
