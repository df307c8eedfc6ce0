"""Exercises: write 式3, 式4, the gradient, 式5 and a shared (conv) weight's gradient yourself;
:func:`check` runs them on random ``neurons`` networks and compares every number with the one
the library's own phase left in its objects.

Each exercise is a function of plain numbers (what a node or connection holds):

* ``output_delta(y, t)``: 式3, δ_j of an output node (sigmoid output, E = ½Σ(t−y)²);
* ``hidden_delta(a, weights, deltas)``: 式4, δ_i of a hidden sigmoid node from its output a_i,
  the weights w_ki of its connections to the layer above and those nodes' δ_k;
* ``gradient(delta, x)``: ∂E/∂w_ji = −δ_j·x_i (the true gradient; the article stores δ_j·x_i);
* ``update(weight, rate, gradient)``: 式5, the new w_ji = w_ji − η·∂E/∂w_ji;
* ``conv_gradient(deltas, inputs)``: ∂E/∂w of one shared weight of a conv layer, from the δ_j
  and x_i of every connection that uses it.

The first difference is named as every view names it: the article's node number and weight
w_ji, the object (``layers[k].nodes[j]``, ``Connection(k−1-i → k-j)``) and the matrix entry
(``vectorized`` ``layers[k−1].W[j, i]``).
"""

import math
import random
from dataclasses import dataclass, field

from .names import ArticleNames

EXERCISES = ("output_delta", "hidden_delta", "gradient", "update", "conv_gradient")
TOLERANCE = 1e-9  # relative, for values above 1; absolute below


# -- the reference answers (what the library computes, written as the exercises ask) -----------

def output_delta(y, t):
    """式3: δ_j = y_j(1−y_j)(t_j−y_j)."""
    return y * (1 - y) * (t - y)


def hidden_delta(a, weights, deltas):
    """式4: δ_i = a_i(1−a_i) Σ_k w_ki δ_k."""
    return a * (1 - a) * sum(w * d for w, d in zip(weights, deltas))


def gradient(delta, x):
    """∂E/∂w_ji = −δ_j·x_i."""
    return -delta * x


def update(weight, rate, gradient):
    """式5: w_ji − η·∂E/∂w_ji (= w_ji + η·δ_j·x_i)."""
    return weight - rate * gradient


def conv_gradient(deltas, inputs):
    """∂E/∂w of a shared weight: Σ over its connections of −δ_j·x_i."""
    return sum(-d * x for d, x in zip(deltas, inputs))


REFERENCE = {name: globals()[name] for name in EXERCISES}


# -- the checker ---------------------------------------------------------------------------------

@dataclass
class Result:
    """One exercise's verdict: ``status`` "right", "wrong" or "not written"; for "wrong", where
    (``where``) and the two numbers."""

    exercise: str
    status: str
    checked: int = 0
    where: str = ""
    yours: float = None
    expected: float = None

    def line(self):
        if self.status == "right":
            return f"✓ {self.exercise}: right on {self.checked} numbers / 全部正确"
        if self.status == "not written":
            return f"… {self.exercise}: not written yet / 尚未完成"
        return (f"✗ {self.exercise}: first differs at {self.where}: yours {self.yours!r}, "
                f"the library's {self.expected!r}, off by {_off(self.yours, self.expected)} "
                f"/ 第一个不同之处")


@dataclass
class Report:
    results: list = field(default_factory=list)

    @property
    def ok(self):
        """No exercise wrong (unwritten ones are not wrong)."""
        return all(r.status != "wrong" for r in self.results)

    def __str__(self):
        return "\n".join(r.line() for r in self.results)

    def _repr_html_(self):
        return "<pre>" + str(self).replace("&", "&amp;").replace("<", "&lt;") + "</pre>"

    def raise_if_wrong(self):
        """AssertionError naming the first difference of every wrong exercise."""
        wrong = [r.line() for r in self.results if r.status == "wrong"]
        if wrong:
            raise AssertionError("\n".join(wrong))


def _off(yours, expected):
    try:
        return abs(float(yours) - float(expected))
    except (TypeError, ValueError):
        return "(not a number)"


def _close(yours, expected):
    try:
        yours = float(yours)
    except (TypeError, ValueError):
        return False
    return math.isfinite(yours) and abs(yours - expected) <= TOLERANCE * max(1.0, abs(expected))


def _random_network(rng, trial):
    import neurons

    sizes = [rng.randint(1, 4) for _ in range(rng.randint(3, 4))]
    net = neurons.Network(sizes, seed=rng.randrange(10**6))
    # weights larger than the tutorial's ±0.1 so a wrong sign or factor shows clearly
    net.set_parameters([([[rng.uniform(-2, 2) for _ in W[0]] for _ in W],
                         [rng.uniform(-1, 1) for _ in b]) for W, b in net.parameters()])
    sample = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    label = [rng.uniform(0, 1) for _ in range(sizes[-1])]
    return net, sample, label, rng.uniform(0.1, 1.0)


