"""Draw a small network of either package: SVG (standard library only) or Graphviz DOT text.

Layers are columns in the article's order (input on the left); each node shows its name, its
output a and its δ; each weight is a line whose width grows with |w| and whose colour gives its
sign (blue positive, red negative); hovering shows the object's repr (an SVG <title>). A layer
with more than ``max_nodes`` nodes shows its first and last few and one "… N more" element.
Drawing reads public attributes only.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .errors import ExplainError
from .names import ArticleNames
from .trace import edge_id, node_id, read_state, upstream_key

MAX_NODES = 12
MAX_CONNECTIONS = 300_000  # 784-300-10 (238,510) fits: neurons builds an object per connection
POSITIVE, NEGATIVE = "#2563eb", "#dc2626"


@dataclass
class GNode:
    id: str
    k: int
    i: int
    label: str
    a: object = None      # output, None when not known
    d: object = None      # δ, None when not known (input nodes never have one)
    title: str = ""


@dataclass
class Graph:
    """What a drawing shows: ``columns[k]`` lists layer k's nodes, with an int in place of
    the nodes a summarised layer leaves out (how many); ``edges`` (id, k, j, i, weight, title)
    join drawn nodes only."""

    title: str
    sizes: list
    columns: list
    edges: list = field(default_factory=list)
    # the bias units: one "+1" node under each layer but the last, and its weights
    # (id, k, j, weight, title) into the drawn nodes of layer k + 1 (the biases b_j)
    bias_edges: list = field(default_factory=list)


def check_size(layer_sizes):
    """Refuse (ExplainError) ``layer_sizes`` — ints or a CNN spec — that cannot be built or
    whose network has more than MAX_CONNECTIONS connections (training.networks counts them),
    before anything is built: a drawing shows ``max_nodes`` nodes per layer, the network it
    reads its numbers from has them all."""
    from neurons_lab.training.networks import connection_count

    try:
        count = connection_count(layer_sizes)
    except (TypeError, ValueError) as exc:
        raise ExplainError(f"--layers: {exc}") from None
    if count > MAX_CONNECTIONS:
        raise ExplainError(f"--layers: the network has {count:,} connections; a drawing builds "
                           f"at most {MAX_CONNECTIONS:,} (it shows a few nodes per layer: "
                           "smaller layers give the same picture)")


def _shown(n, max_nodes):
    """Indices drawn for a layer of n nodes; ("more", count) stands for those left out."""
    if n <= max_nodes:
        return list(range(n))
    half = max(1, (max_nodes - 2) // 2)
    return list(range(half)) + [("more", n - 2 * half)] + list(range(n - half, n))


def graph_from_state(state, sizes, names=None, *, values=True, title="", max_nodes=MAX_NODES,
                     titles=None):
    """A Graph from a snapshot of :func:`explain.trace.read_state`; ``values=False`` leaves
    outputs and δ empty (the page fills them step by step)."""
    names = names or ArticleNames(sizes)
    titles = titles or {}
    columns, drawn = [], []
    for k, n in enumerate(sizes):
        col, idx = [], []
        for i in _shown(n, max_nodes):
            if isinstance(i, tuple):
                col.append(i[1])  # how many nodes this layer leaves out
                continue
            node = state["node"][(k, i)]
            col.append(GNode(node_id(k, i), k, i, names.node(k, i),
                             a=node["output"] if values else None,
                             d=node["delta"] if values and k else None,
                             title=titles.get(node_id(k, i), f"node {names.node(k, i)}")))
            idx.append(i)
        columns.append(col)
        drawn.append(idx)
    edges = []
    for k in range(1, len(sizes)):
        for j in drawn[k]:
            for i in drawn[k - 1]:
                w = state["conn"][(k, j, i)]["weight"]
                eid = edge_id(k, j, i)
                edges.append((eid, k, j, i, w, titles.get(eid, f"{names.weight(k, j, i)} = {w!r}")))
    bias_edges = []
    for k in range(1, len(sizes)):
        for j in drawn[k]:
            conn = state["conn"].get((k, j, "b"))
            if conn is not None:
                eid = edge_id(k, j, "b")
                w = conn["weight"]
                bias_edges.append((eid, k, j, w, titles.get(eid, f"{names.bias(k, j)} = {w!r}")))
    return Graph(title, list(sizes), columns, edges, bias_edges)


def _vectorized_state(net):
    """The same snapshot shape as read_state, from a vectorized network's layer arrays."""
    import numpy as np

    sizes = list(net.layer_sizes)
    nodes, conns = {}, {}

    def vec(layer, attr, n):
        v = getattr(layer, attr, None)
        return np.asarray(v, dtype=float) if v is not None and np.ndim(v) == 1 else None

    def at(v, j):
        return None if v is None else float(v[j])

    x = vec(net.layers[0], "input", sizes[0])
    for i in range(sizes[0]):
        nodes[(0, i)] = {"output": at(x, i), "net": None, "delta": None}
    for k, layer in enumerate(net.layers, start=1):
        out, net_, delta = (vec(layer, a, sizes[k]) for a in ("output", "net", "delta"))
        W, b = np.asarray(layer.W), np.asarray(layer.b)
        for j in range(sizes[k]):
            nodes[(k, j)] = {"output": at(out, j), "net": at(net_, j), "delta": at(delta, j)}
            for i in range(sizes[k - 1]):
                conns[(k, j, i)] = {"weight": float(W[j, i]), "gradient": None}
            conns[(k, j, "b")] = {"weight": float(b[j]), "gradient": None}
    return {"node": nodes, "conn": conns}


