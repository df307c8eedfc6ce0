"""The tutorial's 3-4-2 sigmoid network (nodes 1–3, 4–7, 8–9), worked by hand.

Expected values are computed here from the formulas (式1, 式3, 式4, 式5, and the L2 term λw of
"从0到1 (中)") with plain floats, independently of the package code, then compared with what
the object graph computes; the public-API tests run on vectorized too, with and without L2.
"""


import pytest

import neurons
import vectorized
from neurons_lab.training.networks import as_lists
from tests.helpers import sigmoid

# w[j][i]: weight from node i to node j, numbered as in the tutorial's figure.
W_HIDDEN = {4: {1: 0.1, 2: -0.2, 3: 0.3}, 5: {1: 0.4, 2: 0.5, 3: -0.6},
            6: {1: -0.7, 2: 0.8, 3: 0.9}, 7: {1: 0.15, 2: 0.25, 3: -0.35}}
B_HIDDEN = {4: 0.01, 5: -0.02, 6: 0.03, 7: -0.04}
W_OUT = {8: {4: 0.2, 5: -0.3, 6: 0.4, 7: 0.5}, 9: {4: -0.6, 5: 0.7, 6: 0.8, 7: -0.9}}
B_OUT = {8: 0.05, 9: -0.06}
X = {1: 1.0, 2: 0.5, 3: -1.5}
T = {8: 0.9, 9: 0.1}
RATE = 0.5
L2 = 0.1
PACKAGES = [neurons, vectorized]


def by_hand(l2=0.0):
    a = dict(X)
    for j in W_HIDDEN:  # 式1
        a[j] = sigmoid(sum(W_HIDDEN[j][i] * a[i] for i in X) + B_HIDDEN[j])
    for j in W_OUT:
        a[j] = sigmoid(sum(W_OUT[j][i] * a[i] for i in W_HIDDEN) + B_OUT[j])
    delta = {j: a[j] * (1 - a[j]) * (T[j] - a[j]) for j in W_OUT}  # 式3
    for i in W_HIDDEN:  # 式4
        delta[i] = a[i] * (1 - a[i]) * sum(W_OUT[k][i] * delta[k] for k in W_OUT)
    # 式5 with L2: w_ji += η (δ_j x_ji − λ w_ji); a bias has no L2 term: b_j += η δ_j
    new_hidden = {j: {i: W_HIDDEN[j][i] + RATE * (delta[j] * a[i] - l2 * W_HIDDEN[j][i])
                      for i in X} for j in W_HIDDEN}
    new_out = {j: {i: W_OUT[j][i] + RATE * (delta[j] * a[i] - l2 * W_OUT[j][i])
                   for i in W_HIDDEN} for j in W_OUT}
    new_bh = {j: B_HIDDEN[j] + RATE * delta[j] for j in W_HIDDEN}
    new_bo = {j: B_OUT[j] + RATE * delta[j] for j in W_OUT}
    return a, delta, (new_hidden, new_bh, new_out, new_bo)


def build(package=neurons, l2=0.0):
    net = package.Network([3, 4, 2], l2=l2)
    net.set_parameters([
        ([[W_HIDDEN[j][i] for i in (1, 2, 3)] for j in (4, 5, 6, 7)],
         [B_HIDDEN[j] for j in (4, 5, 6, 7)]),
        ([[W_OUT[j][i] for i in (4, 5, 6, 7)] for j in (8, 9)], [B_OUT[j] for j in (8, 9)]),
    ])
    return net


def test_outputs_match_equation_1():
    a, _, _ = by_hand()
    net = build()
    assert net.predict([X[1], X[2], X[3]]) == pytest.approx([a[8], a[9]], abs=1e-15)
    hidden = [node.output for node in net.layers[1].nodes]
    assert hidden == pytest.approx([a[4], a[5], a[6], a[7]], abs=1e-15)


