"""The same training step as matrices: a ``vectorized`` network, phase by phase.

:func:`record_vectorized` calls the network's public phases (``predict``, ``calc_delta``,
``calc_gradient``, ``update_weight``) and after each copies every layer's public arrays
(``input``, ``net``, ``output``, ``delta``, ``W``, ``b``, ``W_grad``, ``b_grad``). The steps show
式2 and 式7–式10 with those arrays; every :class:`Arr` is a copy of an array a layer held.
Layer l = 1 … L is ``net.layers[l − 1]``: its W joins node layer l − 1 to node layer l.
"""

from dataclasses import dataclass

import numpy as np

from .errors import ExplainError
from .formulas import loss_symbol
from .trace import Num, Step, Trace, edge_id, kinds_of, node_id
from .walkthrough import INDENT, render_array, render_line, render_walkthrough

ATTRS = ("input", "net", "output", "delta", "W", "b", "W_grad", "b_grad")
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True, eq=False)
class Arr:
    """An array as a layer held it; ``source`` = (phase, "layer", l, attr)."""

    value: np.ndarray
    source: tuple


def read_arrays(net):
    """{l: {attr: copy of layer l's array, or None}} for l = 1 … L (reading changes nothing)."""
    state = {}
    for l, layer in enumerate(net.layers, start=1):
        state[l] = {}
        for attr in ATTRS:
            value = getattr(layer, attr, None)
            state[l][attr] = None if value is None else np.array(value, dtype=float, copy=True)
    return state


def sup(l):
    return f"⁽{str(l).translate(SUP)}⁾"


def record_vectorized(net, sample, label, rate):
    """One training step of a vectorized ``net`` through its public phases; a Trace whose
    ``snapshots[phase]`` hold the layer arrays and whose steps hold :class:`Arr` tokens."""
    kinds = kinds_of(net)
    missing = [p for p in ("calc_delta", "calc_gradient", "update_weight") if not hasattr(net, p)]
    if missing:
        raise ExplainError(f"this vectorized Network has no public phase {', '.join(missing)}: "
                         "the matrix walkthrough needs the phases of train_one_sample")
    x, t = np.asarray(sample, dtype=float), np.asarray(label, dtype=float)
    snaps = {"start": read_arrays(net)}
    y = net.predict(x)  # phase 1 (式2)
    snaps["forward"] = read_arrays(net)
    loss = net.loss(y, t)
    net.calc_delta(t)  # phase 2 (式7, 式8)
    snaps["delta"] = read_arrays(net)
    net.calc_gradient()  # phase 3: W_grad = −δ xᵀ, b_grad = −δ
    snaps["gradient"] = read_arrays(net)
    net.update_weight(rate)  # phase 4 (式9, 式10)
    snaps["update"] = read_arrays(net)
    sizes = list(net.layer_sizes)
    return Trace(sizes, list(map(float, x)), list(map(float, t)), rate, loss, snaps,
                 _steps(snaps, sizes, t, rate, loss, kinds), kinds)


# f'(net) of each activation as the matrix walkthrough writes it, with a = f(net)
FPRIME = {"sigmoid": "a{u}(1−a{u})", "tanh": "(1−a{u}²)", "relu": "[net{u}>0]",
          "identity": "1"}


