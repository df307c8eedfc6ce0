"""neurons explain --impl vectorized / both: the matrices of the same step, read from the
layers' public arrays after each phase, and both packages side by side.
They read vectorized's public phases (predict, calc_delta, calc_gradient, update_weight) and the
layers' input/net/output/delta/W/b/W_grad/b_grad.
"""

import numpy as np
import pytest

from neurons_lab.explain import article_example, mazur_example
from neurons_lab.explain.compare import compare_rows, record_both, render_both
from neurons_lab.explain.matrices import Arr, record_vectorized, render_vectorized
from neurons_lab.explain.trace import Num
from neurons_lab.explain.walkthrough import fmt, given_lines
from tests.helpers import step_phases

ATTRS = ("input", "net", "output", "delta", "W", "b", "W_grad", "b_grad")


def observe(net, ex):
    """The test's own copies of every layer array after each phase."""
    seen = {}

    def look(phase):
        for l, layer in enumerate(net.layers, start=1):
            for attr in ATTRS:
                seen[(phase, "layer", l, attr)] = np.array(getattr(layer, attr), dtype=float)

    x, t = np.asarray(ex.sample), np.asarray(ex.label)
    seen[("loss",)] = step_phases(net, x, t, ex.rate, look)
    seen[("rate",)] = ex.rate
    seen[("label",)] = t
    return seen


def tokens(trace, names):
    lines = given_lines(trace, names) + [line for s in trace.steps for line in s.lines]
    return [t for line in lines for t in line if isinstance(t, (Num, Arr))]


@pytest.mark.parametrize("ex", [article_example(0), mazur_example()], ids=["article", "mazur"])
def test_every_array_is_the_layers_own(ex):
    names = ex.namer()
    trace = record_vectorized(ex.build("vectorized"), ex.sample, ex.label, ex.rate)
    seen = observe(ex.build("vectorized"), ex)
    for token in tokens(trace, names):
        if isinstance(token, Arr):
            assert np.array_equal(token.value, seen[token.source]), token.source
        elif token.source[:3] == ("forward", "layer", 1):  # the sample, as layer 1's input
            assert token.value == seen[("forward", "layer", 1, "input")][token.source[4]]
        elif token.source[0] == "label":
            assert token.value == ex.label[token.source[1]]
        else:
            assert token.value == seen[token.source]
    text = "\n".join(render_vectorized(trace, ex.title, names, "en"))
    for token in tokens(trace, names):
        values = token.value.ravel() if isinstance(token, Arr) else [token.value]
        for v in values:
            assert fmt(v) in text
    for eq in ("式2", "式7", "式8", "式9", "式10"):
        assert eq in text


def test_matrix_step_reproduces_mazur():
    ex = mazur_example()
    trace = record_vectorized(ex.build("vectorized"), ex.sample, ex.label, ex.rate)
    s = trace.snapshots
    assert abs(s["forward"][2]["output"][0] - 0.75136507) < 5e-9
    assert abs(trace.loss - 0.298371109) < 5e-10
    assert abs(s["gradient"][2]["W_grad"][0, 0] - 0.082167041) < 5e-10
    assert abs(s["update"][2]["W"][0, 0] - 0.35891648) < 5e-9
    assert abs(s["gradient"][1]["W_grad"][0, 0] - 0.000438568) < 5e-10


@pytest.mark.parametrize("ex", [article_example(2), mazur_example()], ids=["article", "mazur"])
def test_both_side_by_side(ex):
    names = ex.namer()
    tn, tv = record_both(ex)
    rows = compare_rows(tn, tv, names)
    n_nodes = sum(ex.layer_sizes[1:])
    n_conns = sum((a + 1) * b for a, b in zip(ex.layer_sizes, ex.layer_sizes[1:]))
    assert [len(r) for r in rows.values()] == [2 * n_nodes, n_nodes, n_conns, n_conns]
    worst = max(r.difference for section in rows.values() for r in section)
    assert worst <= 1e-12
    text = "\n".join(render_both(tn, tv, ex.title, names, "en"))
    for section in rows.values():
        for r in section:
            assert r.neurons.value == tn.snapshots[r.neurons.source[0]][r.neurons.source[1]][
                tuple(r.neurons.source[2:-1])][r.neurons.source[-1]]
            assert f"{fmt(r.neurons.value):>18}{fmt(r.vectorized.value):>18}" in text
    assert f"Largest difference between the two: {worst:.1e}" in text


@pytest.mark.parametrize("impl, words", [
    ("vectorized", "a⁽²⁾ = sigmoid(net⁽²⁾) = [ 0.75136507  0.772928465]"),
    ("both", "Largest difference between the two: "),
])
def test_command_line(capsys, impl, words):
    from neurons_lab.cli import main

    assert main(["explain", "--example", "mazur", "--impl", impl, "--lang", "en"]) == 0
    assert words in capsys.readouterr().out
