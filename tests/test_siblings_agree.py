"""The forced duplicates between the siblings agree (issue 10, item 4).

``vectorized`` never imports ``neurons``, so a few things are written in both: the activation
and loss tables, the name lists, the initialisation bounds, the constants; the exported names
and public attributes must match too. Each checker below returns the list of disagreements, and
the last tests plant a difference in one package and show it reported.
"""

import math

import numpy as np

import neurons
import vectorized
import vectorized.fast
from neurons import activators as n_act
from neurons import losses as n_loss
from neurons import network as n_net
from vectorized import activators as v_act
from vectorized import layer as v_layer
from vectorized import losses as v_loss

ENGINES = {"neurons": neurons, "vectorized": vectorized, "fast": vectorized.fast}
# net values across every branch: 0 and ±tiny (kinks), moderate values, large ones where the
# exps saturate or would overflow if written naively
GRID = sorted({0.0, -0.0, 1e-300, -1e-300, 1e-9, -1e-9, *np.linspace(-40.0, 40.0, 321).tolist(),
               -700.0, 700.0, -745.0, 745.0, -1e4, 1e4})


def near(a, b, ulps=4):
    """Equal to a few units in the last place (or both below the smallest normal float)."""
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False  # inf or NaN against anything else
    return abs(a - b) <= ulps * np.finfo(float).eps * max(abs(a), abs(b)) or abs(a - b) < 1e-300


# -- the checkers ------------------------------------------------------------------------------


def name_mismatches():
    found = []
    for name in ("INITS", "LOSSES", "HIDDEN_ACTIVATIONS", "OUTPUT_ACTIVATIONS"):
        ours, theirs = getattr(neurons, name), getattr(vectorized, name)
        if not (type(ours) is type(theirs) is tuple and ours == theirs):
            found.append(f"{name}: {ours!r} != {theirs!r}")
    if tuple(n_act.ACTIVATORS) != tuple(v_act.ACTIVATORS):
        found.append("activation tables list different names")
    if tuple(n_loss.LOSS_FUNCTIONS) != tuple(v_loss.LOSS_FUNCTIONS):
        found.append("loss tables list different names")
    return found


def activation_mismatches():
    """f(net) and f'(net, y) of every shared activation on GRID; softmax on a few vectors.
    Both derivatives get neurons' y, so a rounding difference in y (math.tanh and np.tanh may
    differ by an ulp) is not magnified by the cancellation in 1 − y²."""
    found = []
    for name in n_act.ACTIVATORS:
        (f, f_prime), (g, g_prime) = n_act.ACTIVATORS[name], v_act.ACTIVATORS[name]
        net, ys = np.array(GRID), [f(x) for x in GRID]
        with np.errstate(over="ignore", invalid="ignore"):
            y_array = g(net)
            d_array = g_prime(net, np.array(ys))
        for x, y, y_v, d_v in zip(GRID, ys, y_array.tolist(), d_array.tolist()):
            if not near(y, y_v):
                found.append(f"{name}({x}) = {y} in neurons, {y_v} in vectorized")
            elif not near(f_prime(x, y), d_v):
                found.append(f"{name}'({x}) = {f_prime(x, y)} in neurons, {d_v} in vectorized")
    rng = np.random.default_rng(0)
    for nets in [rng.normal(0, 5, 4) for _ in range(20)] + [np.array([1000.0, -1000.0, 0.0])]:
        ours, theirs = n_act.softmax(nets.tolist()), v_act.softmax(nets).tolist()
        if not all(map(near, ours, theirs)):
            found.append(f"softmax({nets.tolist()}): {ours} != {theirs}")
    return found


def loss_mismatches():
    """E and ∂E/∂y of every loss on random outputs and targets (one-hot, 0.9/0.1, ties)."""
    found = []
    rng = np.random.default_rng(1)
    cases = [(rng.uniform(-2, 2, 4), np.eye(4)[k % 4]) for k in range(12)]
    cases += [(rng.uniform(0, 1, 4), np.where(np.eye(4)[1] > 0, 0.9, 0.1)),
              (np.array([0.0, 1.0, 0.5, 1e-320]), np.array([0.5, 0.5, 0.0, 0.0])),
              (rng.uniform(0, 1, 3), np.array([0.3, 0.3, 0.4]))]
    for name in n_loss.LOSS_FUNCTIONS:
        (E, dE), (vE, vdE) = n_loss.LOSS_FUNCTIONS[name], v_loss.LOSS_FUNCTIONS[name]
        for y, t in cases:
            if not near(E(y.tolist(), t.tolist()), float(vE(y, t))):
                found.append(f"{name} E({y.tolist()}, {t.tolist()}) differs")
            with np.errstate(divide="ignore"):
                if not all(map(near, dE(y.tolist(), t.tolist()), vdE(y, t).tolist())):
                    found.append(f"{name} ∂E/∂y({y.tolist()}, {t.tolist()}) differs")
    return found


def init_mismatches():
    found = []
    for init in n_net.INITS:
        for n_in, n_out in [(1, 1), (3, 4), (784, 300), (300, 10)]:
            ours = n_net.init_bound(init, n_in, n_out)
            theirs = v_layer.init_bound(init, n_in, n_out)
            if ours != theirs:
                found.append(f"{init} {n_in}->{n_out}: {ours} != {theirs}")
    return found


