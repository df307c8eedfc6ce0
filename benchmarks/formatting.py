"""Small formatters shared by the report's sections."""

import math


def format_bytes(n):
    if n < 1e6:
        return f"{n:.0f} B" if n < 1000 else f"{n / 1e3:.1f} kB"
    return f"{n / 1e6:.0f} MB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def ratio(x):
    if x is None or not math.isfinite(x):
        return "–"
    return f"×{x:.0f}" if x >= 10 else f"×{x:.1f}"


def format_value(value, unit):
    if unit == "%" and value is not None and math.isfinite(value):
        return f"{100 * value:.0f}%"
    return ratio(value)


def sizes_name(sizes):
    return "-".join(str(n) for n in sizes)


def table(header, rows):
    """A Markdown table: the first column left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if k == 0 else "---:" for k in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