def graph_of(net, names=None, max_nodes=MAX_NODES):
    """A Graph of a ``neurons`` or ``vectorized`` network as it is now (reads only)."""
    sizes = list(net.layer_sizes)
    titles = {}
    if hasattr(net.layers[0], "nodes"):  # neurons: the objects' own reprs as tooltips
        state = read_state(net)
        for k, layer in enumerate(net.layers):
            for i, node in enumerate(layer.nodes):
                titles[node_id(k, i)] = repr(node)
                for conn in node.upstream if k else ():
                    key = upstream_key(conn)
                    if key == "b":
                        titles[node_id(k, i)] += "\nbias: " + repr(conn)
                    titles[edge_id(k, i, key)] = repr(conn)
    else:
        state = _vectorized_state(net)
        for k, layer in enumerate(net.layers, start=1):
            for j in range(sizes[k]):
                n = state["node"][(k, j)]
                titles[node_id(k, j)] = (
                    f"{type(layer).__name__} {k} ({layer.activator}), row {j}: "
                    f"output={n['output']}, delta={n['delta']}, b={float(layer.b[j])!r}")
    return graph_from_state(state, sizes, names, title=repr(net), max_nodes=max_nodes,
                            titles=titles)


# -- SVG ------------------------------------------------------------------------------------

R, COL, ROW, PAD = 33, 190, 80, 24


def _short(v):
    return f"{v:.3g}" if abs(v) < 1e-3 and v else f"{v:.4g}"


def positions(graph):
    """(x, y) of every column entry and bias unit (under its layer), columns centred."""
    last = len(graph.columns) - 1
    rows = [len(c) + (1 if k < last and graph.bias_edges else 0)
            for k, c in enumerate(graph.columns)]
    height = max(rows) * ROW
    pos = {}
    for k, col in enumerate(graph.columns):
        top = PAD + (height - rows[k] * ROW) / 2 + ROW / 2
        for r, item in enumerate(col):
            key = item.id if isinstance(item, GNode) else f"more-{k}"
            pos[key] = (PAD + R + k * COL, top + r * ROW)
        if rows[k] > len(col):
            pos[f"n-{k}-b"] = (PAD + R + k * COL, top + len(col) * ROW)
    return pos, height


