"""neurons explain: every printed number is a value an object held after the library's phase,
and Matt Mazur's published worked example comes out of the objects digit for digit."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurons
from neurons_lab.explain import Example, article_example, from_json, mazur_example
from neurons_lab.explain.trace import Num, record_neurons
from neurons_lab.explain.walkthrough import fmt, given_lines, render_neurons
from tests.helpers import step_phases

NUMBER = re.compile(r"(?<![\w⁰-⁹])-?\d+(?:\.\d+(?:e[+-]\d+)?|e[+-]\d+)")


def observe(net, ex):
    """The test's own reading of the objects after each phase, by attribute access:
    {(phase, "node", k, i, attr) | (phase, "conn", k, j, i, attr): value}."""
    seen = {}

    def look(phase):
        for k, layer in enumerate(net.layers):
            for i, node in enumerate(layer.nodes):
                for attr in ("output", "net", "delta"):
                    seen[(phase, "node", k, i, attr)] = getattr(node, attr)
                for conn in node.upstream if k else ():
                    up = "b" if conn.upstream_node.is_const else conn.upstream_node.node_index
                    seen[(phase, "conn", k, i, up, "weight")] = conn.weight
                    seen[(phase, "conn", k, i, up, "gradient")] = conn.gradient

    seen[("loss",)] = step_phases(net, ex.sample, ex.label, ex.rate, look)
    seen[("rate",)] = ex.rate
    for i, t in enumerate(ex.label):
        seen[("label", i)] = t
    return seen


def all_lines(trace, names):
    return given_lines(trace, names) + [line for step in trace.steps for line in step.lines]


def mismatches(trace, names, seen):
    """Nums whose value is not what the object held at that phase (empty when all agree)."""
    return [(n.source, n.value) for line in all_lines(trace, names) for n in line
            if isinstance(n, Num) and seen.get(n.source, object()) != n.value]


def printed_mismatches(text, trace, names):
    """Numbers in the text that differ, in order, from the trace's Nums as formatted."""
    expected = [fmt(n.value) for line in all_lines(trace, names) for n in line
                if isinstance(n, Num)]
    printed = NUMBER.findall(text)
    if len(printed) != len(expected):
        return [("count", len(printed), len(expected))]
    return [(p, e) for p, e in zip(printed, expected) if float(p) != float(e)]


def explain(ex, lang="en"):
    names = ex.namer()
    trace = record_neurons(ex.build("neurons"), ex.sample, ex.label, ex.rate, names)
    return trace, "\n".join(render_neurons(trace, ex.title, names, lang)), names


