"""Where two sets of numbers first differ, named as the project names them.

Bounds (the project's equivalence bounds): outputs, δ, losses and gradients agree when
``|expected − got| ≤ 1e-12 · max(1, |expected|)``; parameters after training steps within 1e-9.
Layers are numbered as ``parameters()`` lists them: layer 1 holds the weights into the first
hidden layer; ``W[j, i]`` is ``w_ji``, from node i below to node j.
"""

from dataclasses import dataclass

import numpy as np

VALUES = 1e-12
STEPS = 1e-9


@dataclass
class Difference:
    """The first number that differs: where (in words), expected, got, relative error."""

    where: str
    expected: object
    got: object

    @property
    def relative_error(self):
        e, g = self.expected, self.got
        if not (isinstance(e, float) and isinstance(g, float)):
            return float("inf")
        if not np.isfinite(g):
            return float("inf")
        return abs(e - g) / max(abs(e), abs(g), 1e-300)

    def line(self):
        if isinstance(self.expected, float) and isinstance(self.got, float):
            return (f"{self.where}: expected {self.expected:.12g}, got {self.got:.12g} "
                    f"(relative error {self.relative_error:.2g})")
        return f"{self.where}: expected {self.expected}, got {self.got}"


def agree(expected, got, bound=VALUES):
    """True when two arrays of the same shape agree within ``bound`` (NaN never agrees)."""
    e, g = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    return e.shape == g.shape and bool(np.all(np.abs(e - g) <= bound * np.maximum(1.0,
                                                                               np.abs(e))))


def first_in_array(expected, got, name, bound=VALUES):
    """The first entry (row-major) of ``got`` that differs from ``expected``, or None.
    ``name(index)`` words an index; a shape mismatch is a difference of its own."""
    e = np.asarray(expected, dtype=float)
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as error:
        return Difference(name(None), f"an array of shape {e.shape}", f"{error}")
    if e.shape != g.shape:
        return Difference(name(None) + " shape", e.shape, g.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~(np.abs(e - g) <= bound * np.maximum(1.0, np.abs(e)))
    if not bad.any():
        return None
    index = tuple(int(v) for v in np.argwhere(bad)[0])
    return Difference(name(index), float(e[index]), float(g[index]))


def layer_word(k, count, conv=False):
    """'layer 2 (output)', 'layer 1 (conv)', 'layer 1'."""
    notes = (["conv"] if conv else []) + (["output"] if k == count else [])
    return f"layer {k}" + (f" ({', '.join(notes)})" if notes else "")


def weight_name(k, count, W_shape, what="∂E/∂w"):
    """Words for an entry of layer k's W (or its gradient)."""
    conv = len(W_shape) == 4

    def name(index):
        base = layer_word(k, count, conv)
        if index is None:
            return f"{base}, {what} (W{list(W_shape)})"
        if conv:
            f, c, u, v = index
            return (f"{base}, {what} of filter {f}, channel {c}, offset ({u}, {v}) at "
                    f"W[{f}, {c}, {u}, {v}]")
        j, i = index
        ji = f"{j}{i}" if max(j, i) < 10 else f"{j},{i}"
        sub = what.replace("w", f"w_{ji}") if "w" in what else what
        return f"{base}, {sub} at W[{j}, {i}] (from node {i} below to node {j})"
    return name


def bias_name(k, count, conv, what="∂E/∂b"):
    def name(index):
        base = layer_word(k, count, conv)
        if index is None:
            return f"{base}, {what}"
        sub = what.replace("b", f"b_{index[0]}") if "b" in what else what
        return f"{base}, {sub} at b[{index[0]}]"
    return name


def first_in_parameters(expected, got, bound=VALUES, grad=True, top_down=True):
    """The first difference between two ``[(W, b), …]`` lists: from the output layer down
    (backprop's order: an error there spreads below) unless ``top_down`` is False."""
    count = len(expected)
    if not isinstance(got, (list, tuple)) or len(got) != count:
        n = len(got) if isinstance(got, (list, tuple)) else type(got).__name__
        return Difference("number of (W, b) pairs", count, n)
    order = range(count, 0, -1) if top_down else range(1, count + 1)
    for k in order:
        (eW, eb), pair = expected[k - 1], got[k - 1]
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            return Difference(f"{layer_word(k, count)}: a (W, b) pair", "(W, b)", repr(pair)[:60])
        gW, gb = pair
        what_w, what_b = ("∂E/∂w", "∂E/∂b") if grad else ("w", "b")
        found = first_in_array(eW, gW, weight_name(k, count, np.shape(eW), what_w), bound) or \
            first_in_array(eb, gb, bias_name(k, count, np.ndim(eW) == 4, what_b), bound)
        if found:
            found.layer = k
            return found
    return None
