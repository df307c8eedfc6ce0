"""``--impl both``: the same step in both packages, quantity by quantity, side by side.

Each row pairs a number a ``neurons`` object held with the element of the ``vectorized``
layer array that stands for it, after the same phase; the last column is their difference.
"""

from dataclasses import dataclass

from .i18n import text
from .matrices import record_vectorized
from .trace import Num, record_neurons
from .walkthrough import INDENT, fmt, given_lines, render_line


@dataclass
class Row:
    name: str
    neurons: Num
    vectorized: Num

    @property
    def difference(self):
        return abs(self.neurons.value - self.vectorized.value)


def compare_rows(tn, tv, names):
    """{section: [Row, …]} for forward, delta, gradient and update."""
    sizes = tn.layer_sizes
    L = len(sizes) - 1

    def n(phase, kind, *key):
        *where, attr = key
        table = tn.snapshots[phase][kind]
        return Num(table[tuple(where)][attr], (phase, kind, *key))

    def v(phase, l, attr, *index):
        return Num(float(tv.snapshots[phase][l][attr][index]), (phase, "layer", l, attr, *index))

    rows = {"c_forward": [], "c_delta": [], "c_gradient": [], "c_update": []}
    for k in range(1, L + 1):
        for j in range(sizes[k]):
            rows["c_forward"].append(Row(names.net(k, j), n("forward", "node", k, j, "net"),
                                         v("forward", k, "net", j)))
            rows["c_forward"].append(Row(names.out(k, j), n("forward", "node", k, j, "output"),
                                         v("forward", k, "output", j)))
    for k in range(L, 0, -1):
        for j in range(sizes[k]):
            rows["c_delta"].append(Row(names.delta(k, j), n("delta", "node", k, j, "delta"),
                                       v("delta", k, "delta", j)))
    for k in range(1, L + 1):
        for j in range(sizes[k]):
            for i in list(range(sizes[k - 1])) + ["b"]:
                bias = i == "b"
                name = names.bias(k, j) if bias else names.weight(k, j, i)
                g = v("gradient", k, "b_grad", j) if bias else v("gradient", k, "W_grad", j, i)
                w = v("update", k, "b", j) if bias else v("update", k, "W", j, i)
                rows["c_gradient"].append(Row(f"∂E/∂{name}",
                                              n("gradient", "conn", k, j, i, "gradient"), g))
                rows["c_update"].append(Row(name, n("update", "conn", k, j, i, "weight"), w))
    return rows


def record_both(example):
    """Both traces of ``example``'s step, each network built fresh from its weights."""
    names = example.namer()
    tn = record_neurons(example.build("neurons"), example.sample, example.label, example.rate,
                        names)
    tv = record_vectorized(example.build("vectorized"), example.sample, example.label,
                           example.rate)
    return tn, tv


def render_both(tn, tv, title, names, lang):
    """The side-by-side table as text lines, ending with the largest difference."""
    words = text(lang)
    lines = [words["title"].format(title=title, how=words["how_both"]), words["note"], "",
             words["given"]]
    lines += [INDENT + render_line(t) for t in given_lines(tn, names)]
    rows = compare_rows(tn, tv, names)
    width = max(len(r.name) for section in rows.values() for r in section) + 2
    head = words["c_header"]
    worst = None
    for section, section_rows in rows.items():
        lines += ["", words[section],
                  f"{INDENT}{head[0]:<{width}}{head[1]:>18}{head[2]:>18}{head[3]:>14}"]
        for r in section_rows:
            lines.append(f"{INDENT}{r.name:<{width}}{fmt(r.neurons.value):>18}"
                         f"{fmt(r.vectorized.value):>18}{r.difference:>14.1e}")
            if worst is None or r.difference > worst.difference:
                worst = r
    lines += ["", words["largest"].format(diff=f"{worst.difference:.1e}", name=worst.name)]
    return lines