@pytest.mark.parametrize("ex", [article_example(0), article_example(3), mazur_example()],
                         ids=["article-0", "article-3", "mazur"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_printed_number_is_the_objects_value(ex, lang):
    trace, text, names = explain(ex, lang)
    seen = observe(ex.build("neurons"), ex)
    assert mismatches(trace, names, seen) == []
    assert printed_mismatches(text, trace, names) == []
    assert len(NUMBER.findall(text)) > 100


def test_the_checks_catch_a_wrong_number():
    ex = mazur_example()
    trace, text, names = explain(ex)
    seen = observe(ex.build("neurons"), ex)
    step = trace.steps[0]
    k = next(p for p, t in enumerate(step.lines[1]) if isinstance(t, Num))
    wrong = step.lines[1][k]
    step.lines[1][k] = Num(wrong.value + 1e-9, wrong.source)  # a recomputation, slightly off
    assert mismatches(trace, names, seen) == [(wrong.source, wrong.value + 1e-9)]
    step.lines[1][k] = wrong
    assert printed_mismatches(text.replace("0.3775", "0.3776", 1), trace, names)
    assert printed_mismatches(text + "\n 0.5", trace, names)  # a number from nowhere


def test_mazur_published_numbers():
    ex = mazur_example()
    trace, text, _ = explain(ex)
    s = trace.snapshots
    published = [  # (value read from the objects, published value, its last decimal place)
        (s["forward"]["node"][(2, 0)]["output"], 0.75136507, 8),
        (s["forward"]["node"][(2, 1)]["output"], 0.772928465, 9),
        (trace.loss, 0.298371109, 9),
        (s["gradient"]["conn"][(2, 0, 0)]["gradient"], 0.082167041, 9),  # ∂E/∂w5
        (s["update"]["conn"][(2, 0, 0)]["weight"], 0.35891648, 8),      # new w5
        (s["gradient"]["conn"][(1, 0, 0)]["gradient"], 0.000438568, 9),  # ∂E/∂w1
    ]
    for value, figure, places in published:
        assert abs(value - figure) <= 0.5 * 10 ** -places, (value, figure)
    for shown in ("out_o1 = sigmoid(net_o1) = sigmoid(1.10590597) = 0.75136507",
                  "= 0.772928465", "= 0.298371109", "∂E/∂w5 = −δ_o1·out_h1",
                  "w5 ← w5 − η·∂E/∂w5 = 0.4 − 0.5·0.0821670406 = 0.35891648",
                  "∂E/∂w1 = −δ_h1·i1 = −(-0.00877135469)·0.05 = 0.000438567734"):
        assert shown in text


def test_the_explained_step_is_train_one_sample():
    """Calling the phases one by one is the library's step: same weights as train_one_sample."""
    ex = article_example(5)
    net = ex.build("neurons")
    record_neurons(net, ex.sample, ex.label, ex.rate, ex.namer())
    twin = ex.build("neurons")
    twin.train_one_sample(ex.label, ex.sample, ex.rate)
    assert net.parameters() == twin.parameters()


def test_article_numbering_and_formulas():
    _, text, _ = explain(article_example())
    for piece in ("net4 = w41·x1 + w42·x2 + w43·x3 + w4b", "y8 = sigmoid(net8)",
                  "δ8 = y8·(1−y8)·(t8−y8)", "δ4 = a4·(1−a4)·(w84·δ8 + w94·δ9)",
                  "∂E/∂w84 = −δ8·a4", "w84 ← w84 − η·∂E/∂w84", "式1", "式3", "式4", "式5"):
        assert piece in text
    _, zh, _ = explain(article_example(), "zh")
    assert "阶段 1 — 前向计算" in zh and "误差项" in zh


@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4), seed=st.integers(0, 10**6),
       data=st.data())
def test_any_small_sigmoid_network(sizes, seed, data):
    floats = st.floats(-2, 2, allow_nan=False)
    ex = Example("random", sizes, neurons.Network(sizes, seed=seed).parameters(),
                 data.draw(st.lists(floats, min_size=sizes[0], max_size=sizes[0])),
                 data.draw(st.lists(floats, min_size=sizes[-1], max_size=sizes[-1])),
                 data.draw(st.floats(0.01, 2)))
    trace, text, names = explain(ex)
    assert mismatches(trace, names, observe(ex.build("neurons"), ex)) == []
    assert printed_mismatches(text, trace, names) == []


def test_long_sums_are_elided_but_still_read_from_objects():
    sizes = [9, 2, 1]
    ex = Example("wide", sizes, neurons.Network(sizes, seed=1).parameters(), [0.1] * 9, [0.9],
                 0.5)
    trace, text, names = explain(ex)
    assert "+ … (4)" in text  # 9 weights and a bias: 5 weights and the bias shown
    assert mismatches(trace, names, observe(ex.build("neurons"), ex)) == []


def test_weights_file_refuses_unknown_keys(tmp_path):
    path = tmp_path / "w.json"
    ex = mazur_example()
    path.write_text(json.dumps({"layer_sizes": ex.layer_sizes, "parameters": ex.parameters,
                                "sample": ex.sample, "label": ex.label, "activation": "relu"}))
    with pytest.raises(ValueError, match="unknown key 'activation'; a weights file holds "
                                         "layer_sizes, parameters, sample, label, rate"):
        from_json(path)