def to_svg_element(graph):
    """The drawing as an ElementTree <svg> element."""
    pos, height = positions(graph)
    width = 2 * (PAD + R) + (len(graph.columns) - 1) * COL
    svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", width=str(width),
                     height=str(int(height + 2 * PAD)), viewBox=f"0 0 {width} {height + 2 * PAD}",
                     **{"class": "network", "font-family": "sans-serif"})
    ET.SubElement(svg, "title").text = graph.title
    style = ET.SubElement(svg, "style")
    style.text = (".node circle{fill:#fff;stroke:#333;stroke-width:1.5}"
                  ".node text{font-size:11px;text-anchor:middle}"
                  ".node .name{font-weight:bold;font-size:12px}"
                  ".summary text{font-size:12px;text-anchor:middle;fill:#555}"
                  ".edge{stroke-opacity:.6}")
    biggest = max((abs(e[4]) for e in graph.edges), default=0.0) or 1.0
    edges = ET.SubElement(svg, "g", {"class": "edges"})
    for eid, k, j, i, w, title in graph.edges:
        (x1, y1), (x2, y2) = pos[node_id(k - 1, i)], pos[node_id(k, j)]
        line = ET.SubElement(edges, "line", {
            "class": "edge", "id": eid, "x1": f"{x1 + R:.1f}", "y1": f"{y1:.1f}",
            "x2": f"{x2 - R:.1f}", "y2": f"{y2:.1f}",
            "stroke": POSITIVE if w >= 0 else NEGATIVE,
            "stroke-width": f"{0.75 + 5 * abs(w) / biggest:.2f}"})
        ET.SubElement(line, "title").text = title
    for eid, k, j, w, title in graph.bias_edges:
        (x1, y1), (x2, y2) = pos[f"n-{k - 1}-b"], pos[node_id(k, j)]
        line = ET.SubElement(edges, "line", {
            "class": "edge bias", "id": eid, "x1": f"{x1 + R / 2:.1f}", "y1": f"{y1:.1f}",
            "x2": f"{x2 - R:.1f}", "y2": f"{y2:.1f}",
            "stroke": POSITIVE if w >= 0 else NEGATIVE, "stroke-dasharray": "3 2",
            "stroke-width": f"{0.75 + 5 * abs(w) / biggest:.2f}"})
        ET.SubElement(line, "title").text = title
    nodes = ET.SubElement(svg, "g", {"class": "nodes"})
    for k in range(len(graph.columns) - 1):
        if f"n-{k}-b" not in pos:
            continue
        x, y = pos[f"n-{k}-b"]
        g = ET.SubElement(nodes, "g", {"class": "bias", "id": f"n-{k}-b"})
        ET.SubElement(g, "title").text = f"layer {k}'s bias unit (ConstNode): output 1"
        ET.SubElement(g, "rect", x=f"{x - R / 2:.1f}", y=f"{y - R / 2:.1f}", width=str(R),
                      height=str(R), fill="#f3f4f6", stroke="#555")
        ET.SubElement(g, "text", {"x": f"{x:.1f}", "y": f"{y + 4:.1f}",
                                  "text-anchor": "middle", "font-size": "12px"}).text = "+1"
    for k, col in enumerate(graph.columns):
        for item in col:
            if not isinstance(item, GNode):
                x, y = pos[f"more-{k}"]
                g = ET.SubElement(nodes, "g", {"class": "summary", "id": f"more-{k}"})
                t = ET.SubElement(g, "text", x=f"{x:.1f}", y=f"{y + 4:.1f}")
                t.text = f"… {item} more"
                continue
            x, y = pos[item.id]
            g = ET.SubElement(nodes, "g", {"class": "node", "id": item.id})
            ET.SubElement(g, "title").text = item.title
            ET.SubElement(g, "circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=str(R))
            name = ET.SubElement(g, "text", {"class": "name", "x": f"{x:.1f}",
                                             "y": f"{y - 9:.1f}"})
            name.text = item.label
            a = ET.SubElement(g, "text", {"class": "a", "x": f"{x:.1f}", "y": f"{y + 5:.1f}"})
            a.text = "" if item.a is None else f"a={_short(item.a)}"
            d = ET.SubElement(g, "text", {"class": "d", "x": f"{x:.1f}", "y": f"{y + 18:.1f}"})
            d.text = "" if item.d is None else f"δ={_short(item.d)}"
    return svg


def to_svg(graph_or_net, names=None, max_nodes=MAX_NODES):
    """SVG text of a Graph, or of a network of either package."""
    graph = graph_or_net if isinstance(graph_or_net, Graph) else graph_of(
        graph_or_net, names, max_nodes)
    return ET.tostring(to_svg_element(graph), encoding="unicode")


def to_dot(graph_or_net, names=None, max_nodes=MAX_NODES):
    """Graphviz DOT text (``dot -Tsvg``) of a Graph or a network: the same nodes and edges."""
    graph = graph_or_net if isinstance(graph_or_net, Graph) else graph_of(
        graph_or_net, names, max_nodes)

    def q(s):
        return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    lines = ["digraph network {", "  rankdir=LR; splines=line;", f"  label={q(graph.title)};",
             "  node [shape=circle, fontname=sans, fontsize=10];"]
    for k, col in enumerate(graph.columns):
        lines.append(f"  subgraph cluster_{k} {{ label={q(f'layer {k}')}; color=white;")
        for item in col:
            if isinstance(item, GNode):
                parts = [item.label] + ([] if item.a is None else [f"a={_short(item.a)}"]) + (
                    [] if item.d is None else [f"δ={_short(item.d)}"])
                ident = item.id.replace("-", "_")
                lines.append(f"    {ident} [label={q(chr(10).join(parts))}, "
                             f"tooltip={q(item.title)}];")
            else:
                lines.append(f"    more_{k} [shape=plaintext, label={q(f'… {item} more')}];")
        lines.append("  }")
    biggest = max((abs(e[4]) for e in graph.edges), default=0.0) or 1.0
    for _eid, k, j, i, w, title in graph.edges:
        lines.append(f"  n_{k - 1}_{i} -> n_{k}_{j} [penwidth={0.75 + 5 * abs(w) / biggest:.2f}, "
                     f"color={q(POSITIVE if w >= 0 else NEGATIVE)}, tooltip={q(title)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
