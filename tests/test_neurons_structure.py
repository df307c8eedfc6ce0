"""neurons: the object graph — seeded initialisation order, connections, ConstNode, repr."""

import random

import pytest

import neurons


def test_seeded_draws_fill_weights_row_by_row_then_biases():
    net = neurons.Network([3, 2, 1], seed=42)
    rng = random.Random(42)
    draws = [rng.uniform(-0.1, 0.1) for _ in range(3 * 2 + 2 + 2 * 1 + 1)]
    (W1, b1), (W2, b2) = net.parameters()
    assert W1 == [draws[0:3], draws[3:6]]
    assert b1 == draws[6:8]
    assert W2 == [draws[8:10]]
    assert b2 == draws[10:11]
    # Connections lists them in the same order.
    assert [c.weight for c in net.connections] == draws


@pytest.mark.parametrize("init,bound", [("xavier", (6 / (3 + 2)) ** 0.5), ("he", (6 / 3) ** 0.5)])
def test_scaled_inits_draw_weights_only(init, bound):
    net = neurons.Network([3, 2], init=init, seed=5)
    rng = random.Random(5)
    W, b = net.parameters()[0]
    assert W == [[rng.uniform(-bound, bound) for _ in range(3)] for _ in range(2)]
    assert b == [0.0, 0.0]


def test_graph_wiring():
    net = neurons.Network([3, 4, 2], seed=0)
    assert len(net.connections) == 3 * 4 + 4 + 4 * 2 + 2
    hidden = net.layers[1]
    const = net.layers[0].const_node
    assert const.output == 1.0 and const.is_const
    assert len(const.downstream) == 4  # the biases of layer 1
    for node in hidden.nodes:
        assert [c.upstream_node for c in node.upstream] == net.layers[0].nodes + [const]
        assert all(c.downstream_node is node for c in node.upstream)
        assert len(node.downstream) == 2
    assert net.layers[2].const_node is None  # no bias unit in the output layer


def test_input_layer_deltas_are_never_computed():
    net = neurons.Network([2, 2, 1], seed=0)
    net.get_gradient([1.0], [0.5, 0.5])
    assert all(node.delta == 0.0 for node in net.layers[0].nodes)
    assert all(node.delta != 0.0 for node in net.layers[1].nodes)


def test_reprs_tell_the_story():
    net = neurons.Network([3, 4, 2], seed=1)
    assert repr(net) == "Network([3, 4, 2], sigmoid/mse, 26 connections)"
    net.predict([1.0, 0.0, 0.5])
    node = net.layers[1].nodes[3]
    assert repr(node) == (
        f"Node(layer=1, index=3, output={node.output:.4g}, delta={node.delta:.4g})"
    )
    conn = net.layers[1].nodes[3].upstream[2]
    assert repr(conn).startswith("Connection(0-2 → 1-3, weight=")
    assert repr(net.layers[1].nodes[0].upstream[-1]).startswith("Connection(0-b → 1-0,")
    assert repr(net.layers[0].const_node) == "ConstNode(layer=0, index=3, output=1)"
    mixed = neurons.Network([2, 3, 3, 2], activation=["relu", "tanh"], output="softmax",
                            loss="cross_entropy")
    assert repr(mixed) == "Network([2, 3, 3, 2], relu,tanh→softmax/cross_entropy, 29 connections)"


def test_config_rebuilds_the_same_network():
    net = neurons.Network([4, 3, 2], activation="tanh", output="softmax", loss="cross_entropy",
                          init="xavier", l2=0.01, seed=9)
    assert neurons.Network(**net.config()).parameters() == net.parameters()
    assert net.config()["activation"] == ["tanh"]


def test_parameters_are_copies():
    net = neurons.Network([2, 1], seed=0)
    params = net.parameters()
    params[0][0][0][0] = 99.0
    assert net.parameters()[0][0][0][0] != 99.0


def test_softmax_outputs_sum_to_one_even_for_huge_inputs():
    net = neurons.Network([1, 3], output="softmax", loss="cross_entropy", seed=0)
    net.set_parameters([([[1000.0], [999.0], [-1000.0]], [0.0, 0.0, 0.0])])
    y = net.predict([1.0])
    assert sum(y) == pytest.approx(1.0)
    assert y[2] == 0.0 and y[0] > y[1] > 0.0
    assert net.loss(y, [0.0, 0.0, 1.0]) == pytest.approx(-__import__("math").log(1e-300))


def test_dump_prints_every_node_and_connection(capsys):
    net = neurons.Network([2, 1], seed=0)
    net.dump()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == repr(net)
    assert sum(line.strip().startswith("Connection(") for line in out) == 3
    assert sum(line.strip().startswith("Node(") for line in out) == 3


def test_exported_name_lists_are_tuples_of_names():
    assert neurons.INITS == ("uniform", "xavier", "he")
    assert neurons.LOSSES == ("mse", "cross_entropy", "hinge")
    assert neurons.HIDDEN_ACTIVATIONS == ("sigmoid", "tanh", "relu", "leaky_relu", "identity",
                                          "elu", "softplus", "selu")
    assert neurons.OUTPUT_ACTIVATIONS == neurons.HIDDEN_ACTIVATIONS + ("softmax",)
