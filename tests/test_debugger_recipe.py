"""The debugger recipe: pdb, driven without a keyboard through one train_one_sample, stops at
each breakpoint the README names and prints the values the library then holds."""

import re

import pytest

import neurons
from neurons_lab.explain import article_example
from neurons_lab.explain.debugging import RECIPE, breakpoint_at, run_under_pdb


def numbers_after(transcript, command_count):
    """The values pdb printed, in order (lines "(Pdb) <number>")."""
    return [float(m) for m in re.findall(r"\(Pdb\) (-?[0-9.]+(?:e-?\d+)?)\n", transcript)]


def test_every_recipe_line_exists():
    for name in RECIPE:
        path, line = breakpoint_at(name).rsplit(":", 1)
        assert path.endswith(".py") and int(line) > 0


def test_hidden_delta_and_update_breakpoints_fire_with_the_values():
    ex = article_example()
    net = ex.build("neurons")
    reference = ex.build("neurons")
    reference.train_one_sample(ex.label, ex.sample, ex.rate)
    loss, transcript = run_under_pdb(net.train_one_sample, (ex.label, ex.sample, ex.rate), [
        "break " + breakpoint_at("Node.calc_hidden_layer_delta"), "continue",
        "p self", "next", "p self.delta", "clearall",
        "break " + breakpoint_at("Connection.update_weight"), "continue",
        "p self", "next", "p self.weight"])
    assert "node.py" in transcript and "calc_hidden_layer_delta()" in transcript
    assert "Node(layer=1, index=0" in transcript  # the first hidden node, by its repr
    assert "update_weight()" in transcript and "Connection(0-0 → 1-0" in transcript
    delta, weight = numbers_after(transcript, 2)
    assert delta == reference.layers[1].nodes[0].delta  # 式4's δ4, as the library left it
    assert weight == reference.connections[0].weight    # w41 after 式5
    assert loss == pytest.approx(0.14343225764183073)
    assert net.parameters() == reference.parameters()  # the debugger changed nothing


def test_vectorized_backward_breakpoint_fires():
    ex = article_example()
    net = ex.build("vectorized")
    _, transcript = run_under_pdb(net.train_one_sample, (ex.label, ex.sample, ex.rate), [
        "break " + breakpoint_at("FullConnectedLayer.backward"), "continue",
        "p self.W.shape", "p W_above.shape"])
    assert "backward()" in transcript and "(4, 3)" in transcript and "(2, 4)" in transcript


def test_shared_weight_breakpoint_fires_in_a_cnn():
    net = neurons.Network(["1x4x4", "conv1x2", "pool3", 2], seed=0)
    w = net.shared_weights[0]
    _, transcript = run_under_pdb(net.train_one_sample, ([0.9, 0.1], [0.1] * 16, 0.5), [
        "break " + breakpoint_at("SharedWeight.update_weight"), "continue",
        "p self", "p len(self.connections)"])
    assert "SharedWeight(layer=1, W[0,0,0,0]" in transcript
    assert "(Pdb) 9\n" in transcript and len(w.connections) == 9
