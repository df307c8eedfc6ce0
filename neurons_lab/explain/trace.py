"""Record one training step of a ``neurons`` network, phase by phase, from its objects.

:func:`record_neurons` calls the library's own public phases in the order of
``train_one_sample`` (``predict``, ``calc_delta``, ``calc_gradient``, ``update_weight``) and,
after each, copies every public number (node ``output``/``net``/``delta``, connection
``weight``/``gradient``) into a snapshot. The :class:`Step` list is then written from those
snapshots: every :class:`Num` in it is a value an object held, tagged with where it was read
(``Num.source``), never a value computed here.
"""

from dataclasses import dataclass, field

from .errors import ExplainError
from .formulas import correct_class as _correct
from .formulas import derivative, fill, is_article_kind, kinds_of, loss_symbol  # noqa: F401

PHASES = ("start", "forward", "delta", "gradient", "update")
MAX_TERMS = 6  # a sum with more terms shows the first few and says how many it left out


@dataclass(frozen=True)
class Num:
    """A number as an object held it. ``source`` says where: (phase, "node", k, i, attr),
    (phase, "conn", k, j, i, attr) with i = "b" for a bias, ("label", i), ("rate",) or
    ("loss",)."""

    value: float
    source: tuple


@dataclass
class Step:
    """One thing to show: a formula with its numbers plugged in (``lines``, each a list of
    text pieces and :class:`Num`), the nodes and connections it uses (ids as in the drawing:
    "n-k-i", "e-k-j-i"), and what it reveals in the drawing (id → {"a"|"d"|"w": value})."""

    phase: str        # forward | loss | output_delta | hidden_delta | gradient | update
    equation: str     # 式1, 式3, … or "E"
    lines: list
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    reveal: dict = field(default_factory=dict)

    def numbers(self):
        return [t for line in self.lines for t in line if isinstance(t, Num)]


@dataclass
class Trace:
    """The recorded step: ``snapshots[phase]`` as read after each phase, ``steps`` to show."""

    layer_sizes: list
    sample: list
    label: list
    rate: float
    loss: float
    snapshots: dict
    steps: list
    kinds: dict = None  # {"activation": [per hidden layer], "output", "loss"}; None: sigmoid/mse


def node_id(k, i):
    return f"n-{k}-{i}"


def edge_id(k, j, i):
    return f"e-{k}-{j}-{i}"


def upstream_key(conn):
    """The upstream index of a connection: the node's index, or "b" for the bias unit."""
    return "b" if conn.upstream_node.is_const else conn.upstream_node.node_index


def read_state(net):
    """Every public number of a ``neurons`` Network, copied (reading changes nothing).

    {"node": {(k, i): {"output", "net", "delta"}}, "conn": {(k, j, i): {"weight", "gradient"}}}
    """
    nodes, conns = {}, {}
    for k, layer in enumerate(net.layers):
        for i, node in enumerate(layer.nodes):
            nodes[(k, i)] = {"output": node.output, "net": node.net, "delta": node.delta}
            for conn in node.upstream if k else ():
                conns[(k, i, upstream_key(conn))] = {"weight": conn.weight,
                                                     "gradient": conn.gradient}
    return {"node": nodes, "conn": conns}


def check_explainable(net):
    """The walkthrough writes the article's formulas: sigmoid everywhere, ½Σ(t−y)², no L2."""
    config = net.config()
    acts = set(config["activation"]) | {config["output"]}
    if acts != {"sigmoid"} or config["loss"] != "mse" or config["l2"]:
        raise ExplainError("explain shows the article's network: sigmoid layers, loss mse, no l2 "
                         f"(got activation {config['activation']}, output {config['output']}, "
                         f"loss {config['loss']}, l2 {config['l2']})")


def record_neurons(net, sample, label, rate, names):
    """Run one training step of ``net`` through its public phases; return a :class:`Trace`.

    Hidden layers sigmoid/tanh/ReLU, outputs sigmoid/identity/softmax (tanh, ReLU) with
    mse, cross_entropy (softmax) or hinge (explain.formulas)."""
    kinds = kinds_of(net)
    snaps = {"start": read_state(net)}
    y = net.predict(sample)  # phase 1 (式1)
    snaps["forward"] = read_state(net)
    loss = net.loss(y, label)
    net.calc_delta(label)  # phase 2 (式3, 式4)
    snaps["delta"] = read_state(net)
    net.calc_gradient()  # phase 3: ∂E/∂w = −δ_j x_i
    snaps["gradient"] = read_state(net)
    net.update_weight(rate)  # phase 4 (式5)
    snaps["update"] = read_state(net)
    sizes = list(net.layer_sizes)
    steps = _Writer(snaps, sizes, list(label), rate, loss, names, kinds).steps()
    return Trace(sizes, list(sample), list(label), rate, loss, snaps, steps, kinds)