def _steps(s, sizes, t, rate, loss, kinds=None):
    L = len(sizes) - 1
    kinds = kinds or {"activation": ["sigmoid"] * L, "output": "sigmoid", "loss": "mse"}
    acts = kinds["activation"]

    def arr(phase, l, attr):
        return Arr(s[phase][l][attr], (phase, "layer", l, attr))

    def nodes(k):
        return [node_id(k, i) for i in range(sizes[k])]

    def edges(l):
        return [edge_id(l, j, i) for j in range(sizes[l]) for i in range(sizes[l - 1])]

    steps = []
    for l in range(1, L + 1):
        u = sup(l)
        steps.append(Step("m_forward", "式2", [
            [f"a{u} = {acts[l - 1]}(W{u}·x{u} + b{u})"],
            [f"W{u} = ", arr("forward", l, "W")],
            [f"x{u} = ", arr("forward", l, "input")],
            [f"b{u} = ", arr("forward", l, "b")],
            [f"net{u} = W{u}·x{u} + b{u} = ", arr("forward", l, "net")],
            [f"a{u} = {acts[l - 1]}(net{u}) = ", arr("forward", l, "output")],
        ], nodes=nodes(l - 1) + nodes(l), edges=edges(l)))
    target = Arr(np.array(t), ("label",))
    steps.append(Step("m_loss", "E", [
        [loss_symbol(kinds["loss"]) if kinds["loss"] != "mse" else "E = ½Σ(t − y)²"],
        ["y = ", arr("forward", L, "output")], ["t = ", target],
        ["E = ", Num(loss, ("loss",))]], nodes=nodes(L)))
    u = sup(L)
    steps.append(Step("m_output_delta", "式7", [
        [f"δ{u} = " + _output_delta(kinds)], ["y = ", arr("delta", L, "output")],
        ["t = ", target],
        [f"δ{u} = ", arr("delta", L, "delta")]], nodes=nodes(L)))
    for l in range(L - 1, 0, -1):
        u, v = sup(l), sup(l + 1)
        steps.append(Step("m_hidden_delta", "式8", [
            [f"δ{u} = {FPRIME[acts[l - 1]].format(u=u)}∘(W{v}ᵀ·δ{v})"],
            [f"a{u} = ", arr("delta", l, "output")],
            [f"W{v} = ", arr("delta", l + 1, "W")],
            [f"δ{v} = ", arr("delta", l + 1, "delta")],
            [f"δ{u} = ", arr("delta", l, "delta")],
        ], nodes=nodes(l) + nodes(l + 1), edges=edges(l + 1)))
    for l in range(1, L + 1):
        u = sup(l)
        steps.append(Step("m_gradient", "∂E/∂W", [
            [f"∂E/∂W{u} = −δ{u}·x{u}ᵀ = ", arr("gradient", l, "W_grad")],
            [f"∂E/∂b{u} = −δ{u} = ", arr("gradient", l, "b_grad")],
        ], nodes=nodes(l - 1) + nodes(l), edges=edges(l)))
    for l in range(1, L + 1):
        u = sup(l)
        steps.append(Step("m_update", "式9", [
            [f"W{u} ← W{u} + η·δ{u}·x{u}ᵀ = W{u} − η·∂E/∂W{u}, η = ", Num(rate, ("rate",))],
            [f"W{u} = ", arr("update", l, "W")],
            [f"b{u} ← b{u} + η·δ{u} (式10) = ", arr("update", l, "b")],
        ], nodes=nodes(l), edges=edges(l)))
    return steps


def _output_delta(kinds):
    """式7 for the output layer's kind (y(1−y)(t−y) in the article)."""
    f, loss = kinds["output"], kinds["loss"]
    if loss == "cross_entropy":
        return "t − y"
    fprime = {"sigmoid": "y(1−y)", "tanh": "(1−y²)", "relu": "[net>0]", "identity": ""}[f]
    if loss == "hinge":
        return f"−{fprime or '1'}∘∂E/∂y"
    return f"{fprime}(t−y)" if fprime else "t − y"


def render_tokens(tokens, indent):
    """A line that may end with an Arr: the array's rows aligned under its first row."""
    if not tokens or not isinstance(tokens[-1], Arr):
        return [indent + render_line(tokens)]
    head = indent + render_line(tokens[:-1])
    rows = render_array(tokens[-1].value)
    return [head + rows[0]] + [" " * len(head) + row for row in rows[1:]]


def render_vectorized(trace, title, names, lang):
    """The matrix walkthrough as text lines."""
    def step_lines(step):
        return [line for k, tokens in enumerate(step.lines)
                for line in render_tokens(tokens, INDENT + (INDENT if k else ""))]
    return render_walkthrough(trace, title, names, lang, "how_vectorized", step_lines)
