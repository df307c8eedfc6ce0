"""The recorded step as text: every formula, then the same formula with the objects' numbers.

Numbers are printed with :func:`fmt` (9 significant digits, always with a decimal point or an
exponent, an ASCII "-" for a negative number); operators use "−", so "1−0.5" is one minus a
number and "-0.5" is a negative number.
"""

from .i18n import text
from .trace import Num

INDENT = "  "


def fmt(value):
    """A number as printed: 9 significant digits, "1.0" rather than "1"."""
    s = f"{float(value):.9g}"
    return s if any(c in s for c in ".eni") else s + ".0"


def render_line(tokens):
    """Join text pieces and Nums; a negative number inside an expression gets parentheses."""
    out = []
    for token in tokens:
        if isinstance(token, Num):
            s = fmt(token.value)
            before = "".join(out).rstrip(" ")
            if s.startswith("-") and before and not before.endswith(("=", "(")):
                s = f"({s})"
            out.append(s)
        else:
            out.append(token)
    return "".join(out)


def input_nums(trace):
    """The sample as the network held it after predict: the input nodes' outputs (neurons)
    or layer 1's ``input`` array (vectorized)."""
    forward = trace.snapshots["forward"]
    if "node" in forward:
        return [Num(forward["node"][(0, i)]["output"], ("forward", "node", 0, i, "output"))
                for i in range(trace.layer_sizes[0])]
    return [Num(float(v), ("forward", "layer", 1, "input", i))
            for i, v in enumerate(forward[1]["input"])]


def given_lines(trace, names):
    """x = (…), t = (…), η as Nums."""
    sizes = trace.layer_sizes
    ts = [Num(t, ("label", i)) for i, t in enumerate(trace.label)]
    return [
        _vector("x", [names.out(0, i) for i in range(sizes[0])], input_nums(trace)),
        _vector("t", [names.target(i) for i in range(sizes[-1])], ts),
        ["η = ", Num(trace.rate, ("rate",))],
    ]


def _vector(name, symbols, nums):
    line = [f"{name} = ({', '.join(symbols)}) = ("]
    for pos, num in enumerate(nums):
        line += [", " if pos else "", num]
    return line + [")"]


def render_walkthrough(trace, title, names, lang, how, step_lines):
    """A walkthrough as text lines: the title, the given numbers, then every recorded step
    under its phase's heading; ``step_lines(step)`` renders one step (neurons or matrices)."""
    words = text(lang)
    lines = [words["title"].format(title=title, how=words[how]), words["note"], "",
             words["given"]]
    lines += [INDENT + render_line(t) for t in given_lines(trace, names)]
    phase = None
    for step in trace.steps:
        if step.phase != phase:
            phase = step.phase
            lines += ["", heading(words, phase, getattr(trace, "kinds", None))]
        lines += step_lines(step)
    return lines + ["", words["end"]]


OUTPUT_DELTA = {"mse": "δ_j = f'(net_j)·(t_j − y_j)", "cross_entropy": "δ_j = t_j − y_j",
                "hinge": "δ_j = −f'(net_j)·∂E/∂y_j"}


def heading(words, phase, kinds):
    """A phase's heading: the article's (sigmoid, ½Σ(t−y)²) or the general one naming f."""
    from .formulas import loss_symbol
    from .trace import is_article_kind

    key = phase + "_any"
    if is_article_kind(kinds) or key not in words:
        return words[phase]
    hidden = ", ".join(dict.fromkeys(kinds["activation"][:-1])) or "–"
    return words[key].format(f=f"{hidden} (hidden), {kinds['output']} (output)",
                             E=loss_symbol(kinds["loss"]), out=kinds["output"],
                             loss=kinds["loss"], formula=OUTPUT_DELTA[kinds["loss"]])


def render_neurons(trace, title, names, lang):
    """The whole walkthrough of a neurons Trace as text (a list of lines)."""
    def step_lines(step):
        flat = step.phase in ("gradient", "update")  # one line per connection, not indented
        return [INDENT + ("" if k == 0 or flat else INDENT) + render_line(tokens)
                for k, tokens in enumerate(step.lines)]
    return render_walkthrough(trace, title, names, lang, "how_neurons", step_lines)


def render_array(array, max_items=8):
    """An array as text lines, columns aligned; long rows/columns elided with "…"."""
    import numpy as np  # here, not at the top: the browser lab imports this module without it

    a = np.asarray(array, dtype=float)
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    keep_r = _keep(rows.shape[0], max_items)
    keep_c = _keep(rows.shape[1], max_items)
    cells = [["…" if c is None else fmt(rows[r, c]) for c in keep_c] if r is not None
             else ["⋮" for _ in keep_c] for r in keep_r]
    width = max(len(s) for row in cells for s in row)
    body = ["  ".join(s.rjust(width) for s in row) for row in cells]
    if a.ndim == 1:
        return [f"[{body[0]}]"]
    return [("[[" if k == 0 else " [") + row + ("]]" if k == len(body) - 1 else "]")
            for k, row in enumerate(body)]


def _keep(n, max_items):
    if n <= max_items:
        return list(range(n))
    half = max_items // 2
    return list(range(half)) + [None] + list(range(n - half, n))