def constant_mismatches():
    pairs = [(n_act, v_act, c) for c in ("SELU_ALPHA", "SELU_SCALE", "LEAKY_SLOPE", "ELU_ALPHA")]
    pairs.append((n_loss, v_loss, "TINY"))
    return [c for ours, theirs, c in pairs if getattr(ours, c) != getattr(theirs, c)]


CHECKERS = [name_mismatches, activation_mismatches, loss_mismatches, init_mismatches,
            constant_mismatches]


def test_the_duplicated_tables_agree():
    for checker in CHECKERS:
        assert checker() == [], checker.__name__


# -- exported names and public attributes ----------------------------------------------------

SHARED_NAMES = ("INITS", "LOSSES", "HIDDEN_ACTIVATIONS", "OUTPUT_ACTIVATIONS", "Network")


def test_both_packages_export_the_same_name_lists():
    for name in SHARED_NAMES:
        assert name in neurons.__all__ and name in vectorized.__all__
    for name in SHARED_NAMES[:-1]:
        ours, theirs = getattr(neurons, name), getattr(vectorized, name)
        assert type(ours) is tuple and type(theirs) is tuple, name
        assert all(isinstance(x, str) for x in ours) and ours == theirs, name


# neurons' own: its Connections, every trained number once (weights) and a CNN's SharedWeights.
# dropout_rng is shared by name only: random.Random in neurons, NumPy's generator in vectorized.
ONLY_IN = {"neurons": {"connections", "weights", "shared_weights"},
           "vectorized": {"dtype"},
           "fast": {"dtype"}}
SHARED_ATTRIBUTES = ("layer_sizes", "activation", "output", "loss_name", "init", "seed", "l2",
                     "input_shape", "input_size", "output_size")


def test_the_same_public_attributes_hold_the_same_values():
    config = dict(layer_sizes=[4, 3, 3, 2], activation=["relu", "tanh"], output="softmax",
                  loss="cross_entropy", init="he", l2=0.01, seed=3)
    nets = {name: p.Network(**config) for name, p in ENGINES.items()}
    public = {name: {a for a in dir(net) if not a.startswith("_")} for name, net in nets.items()}
    common = public["neurons"] - ONLY_IN["neurons"]
    for name in ENGINES:
        assert public[name] - ONLY_IN[name] == common, name
    for attribute in SHARED_ATTRIBUTES:
        values = [getattr(net, attribute) for net in nets.values()]
        assert values[0] == values[1] == values[2], attribute
    assert nets["neurons"].activation == ("relu", "tanh")


def test_a_cnn_has_the_same_attributes_too():
    config = dict(layer_sizes=["2x5x5", "conv3x3p1", "pool2", 4, "drop0.5", 2], seed=3)
    nets = {name: p.Network(**config) for name, p in ENGINES.items()}
    for attribute in SHARED_ATTRIBUTES:
        values = [getattr(net, attribute) for net in nets.values()]
        assert values[0] == values[1] == values[2], attribute
    assert nets["neurons"].input_shape == (2, 5, 5) and nets["neurons"].output_size == 2
    assert all(net.dropout_rng is not None for net in nets.values())


# -- each checker catches a planted difference -------------------------------------------------


def test_a_planted_activation_difference_is_caught(monkeypatch):
    f, f_prime = v_act.ACTIVATORS["leaky_relu"]
    monkeypatch.setitem(v_act.ACTIVATORS, "leaky_relu",
                        (f, lambda net, y: np.where(net > 0.0, 1.0, 0.02)))  # slope 0.02
    found = activation_mismatches()
    assert all(line.startswith("leaky_relu'(") for line in found)
    assert len(found) == sum(x <= 0.0 for x in GRID)  # every net ≤ 0, where the slope is used
    monkeypatch.setitem(v_act.ACTIVATORS, "leaky_relu", (f, f_prime))
    monkeypatch.setitem(v_act.ACTIVATORS, "softplus", (lambda x: np.log1p(np.exp(x)),
                                                       v_act.softplus_prime))  # overflows
    assert "softplus(745.0) = 745.0 in neurons, inf in vectorized" in activation_mismatches()


def test_a_planted_loss_difference_is_caught(monkeypatch):
    def hinge_margin_09(y, t):
        c = np.argmax(t, axis=-1)
        return np.sum(np.where(np.arange(y.shape[-1]) != c, np.maximum(0.0, y - y[c] + 0.9), 0))

    monkeypatch.setitem(v_loss.LOSS_FUNCTIONS, "hinge",
                        (hinge_margin_09, v_loss.LOSS_FUNCTIONS["hinge"][1]))
    found = loss_mismatches()
    assert found and all(line.startswith("hinge E(") for line in found)


def test_a_planted_name_init_or_constant_difference_is_caught(monkeypatch):
    monkeypatch.setattr(vectorized, "LOSSES", ("mse", "hinge", "cross_entropy"))
    assert name_mismatches() == [
        "LOSSES: ('mse', 'cross_entropy', 'hinge') != ('mse', 'hinge', 'cross_entropy')"]
    monkeypatch.setattr(v_layer, "init_bound", lambda init, n_in, n_out: (
        (math.sqrt(2.0 / n_in), False) if init == "he" else n_net.init_bound(init, n_in, n_out)))
    assert len(init_mismatches()) == 4 and init_mismatches()[0].startswith("he 1->1")
    monkeypatch.setattr(v_loss, "TINY", 1e-308)
    assert constant_mismatches() == ["TINY"]