def test_deltas_of_nodes_4_to_9():
    _, delta, _ = by_hand()
    net = build()
    net.predict([X[1], X[2], X[3]])
    net.calc_delta([T[8], T[9]])
    got = [n.delta for n in net.layers[1].nodes] + [n.delta for n in net.layers[2].nodes]
    assert got == pytest.approx([delta[j] for j in range(4, 10)], abs=1e-15)
    # The sign is the tutorial's: output below target → positive delta.
    assert (net.layers[2].nodes[0].delta > 0) == (T[8] > net.layers[2].nodes[0].output)


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("l2", [0.0, L2])
def test_one_training_step_updates_every_weight_by_equation_5(package, l2):
    _, _, (nh, nbh, no, nbo) = by_hand(l2)
    net = build(package, l2)
    net.train_one_sample([T[8], T[9]], [X[1], X[2], X[3]], RATE)
    (W1, b1), (W2, b2) = as_lists(net.parameters())
    assert W1 == [pytest.approx([nh[j][i] for i in (1, 2, 3)], abs=1e-15) for j in (4, 5, 6, 7)]
    assert b1 == pytest.approx([nbh[j] for j in (4, 5, 6, 7)], abs=1e-15)
    assert W2 == [pytest.approx([no[j][i] for i in (4, 5, 6, 7)], abs=1e-15) for j in (8, 9)]
    assert b2 == pytest.approx([nbo[j] for j in (8, 9)], abs=1e-15)


def test_connection_gradient_is_the_negative_of_the_articles_step():
    """Connection.gradient = −δ_j x_ji (PyTorch's sign); the article adds δ_j x_ji."""
    a, delta, _ = by_hand()
    net = build()
    net.predict([X[1], X[2], X[3]])
    net.calc_delta([T[8], T[9]])
    net.calc_gradient()
    conn = net.layers[2].nodes[1].upstream[2]  # from node 6 to node 9
    assert conn.gradient == pytest.approx(-delta[9] * a[6], abs=1e-15)
    # The per-connection method gives the same number as the per-node loop.
    conn.gradient = None
    conn.calc_gradient()
    assert conn.gradient == pytest.approx(-delta[9] * a[6], abs=1e-15)


def test_loss_is_half_squared_error():
    a, _, _ = by_hand()
    net = build()
    expected = 0.5 * ((T[8] - a[8]) ** 2 + (T[9] - a[9]) ** 2)
    assert net.loss(net.predict([1.0, 0.5, -1.5]), [0.9, 0.1]) == pytest.approx(expected)
    assert net.train_one_sample([0.9, 0.1], [1.0, 0.5, -1.5], RATE) == pytest.approx(expected)


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("l2", [0.0, L2])
def test_get_gradient_is_minus_delta_x_plus_l2_w_and_biases_carry_no_l2(package, l2):
    a, delta, _ = by_hand()
    net = build(package, l2)
    (dW1, db1), (dW2, db2) = as_lists(net.get_gradient([T[8], T[9]], [X[1], X[2], X[3]]))
    assert dW1 == [pytest.approx([-delta[j] * a[i] + l2 * W_HIDDEN[j][i] for i in (1, 2, 3)],
                                 abs=1e-15) for j in (4, 5, 6, 7)]
    assert dW2 == [pytest.approx([-delta[j] * a[i] + l2 * W_OUT[j][i] for i in (4, 5, 6, 7)],
                                 abs=1e-15) for j in (8, 9)]
    assert db1 == pytest.approx([-delta[j] for j in (4, 5, 6, 7)], abs=1e-15)
    assert db2 == pytest.approx([-delta[j] for j in (8, 9)], abs=1e-15)


def test_hand_worked_l2_values_differ_from_the_plain_ones():
    """The L2 cases are not the plain case in disguise: every weight moves differently."""
    _, _, plain = by_hand()
    _, _, decayed = by_hand(L2)
    assert all(plain[0][j][i] != decayed[0][j][i] for j in W_HIDDEN for i in X)
    assert plain[1] == decayed[1] and plain[3] == decayed[3]  # biases: no L2
