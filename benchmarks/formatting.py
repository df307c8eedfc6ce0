"""Small formatters shared by the report's sections (standard library only)."""

import math


def format_time(seconds):
    """A duration with a unit a reader can compare at a glance: ns, µs, ms or s."""
    if seconds is None or seconds != seconds:  # missing or NaN
        return "–"
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs" if seconds < 1e-4 else f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms" if seconds < 1e-2 else f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def format_bytes(n):
    if n < 1e6:
        return f"{n:.0f} B" if n < 1000 else f"{n / 1e3:.1f} kB"
    return f"{n / 1e6:.0f} MB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def ratio(x, spread=None):
    """×x (``spread``: with the lowest and highest repeat's ratio after it)."""
    if x is None or not math.isfinite(x):
        return "–"
    text = f"×{x:.0f}" if x >= 10 else f"×{x:.1f}"
    return text if spread is None else f"{text} ({spread[0]:.2f}–{spread[1]:.2f})"


def percent(x):
    return f"{100 * x:.0f}%"


def sizes_name(sizes):
    return "-".join(str(n) for n in sizes)


def table(header, rows):
    """A Markdown table: the first column left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if k == 0 else "---:" for k in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