class _Writer:
    """Turns snapshots into Steps. Only reads snapshot values; computes nothing."""

    def __init__(self, snaps, sizes, label, rate, loss, names, kinds=None):
        self.s, self.sizes, self.label, self.rate, self.loss, self.n = (
            snaps, sizes, label, rate, loss, names)
        self.last = len(sizes) - 1
        self.kinds = kinds or {"activation": ["sigmoid"] * self.last, "output": "sigmoid",
                               "loss": "mse"}

    def f(self, k):
        """The activation name of layer k (1 … L)."""
        return self.kinds["activation"][k - 1]

    def fprime(self, phase, k, j):
        """f'(net_j) of node j of layer k: (symbolic text, tokens with the node's Nums)."""
        n = self.n
        sym, pieces = derivative(self.f(k), n.out(k, j), n.net(k, j))
        return sym, fill(pieces, self.node(phase, k, j, "output"), self.node(phase, k, j, "net"))

    def node(self, phase, k, i, attr):
        return Num(self.s[phase]["node"][(k, i)][attr], (phase, "node", k, i, attr))

    def conn(self, phase, k, j, i, attr):
        return Num(self.s[phase]["conn"][(k, j, i)][attr], (phase, "conn", k, j, i, attr))

    def wname(self, k, j, i):
        return self.n.bias(k, j) if i == "b" else self.n.weight(k, j, i)

    def upstream(self, k):
        return list(range(self.sizes[k - 1])) + ["b"]

    def steps(self):
        out = [self.forward(k, j) for k in range(1, self.last + 1) for j in range(self.sizes[k])]
        out.append(self.loss_step())
        out += [self.output_delta(j) for j in range(self.sizes[-1])]
        out += [self.hidden_delta(k, j) for k in range(self.last - 1, 0, -1)
                for j in range(self.sizes[k])]
        for phase in ("gradient", "update"):
            out += [getattr(self, phase)(k, j) for k in range(1, self.last + 1)
                    for j in range(self.sizes[k])]
        return out

    def forward(self, k, j):
        """式1: net_j = Σ_i w_ji x_i + w_jb, y_j = sigmoid(net_j)."""
        n, ups = self.n, self.upstream(k)
        shown, left = _elide(ups)
        sym = [f"{n.net(k, j)} = "]
        num = ["= "]
        for pos, i in enumerate(shown):
            plus = " + " if pos else ""
            if i == "b":
                sym += [plus + n.bias(k, j)]
                num += [plus, self.conn("forward", k, j, i, "weight")]
            else:
                sym += [f"{plus}{n.weight(k, j, i)}·{n.out(k - 1, i)}"]
                num += [plus, self.conn("forward", k, j, i, "weight"), "·",
                        self.node("forward", k - 1, i, "output")]
        if left:
            sym.append(f" + … ({left})")
            num.append(f" + … ({left})")
        net = self.node("forward", k, j, "net")
        out = self.node("forward", k, j, "output")
        f = self.f(k)
        if f == "softmax":
            nets = [self.node("forward", k, m, "net") for m in range(self.sizes[k])]
            last = ["softmax(", *[t for m, x in enumerate(nets) for t in ([", "] if m else [])
                                  + [x]], f")_{j + 1} = ", out]
            last = [f"{n.out(k, j)} = e^{n.net(k, j)} / Σ_m e^net_m = "] + last
        else:
            last = [f"{n.out(k, j)} = {f}({n.net(k, j)}) = {f}(", net, ") = ", out]
        lines = [sym, num + [" = ", net], last]
        return Step("forward", "式1", lines,
                    nodes=[node_id(k - 1, i) for i in ups if i != "b"] + [node_id(k, j)],
                    edges=[edge_id(k, j, i) for i in ups],
                    reveal={node_id(k, j): {"a": out.value}})

    def loss_step(self):
        """E of the network's loss (½Σ(t_i − y_i)² in the article), the value net.loss
        returned."""
        n, L = self.n, self.last
        loss = self.kinds["loss"]
        if loss != "mse":
            ys = [self.node("forward", L, i, "output") for i in range(self.sizes[-1])]
            ts = [Num(t, ("label", i)) for i, t in enumerate(self.label)]
            num = ["= "]
            for i, (y, t) in enumerate(zip(ys, ts)):
                if loss == "cross_entropy":
                    num += [" − " if i else "−", t, "·log ", y]
                elif i != _correct(self.label):
                    c = ys[_correct(self.label)]
                    num += [" + " if len(num) > 1 else "", "max(0, ", y, " − ", c, " + 1)"]
            lines = [[loss_symbol(loss)], num + [" = ", Num(self.loss, ("loss",))]]
            return Step("loss", "E", lines, nodes=[node_id(L, i) for i in range(self.sizes[-1])])
        sym, num = ["E = ½("], ["= ½("]
        for i in range(self.sizes[-1]):
            plus = " + " if i else ""
            sym.append(f"{plus}({n.target(i)}−{n.out(L, i)})²")
            num += [f"{plus}(", Num(self.label[i], ("label", i)), "−",
                    self.node("forward", L, i, "output"), ")²"]
        lines = [sym + [")"], num + [") = ", Num(self.loss, ("loss",))]]
        return Step("loss", "E", lines, nodes=[node_id(L, i) for i in range(self.sizes[-1])])

    def output_delta(self, j):
        """式3: δ_j = y_j(1−y_j)(t_j−y_j); in general f'(net_j)·(t_j−y_j) for ½Σ(t−y)²,
        t_j − y_j for softmax with cross-entropy, −f'(net_j)·∂E/∂y_j for the hinge."""
        n, L = self.n, self.last
        y, t = self.node("delta", L, j, "output"), Num(self.label[j], ("label", j))
        d = self.node("delta", L, j, "delta")
        yj, tj, loss = n.out(L, j), n.target(j), self.kinds["loss"]
        if loss == "cross_entropy":  # softmax: y(1−y) cancels
            lines = [[f"{n.delta(L, j)} = {tj} − {yj}"], ["= ", t, " − ", y, " = ", d]]
        elif loss == "hinge":
            sym, tokens = self.fprime("delta", L, j)
            c = _correct(self.label)
            if j == c:
                lines = [[f"{n.delta(L, j)} = {sym}·(how many i≠{j + 1} have y_i − {yj} + 1 > 0)"],
                         ["= ", *tokens, "·(…) = ", d]]
            else:
                yc = self.node("delta", L, c, "output")
                lines = [[f"{n.delta(L, j)} = −{sym}·[{yj} − {n.out(L, c)} + 1 > 0]"],
                         ["= −", *tokens, "·[", y, " − ", yc, " + 1 > 0] = ", d]]
        else:
            sym, tokens = self.fprime("delta", L, j)
            lines = [[f"{n.delta(L, j)} = {sym}·({tj}−{yj})"],
                     ["= ", *tokens, "·(", t, "−", y, ") = ", d]]
        return Step("output_delta", "式3", lines, nodes=[node_id(L, j)],
                    reveal={node_id(L, j): {"d": d.value}})

    def hidden_delta(self, k, j):
        """式4: δ_i = f'(net_i) Σ_k w_ki δ_k over the layer above (sigmoid: a_i(1−a_i))."""
        n = self.n
        d = self.node("delta", k, j, "delta")
        above, left = _elide(list(range(self.sizes[k + 1])))
        fsym, ftokens = self.fprime("delta", k, j)
        sym = [f"{n.delta(k, j)} = {fsym}·("]
        num = ["= ", *ftokens, "·("]
        for pos, m in enumerate(above):
            plus = " + " if pos else ""
            sym.append(f"{plus}{n.weight(k + 1, m, j)}·{n.delta(k + 1, m)}")
            num += [plus, self.conn("delta", k + 1, m, j, "weight"), "·",
                    self.node("delta", k + 1, m, "delta")]
        if left:
            sym.append(f" + … ({left})")
            num.append(f" + … ({left})")
        lines = [sym + [")"], num + [") = ", d]]
        return Step("hidden_delta", "式4", lines,
                    nodes=[node_id(k, j)] + [node_id(k + 1, m) for m in range(self.sizes[k + 1])],
                    edges=[edge_id(k + 1, m, j) for m in range(self.sizes[k + 1])],
                    reveal={node_id(k, j): {"d": d.value}})

    def gradient(self, k, j):
        """∂E/∂w_ji = −δ_j·x_i (a bias: −δ_j), as net.calc_gradient stored it."""
        n, lines = self.n, []
        d = self.node("gradient", k, j, "delta")
        for i in self.upstream(k):
            g = self.conn("gradient", k, j, i, "gradient")
            if i == "b":
                lines.append([f"∂E/∂{n.bias(k, j)} = −{n.delta(k, j)} = −(", d, ") = ", g])
            else:
                x = self.node("gradient", k - 1, i, "output")
                lines.append([f"∂E/∂{n.weight(k, j, i)} = −{n.delta(k, j)}·{n.out(k - 1, i)}"
                              " = −(", d, ")·", x, " = ", g])
        ups = self.upstream(k)
        return Step("gradient", "∂E/∂w", lines,
                    nodes=[node_id(k, j)] + [node_id(k - 1, i) for i in ups if i != "b"],
                    edges=[edge_id(k, j, i) for i in ups])

    def update(self, k, j):
        """式5: w_ji ← w_ji + η δ_j x_ji, i.e. w_ji − η·∂E/∂w_ji."""
        rate, lines, reveal = Num(self.rate, ("rate",)), [], {}
        for i in self.upstream(k):
            name = self.wname(k, j, i)
            old = self.conn("gradient", k, j, i, "weight")
            g = self.conn("gradient", k, j, i, "gradient")
            new = self.conn("update", k, j, i, "weight")
            lines.append([f"{name} ← {name} − η·∂E/∂{name} = ", old, " − ", rate, "·", g,
                          " = ", new])
            reveal[edge_id(k, j, i)] = {"w": new.value}
        ups = self.upstream(k)
        return Step("update", "式5", lines, nodes=[node_id(k, j)],
                    edges=[edge_id(k, j, i) for i in ups], reveal=reveal)


def _elide(items):
    """(items shown, how many left out): a long sum shows its first terms and the bias."""
    if len(items) <= MAX_TERMS:
        return items, 0
    keep = MAX_TERMS - 1
    return items[:keep] + items[-1:], len(items) - MAX_TERMS
