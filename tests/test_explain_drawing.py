"""neurons draw: well-formed SVG with one element per node, weights as width and colour, the
objects' reprs as tooltips, large layers summarised; the same graph as Graphviz DOT text."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.explain.drawing import NEGATIVE, POSITIVE, graph_of, to_dot, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def groups(root, cls):
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def stepped(net):
    x, t = [0.3, 0.6, 0.9], [0.9, 0.1]
    if isinstance(net, vectorized.Network):
        x, t = np.asarray(x), np.asarray(t)
    net.predict(x)
    if hasattr(net, "calc_delta"):
        net.calc_delta(t)
    return net


@pytest.mark.parametrize("package", [neurons, vectorized])
def test_small_network_one_element_per_node(package):
    net = stepped(package.Network([3, 4, 2], seed=1))
    before = net.parameters()
    root = ET.fromstring(to_svg(net))  # well-formed XML
    nodes = groups(root, "node")
    assert len(nodes) == 9 and not groups(root, "summary")
    assert {g.get("id") for g in nodes} == {f"n-{k}-{i}" for k, n in enumerate([3, 4, 2])
                                            for i in range(n)}
    lines = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "edge"]
    assert len(lines) == 3 * 4 + 4 * 2
    biases = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "edge bias"]
    assert sorted(ln.get("id") for ln in biases) == sorted(
        [f"e-1-{j}-b" for j in range(4)] + [f"e-2-{j}-b" for j in range(2)])
    assert {g.get("id") for g in groups(root, "bias")} == {"n-0-b", "n-1-b"}
    for ln in biases:  # each bias line is b_j, coloured by its sign
        _, k, j, _ = ln.get("id").split("-")
        b = np.asarray(net.parameters()[int(k) - 1][1])[int(j)]
        assert ln.get("stroke") == (POSITIVE if b >= 0 else NEGATIVE)
    W1 = np.asarray(net.parameters()[0][0])
    widths = {ln.get("id"): float(ln.get("stroke-width")) for ln in lines}
    for ln in lines:
        _, k, j, i = ln.get("id").split("-")
        w = np.asarray(net.parameters()[int(k) - 1][0])[int(j), int(i)]
        assert ln.get("stroke") == (POSITIVE if w >= 0 else NEGATIVE)
    biggest = np.unravel_index(np.abs(W1).argmax(), W1.shape)
    smallest = np.unravel_index(np.abs(W1).argmin(), W1.shape)
    assert widths[f"e-1-{biggest[0]}-{biggest[1]}"] > widths[f"e-1-{smallest[0]}-{smallest[1]}"]
    assert [np.asarray(W).tolist() for W, _ in net.parameters()] == \
        [np.asarray(W).tolist() for W, _ in before]  # drawing changed nothing


def test_neurons_nodes_show_output_delta_and_repr():
    net = stepped(neurons.Network([3, 4, 2], seed=1))
    root = ET.fromstring(to_svg(net))
    node8 = next(g for g in groups(root, "node") if g.get("id") == "n-2-0")
    obj = net.layers[2].nodes[0]
    texts = {t.get("class"): t.text for t in node8.iter(f"{SVG}text")}
    assert texts["name"] == "8"
    assert texts["a"] == f"a={obj.output:.4g}" and texts["d"] == f"δ={obj.delta:.4g}"
    assert node8.find(f"{SVG}title").text.startswith(repr(obj))
    edge = next(ln for ln in root.iter(f"{SVG}line") if ln.get("id") == "e-2-0-1")
    assert edge.find(f"{SVG}title").text == repr(net.layers[2].nodes[0].upstream[1])


def test_large_layers_are_summarised():
    net = vectorized.Network([784, 300, 10], seed=0)
    net.predict(np.full(784, 0.5))
    root = ET.fromstring(to_svg(net))
    assert len(groups(root, "node")) == 10 + 10 + 10
    more = sorted(t.text for g in groups(root, "summary") for t in g.iter(f"{SVG}text"))
    assert more == ["… 290 more", "… 774 more"]
    assert len(list(root.iter(f"{SVG}line"))) == 10 * 10 + 10 * 10 + 10 + 10  # + biases
    first_hidden = next(g for g in groups(root, "node") if g.get("id") == "n-1-0")
    a = next(t.text for t in first_hidden.iter(f"{SVG}text") if t.get("class") == "a")
    assert a == f"a={net.layers[0].output[0]:.4g}"


def test_dot_text_has_the_same_nodes_and_edges():
    net = stepped(neurons.Network([3, 4, 2], seed=1))
    dot = to_dot(net)
    assert dot.startswith("digraph network {") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    graph = graph_of(net)
    assert sum(line.strip().startswith("n_") and "->" not in line
               for line in dot.splitlines()) == 9
    assert dot.count("->") == len(graph.edges) == 20
    assert 'label="8\\na=' in dot


def test_the_checks_catch_a_broken_drawing():
    svg = to_svg(stepped(neurons.Network([3, 4, 2], seed=1)))
    with pytest.raises(ET.ParseError):
        ET.fromstring(svg[:-10])  # a truncated file is not well-formed
    root = ET.fromstring(svg.replace('class="node" id="n-1-0"', 'class="x" id="n-1-0"'))
    assert len(groups(root, "node")) == 8  # a node drawn some other way is counted missing


def test_draw_shows_what_explain_computes(tmp_path, capsys):
    """explain's last line recommends draw: same seed, same x and t, so the same a and δ."""
    from neurons_lab.cli import main
    from neurons_lab.explain import article_example
    from neurons_lab.explain.trace import record_neurons

    ex = article_example(0)
    trace = record_neurons(ex.build("neurons"), ex.sample, ex.label, ex.rate, ex.namer())
    assert main(["draw", "-o", str(tmp_path / "net.svg")]) == 0
    root = ET.fromstring((tmp_path / "net.svg").read_text(encoding="utf-8"))
    node8 = next(g for g in groups(root, "node") if g.get("id") == "n-2-0")
    texts = {t.get("class"): t.text for t in node8.iter(f"{SVG}text")}
    delta8 = trace.snapshots["delta"]["node"][(2, 0)]["delta"]
    assert texts["a"] == f"a={trace.snapshots['forward']['node'][(2, 0)]['output']:.4g}"
    assert texts["d"] == f"δ={delta8:.4g}"
