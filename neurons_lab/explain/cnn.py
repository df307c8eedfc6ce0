"""The CNN walkthrough: one training step of a small CNN (1×6×6 input, 2 filters 3×3, 2×2
max-pooling, 3 sigmoid outputs), the numbers the textbook's CNN lesson is about:

* formula (1) at one position: net[f,y,x] = b[f] + Σ_u Σ_v W[f,0,u,v]·in[0,y+u,x+v];
* max-pooling: the window's maximum, and in phase 2 δ routed to that winner alone;
* a shared weight's gradient as the sum of its connections' contributions −δ_j·x_i;
* 式5 on the shared weight, once.

As in the fully connected walkthrough, every number is read from the network's objects (or
the vectorized layers' arrays) right after the library's own phase, as a :class:`Num` whose
``source`` says where; nothing is recomputed here.
"""

from dataclasses import dataclass

from .trace import Num

SPEC = ["1x6x6", "conv2x3", "pool2", 3]
IMAGE = [((r * 7 + c * 3) % 5) / 4 for r in range(6) for c in range(6)]
LABEL = [0.9, 0.1, 0.1]
RATE = 0.5
F, Y, X = 1, 2, 1          # the conv position shown
U, V = 1, 1                # the shared weight shown: W[F, 0, U, V]
OH = OW = 4                # conv maps 4×4
PH = PW = 2                # pool maps 2×2


@dataclass
class CnnTrace:
    """``sections``: [(heading key, [lines of text pieces and Nums])] in the order shown."""

    impl: str
    loss: float
    sections: list

    def numbers(self):
        return [t for _, lines in self.sections for line in lines for t in line
                if isinstance(t, Num)]


def build(impl):
    import importlib

    return importlib.import_module(impl).Network(SPEC, seed=0)


class _Reader:
    """Nums from a neurons CNN (objects) or a vectorized one (arrays), by the same names."""

    def __init__(self, net, impl):
        self.net, self.impl = net, impl

    def conv(self, phase, attr, f, y, x):
        return self._map(0, OH, OW, phase, attr, f, y, x)

    def pool(self, phase, attr, c, y, x):
        return self._map(1, PH, PW, phase, attr, c, y, x)

    def _map(self, k, H, W, phase, attr, c, y, x):
        """Entry (c, y, x) of the k-th map layer (neurons: layer k + 1, after the input)."""
        if self.impl == "neurons":
            node = self.net.layers[k + 1].nodes[(c * H + y) * W + x]
            return Num(getattr(node, attr), (phase, "node", k + 1, node.node_index, attr))
        return Num(float(getattr(self.net.layers[k], attr)[c, y, x]),
                   (phase, "layer", k, attr, c, y, x))

    def pixel(self, phase, y, x):
        if self.impl == "neurons":
            i = y * 6 + x
            return Num(self.net.layers[0].nodes[i].output, (phase, "node", 0, i, "output"))
        return Num(float(self.net.layers[0].input[0, y, x]), (phase, "layer", 0, "input", 0, y, x))

    def weight(self, phase, attr, f, u, v):
        """W[f,0,u,v] (attr "weight" or "gradient"); the bias b[f] when u is None."""
        if self.impl == "neurons":
            conv = self.net.layers[1]
            shared = conv.b[f] if u is None else conv.W[f][0][u][v]
            return Num(getattr(shared, attr), (phase, "shared", 1, shared.name(), attr))
        layer = self.net.layers[0]
        name = {"weight": "W", "gradient": "W_grad"}[attr]
        if u is None:
            name = name.replace("W", "b")
            return Num(float(getattr(layer, name)[f]), (phase, "layer", 0, name, f))
        return Num(float(getattr(layer, name)[f, 0, u, v]), (phase, "layer", 0, name, f, 0, u, v))

    def out(self, phase, j, attr):
        if self.impl == "neurons":
            node = self.net.layers[3].nodes[j]
            return Num(getattr(node, attr), (phase, "node", 3, j, attr))
        return Num(float(getattr(self.net.layers[2], attr)[j]), (phase, "layer", 2, attr, j))

    def fc_weight(self, phase, j, i):
        if self.impl == "neurons":
            conn = self.net.layers[3].nodes[j].upstream[i]
            return Num(conn.weight, (phase, "conn", 3, j, i, "weight"))
        return Num(float(self.net.layers[2].W[j, i]), (phase, "layer", 2, "W", j, i))