def node_where(names, k, j, trial, sizes):
    return (f"node {names.node(k, j)} (δ{names.node(k, j)} = layers[{k}].nodes[{j}].delta, "
            f"network {'-'.join(map(str, sizes))}, trial {trial})")


def weight_where(names, conn, trial, sizes):
    """w_ji ↔ Connection(k−1-i → k-j) ↔ vectorized layers[k−1].W[j, i] (b[j] for a bias)."""
    down, up = conn.downstream_node, conn.upstream_node
    k, j = down.layer_index, down.node_index
    if up.is_const:
        name, entry = names.bias(k, j), f"layers[{k - 1}].b[{j}]"
    else:
        i = up.node_index
        name, entry = names.weight(k, j, i), f"layers[{k - 1}].W[{j}, {i}]"
    return (f"{name} ({repr(conn).split(',')[0]}), vectorized {entry}, "
            f"network {'-'.join(map(str, sizes))}, trial {trial})")


def _run(name, fn, cases):
    """Compare fn(*args) with expected over ``cases`` (where, args, expected)."""
    count = 0
    for where, args, expected in cases:
        try:
            yours = fn(*args)
        except NotImplementedError:
            return Result(name, "not written")
        if not _close(yours, expected):
            return Result(name, "wrong", count, where, yours, expected)
        count += 1
    return Result(name, "right", count)


def _fc_cases(rng, trials):
    """Every (exercise → [(where, args, library value)]) of ``trials`` random networks."""
    cases = {name: [] for name in EXERCISES[:4]}
    for trial in range(1, trials + 1):
        net, sample, label, rate = _random_network(rng, trial)
        sizes, names = list(net.layer_sizes), ArticleNames(net.layer_sizes)
        L = len(sizes) - 1
        net.predict(sample)
        net.calc_delta(label)  # the library's 式3 and 式4
        net.calc_gradient()
        for j, node in enumerate(net.layers[L].nodes):
            cases["output_delta"].append((node_where(names, L, j, trial, sizes),
                                          (node.output, label[j]), node.delta))
        for k in range(L - 1, 0, -1):
            for j, node in enumerate(net.layers[k].nodes):
                args = (node.output, [c.weight for c in node.downstream],
                        [c.downstream_node.delta for c in node.downstream])
                cases["hidden_delta"].append((node_where(names, k, j, trial, sizes), args,
                                              node.delta))
        before = [(c, c.weight) for c in net.connections]
        for conn in net.connections:
            cases["gradient"].append((weight_where(names, conn, trial, sizes),
                                      (conn.downstream_node.delta, conn.upstream_node.output),
                                      conn.gradient))
        net.update_weight(rate)  # the library's 式5
        for conn, old in before:
            cases["update"].append((weight_where(names, conn, trial, sizes),
                                    (old, rate, conn.gradient), conn.weight))
    return cases


def _conv_cases(rng, trials):
    import neurons

    cases = []
    for trial in range(1, trials + 1):
        spec = ["1x5x5", f"conv{rng.randint(1, 2)}x{rng.randint(2, 3)}", "pool2", 2]
        net = neurons.Network(spec, seed=rng.randrange(10**6))
        net.predict([rng.uniform(-1, 1) for _ in range(25)])
        net.calc_delta([rng.uniform(0, 1) for _ in range(2)])
        net.calc_gradient()
        for shared in net.shared_weights:
            args = ([c.downstream_node.delta for c in shared.connections],
                    [c.upstream_node.output for c in shared.connections])
            where = (f"{shared.name()} of conv layer {shared.layer_index} (a SharedWeight used "
                     f"by {len(shared.connections)} connections, network {spec}, trial {trial})")
            cases.append((where, args, shared.gradient))
    return cases


def check(*, output_delta=None, hidden_delta=None, gradient=None, update=None,
          conv_gradient=None, trials=5, seed=0):
    """Run the given functions on ``trials`` random networks (and conv layers) and compare
    with the library's numbers. A function that raises NotImplementedError counts as not
    written yet. Returns a :class:`Report`; ``report.raise_if_wrong()`` fails loudly."""
    given = {"output_delta": output_delta, "hidden_delta": hidden_delta,
             "gradient": gradient, "update": update, "conv_gradient": conv_gradient}
    rng = random.Random(seed)
    cases = _fc_cases(rng, trials)
    cases["conv_gradient"] = _conv_cases(rng, trials)
    report = Report()
    for name in EXERCISES:
        if given[name] is not None:
            report.results.append(_run(name, given[name], cases[name]))
    return report