def test_weights_file_gives_the_same_step(tmp_path):
    ex = mazur_example()
    path = tmp_path / "mazur.json"
    path.write_text(json.dumps({"layer_sizes": ex.layer_sizes, "parameters": ex.parameters,
                                "sample": ex.sample, "label": ex.label, "rate": ex.rate}))
    loaded = from_json(path)
    a, _, _ = explain(ex)
    b, _, _ = explain(loaded)
    assert a.snapshots == b.snapshots


@pytest.mark.parametrize("content, words", [
    ("not json", "is not a JSON file"),
    ("[1, 2]", "expected a JSON object"),
    ('{"layer_sizes": [2, 2]}', "missing parameters, sample, label"),
    ('{"layer_sizes": [2, 1], "parameters": [[[[1, 2]], [0]]], "sample": [1], "label": [1]}',
     "sample has 1 values, the input layer 2"),
    ('{"layer_sizes": [2, 1], "parameters": [[[[1, 2]], [0]]], "sample": [1, 2], '
     '"label": [1], "rate": -1}', "rate must be a finite number > 0"),
    ('{"layer_sizes": [2, 1], "parameters": [[[[1, 2, 3]], [0]]], "sample": [1, 2], '
     '"label": [1]}', "params[0] W[0]"),
    ('{"layer_sizes": [2, 1], "parameters": [[[[1, 2]], [0]]], "sample": [1, "x"], '
     '"label": [1]}', "sample must hold finite numbers"),
])
def test_bad_weights_files_are_named(tmp_path, content, words):
    path = tmp_path / "w.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=re.escape(words)) as info:
        from_json(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("kw, words", [
    ({"activation": "leaky_relu"}, "hidden activation ['leaky_relu']"),
    ({"output": "softmax", "loss": "mse"}, "softmax output is explained with loss cross_entropy"),
    ({"l2": 0.1}, "l2 0.1"),
    ({"output": "elu"}, "output 'elu'"),
])
def test_kinds_the_walkthrough_does_not_write_are_refused(kw, words):
    net = neurons.Network([2, 2, 2], seed=0, **kw)
    with pytest.raises(ValueError, match=re.escape(words)):
        record_neurons(net, [0.1, 0.2], [0.1, 0.9], 0.5, mazur_example().namer())
    assert net.parameters() == neurons.Network([2, 2, 2], seed=0, **kw).parameters()


KINDS = [("sigmoid", "sigmoid", "mse"), ("tanh", "identity", "mse"), ("relu", "sigmoid", "mse"),
         ("relu", "softmax", "cross_entropy"), ("tanh", "identity", "hinge"),
         ("sigmoid", "sigmoid", "hinge"), ("relu", "relu", "mse"), ("tanh", "tanh", "mse")]


@pytest.mark.parametrize("activation, output, loss", KINDS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_layer_kind_prints_the_objects_values(activation, output, loss, lang):
    ex = article_example(2)
    ex.activation, ex.output, ex.loss = activation, output, loss
    ex.label = [1.0, 0.0]
    trace, text, names = explain(ex, lang)
    assert mismatches(trace, names, observe(ex.build("neurons"), ex)) == []
    assert printed_mismatches(text, trace, names) == []
    assert f"{activation}(net4)" in text and (
        f"{output}(net8)" in text or "softmax(" in text)
    if loss == "cross_entropy":
        assert "δ8 = t8 − y8" in text
    if activation == "relu":
        assert "δ4 = [net4>0]·(w84·δ8 + w94·δ9)" in text
    if activation == "tanh":
        assert "δ4 = (1−a4²)·(w84·δ8 + w94·δ9)" in text
    if (activation, output, loss) != ("sigmoid", "sigmoid", "mse"):
        assert "f = " in text or "f = " in text.replace("f =", "f = ")