def record_cnn(impl="neurons", on_phase=None):
    """Run one training step of the small CNN of package ``impl`` through its public phases;
    return (a :class:`CnnTrace` of what each phase left in the objects, the network).
    ``on_phase(phase, net)``, if given, is called after each phase (e.g. to draw it)."""
    net = build(impl)
    seen = on_phase or (lambda phase, net: None)
    r = _Reader(net, impl)
    py, px = Y // 2, X // 2
    window = [(py * 2 + u, px * 2 + v) for u in range(2) for v in range(2)]
    sections = []

    y = net.predict(IMAGE)  # phase 1: formula (1) in every conv node, max in every pool node
    loss = net.loss(y, LABEL)
    seen("forward", net)
    terms = []
    for u in range(3):
        for v in range(3):
            terms += [" + ", r.weight("forward", "weight", F, u, v), "·",
                      r.pixel("forward", Y + u, X + v)]
    sections.append(("cnn_forward", [
        [f"net[{F},{Y},{X}] = b[{F}] + Σ_u Σ_v W[{F},0,u,v]·in[0,{Y}+u,{X}+v]"],
        ["= ", r.weight("forward", "weight", F, None, None), *terms, " = ",
         r.conv("forward", "net", F, Y, X)],
        [f"a[{F},{Y},{X}] = sigmoid(net[{F},{Y},{X}]) = ", r.conv("forward", "output", F, Y, X)],
    ]))
    maxima = []
    for k, (y, x) in enumerate(window):
        maxima += [", " if k else "", r.conv("forward", "output", F, y, x)]
    sections.append(("cnn_pool", [
        [f"pool[{F},{py},{px}] = max(" + ", ".join(f"a[{F},{y},{x}]" for y, x in window) + ")"],
        ["= max(", *maxima, ") = ", r.pool("forward", "output", F, py, px)],
    ]))

    net.calc_delta(LABEL)  # phase 2: 式3 at the outputs, 式4 down through pool and conv
    seen("delta", net)
    p = (F * PH + py) * PW + px  # the pool node's index in the flattened map
    above = []
    for j in range(len(LABEL)):
        above += [" + " if j else "", r.fc_weight("delta", j, p), "·", r.out("delta", j, "delta")]
    lines = [[f"δ_pool[{F},{py},{px}] = Σ_k w_k,pool·δ_k = ", *above[:-1], above[-1], " = ",
              r.pool("delta", "delta", F, py, px)]]
    for y, x in window:
        lines.append([f"δ[{F},{y},{x}] = ", r.conv("delta", "delta", F, y, x)])
    lines.append([f"winner: a[{F},{_winner(net, impl, F, py, px)}] "
                  "(the first maximum in row-major order)"])
    sections.append(("cnn_route", lines))

    net.calc_gradient()  # phase 3: each connection's −δ_j·x_i, summed into its shared weight
    seen("gradient", net)
    contributions = []
    for y in range(OH):
        for x in range(OW):
            contributions += [" + " if contributions else "", "−(",
                              r.conv("gradient", "delta", F, y, x), ")·",
                              r.pixel("gradient", y + U, x + V)]
    lines = [[f"∂E/∂W[{F},0,{U},{V}] = Σ_(y,x) −δ[{F},y,x]·in[0,y+{U},x+{V}]  "
              f"({OH * OW} connections)"],
             ["= ", *contributions, " = ", r.weight("gradient", "gradient", F, U, V)]]
    if impl == "neurons":
        shared = net.layers[1].W[F][0][U][V]
        own = [Num(c.gradient, ("gradient", "contribution", k))
               for k, c in enumerate(shared.connections)]
        pieces = []
        for k, num in enumerate(own):
            pieces += [" + " if k else "", num]
        lines.append(["each SharedConnection's contribution: ", *pieces])
    sections.append(("cnn_shared", lines))

    old = r.weight("gradient", "weight", F, U, V)
    g = r.weight("gradient", "gradient", F, U, V)
    net.update_weight(RATE)  # phase 4: 式5 once per shared weight
    seen("update", net)
    sections.append(("cnn_update", [
        [f"W[{F},0,{U},{V}] ← W − η·∂E/∂W = ", old, " − ", Num(RATE, ("rate",)), "·", g, " = ",
         r.weight("update", "weight", F, U, V)]]))
    return CnnTrace(impl, loss, sections), net


def _winner(net, impl, c, py, px):
    """"y,x" of the conv position that won pool window (c, py, px), as the pool recorded it."""
    if impl == "neurons":
        pool = net.layers[2].nodes[(c * PH + py) * PW + px]
        return f"{pool.winner.y},{pool.winner.x}"
    u, v = divmod(int(net.layers[1].argmax[c, py, px]), 2)
    return f"{py * 2 + u},{px * 2 + v}"


def compare_cnn(tn, tv):
    """(largest |difference|, count) between the numbers both walkthroughs show, in order
    (the neurons-only line of per-connection contributions left out)."""
    def shown(trace):
        return [t for _, lines in trace.sections for line in lines
                if not (isinstance(line[0], str) and line[0].startswith("each SharedConnection"))
                for t in line if isinstance(t, Num)]
    a, b = shown(tn), shown(tv)
    assert len(a) == len(b), (len(a), len(b))
    return max(abs(x.value - y.value) for x, y in zip(a, b)), len(a)


def render_cnn(trace, lang="en"):
    """The CNN walkthrough as text lines."""
    from .i18n import text
    from .walkthrough import INDENT, render_line

    words = text(lang)
    how = words["how_neurons" if trace.impl == "neurons" else "how_vectorized"]
    out = [words["cnn_title"].format(how=how), words["note"], ""]
    for key, lines in trace.sections:
        out.append(words[key])
        out += [INDENT + ("" if k == 0 else INDENT) + render_line(t) for k, t in enumerate(lines)]
        out.append("")
    return out + [words["cnn_end"]]
