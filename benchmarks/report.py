"""The Markdown report: what the figures were measured on, each section's own table, targets."""

from . import busy, ladder, memory, minibatch, per_sample, phases, targets
from .report_batches import cnn_section, pytorch_section

SECTIONS = (("per_sample", per_sample.markdown), ("ladder", ladder.markdown),
            ("phases", phases.markdown), ("minibatch", minibatch.markdown),
            ("memory", memory.markdown), ("pytorch", pytorch_section), ("cnn", cnn_section),
            ("busy", busy.markdown), ("targets", targets.markdown))


def header(results):
    meta, env = results["meta"], results["meta"]["environment"]
    blas = " and ".join(f"{p['internal_api']} {p['version']} ({p['architecture']}, "
                        f"{p['num_threads']} threads)" for p in env["blas"]) or \
        f"{env['blas_threads']} threads"
    return ["# Benchmarks: `neurons` (object graph), `vectorized` (textbook matrices) and "
            "`vectorized.fast`", "",
            f"Measured {env['date']} in {meta['mode']} mode ({meta['seconds']:.0f} s) · "
            f"{env['python']} · NumPy {env['numpy']} · BLAS {blas} · CPU: {env['cpu_model']}, "
            f"{env['cpus']} CPUs · load average (1 min) at start/end "
            f"{env['load_average_at_start']}/{meta.get('load_average_at_end')}: above the CPU "
            "count, other work competed for the cores and the times are noisy.", "",
            "Inputs are seeded dense random numbers (MNIST's zeros are skipped by no engine, so "
            "dense is the conservative case). Every time is the median of several repeats."]


def markdown(results):
    lines = header(results)
    for key, section in SECTIONS:
        if results.get(key):
            lines += section(results)
    return "\n".join(lines) + "\n"
