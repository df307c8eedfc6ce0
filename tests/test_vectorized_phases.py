"""The public phases of vectorized.Network (predict, calc_delta, calc_gradient, update_weight):
worked by hand, side by side with neurons, and the rule that inspecting changes nothing."""


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurons
import vectorized
import vectorized.fast
from tests.helpers import sigmoid
from tests.strategies import configs, datasets

# The 2-2-1 sigmoid/mse example of test_vectorized_network, with L2 this time.
W1, B1 = [[0.1, -0.2], [0.3, 0.4]], [0.05, -0.05]
W2, B2 = [[0.5, -0.6]], [0.2]
X, T, L2, RATE = [1.0, 2.0], [0.9], 0.25, 0.7


def test_each_phase_leaves_the_numbers_worked_by_hand():
    net = vectorized.Network([2, 2, 1], l2=L2)
    net.set_parameters([(W1, B1), (W2, B2)])
    hidden, top = net.layers
    a = [sigmoid(W1[j][0] * X[0] + W1[j][1] * X[1] + B1[j]) for j in range(2)]
    y = sigmoid(W2[0][0] * a[0] + W2[0][1] * a[1] + B2[0])

    net.predict(X)  # 式2
    np.testing.assert_allclose(hidden.output, a, rtol=1e-15)
    np.testing.assert_allclose(top.output, [y], rtol=1e-15)
    assert hidden.delta is None and top.W_grad is None

    net.calc_delta(T)
    delta_o = y * (1 - y) * (T[0] - y)  # 式7 (式3)
    delta_h = [a[i] * (1 - a[i]) * W2[0][i] * delta_o for i in range(2)]  # 式8 (式4)
    np.testing.assert_allclose(top.delta, [delta_o], rtol=1e-14)
    np.testing.assert_allclose(hidden.delta, delta_h, rtol=1e-14)
    assert top.W_grad is None  # gradients are the next phase

    net.calc_gradient()
    dW2 = [[-delta_o * a[i] + L2 * W2[0][i] for i in range(2)]]
    dW1 = [[-delta_h[j] * X[i] + L2 * W1[j][i] for i in range(2)] for j in range(2)]
    np.testing.assert_allclose(top.W_grad, dW2, rtol=1e-14)
    np.testing.assert_allclose(hidden.W_grad, dW1, rtol=1e-14)
    np.testing.assert_allclose(top.b_grad, [-delta_o], rtol=1e-14)  # no L2 on biases
    np.testing.assert_allclose(hidden.b_grad, [-d for d in delta_h], rtol=1e-14)

    net.update_weight(RATE)  # 式9, 式10
    np.testing.assert_allclose(top.W, np.array(W2) - RATE * np.array(dW2), rtol=1e-14)
    np.testing.assert_allclose(hidden.b, np.array(B1) + RATE * np.array(delta_h), rtol=1e-14)
    np.testing.assert_allclose(top.W_grad, dW2, rtol=1e-14)  # the gradient applied stays


def test_train_one_sample_is_the_four_phases(monkeypatch):
    """Bitwise the same as calling the phases, and it calls exactly those, in order."""
    config = dict(layer_sizes=[3, 4, 2], activation="tanh", l2=0.1, seed=4)
    x, t = np.array([0.2, -0.4, 0.9]), np.array([0.1, 0.9])
    by_hand, net = vectorized.Network(**config), vectorized.Network(**config)
    by_hand.predict(x)
    by_hand.calc_delta(t)
    by_hand.calc_gradient()
    by_hand.update_weight(0.3)
    calls = []
    for name in ("predict", "calc_delta", "calc_gradient", "update_weight"):
        method = getattr(vectorized.Network, name)
        monkeypatch.setattr(vectorized.Network, name,
                            lambda self, *a, _m=method, _n=name, **kw:
                            calls.append(_n) or _m(self, *a, **kw))
    net.train_one_sample(t, x, 0.3)
    assert calls == ["predict", "calc_delta", "calc_gradient", "update_weight"]
    for (W, b), (W0, b0) in zip(net.parameters(), by_hand.parameters()):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_a_batch_steps_through_the_same_phases_by_the_mean_gradient():
    config = dict(layer_sizes=[3, 4, 2], output="softmax", loss="cross_entropy", seed=2)
    rng = np.random.default_rng(0)
    data, labels = rng.normal(size=(6, 3)), np.eye(2)[rng.integers(0, 2, 6)]
    trained, by_hand = vectorized.Network(**config), vectorized.Network(**config)
    trained.train(labels, data, 0.5, 1, batch_size=4)
    for rows in (slice(0, 4), slice(4, 6)):
        by_hand.predict(data[rows])
        by_hand.calc_delta(labels[rows])
        by_hand.calc_gradient()
        assert by_hand.layers[0].W_grad.shape == (4, 3)  # one mean gradient for the batch
        by_hand.update_weight(0.5)
    for (W, b), (W0, b0) in zip(trained.parameters(), by_hand.parameters()):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


@given(st.data())
def test_deltas_equal_the_object_graphs_node_deltas(data):
    config = data.draw(configs(max_layers=4, max_width=5))
    labels, samples = data.draw(datasets(config, max_samples=1))
    slow, fast = neurons.Network(**config), vectorized.Network(**config)
    for net, sample in ((slow, samples[0]), (fast, np.asarray(samples[0]))):
        net.predict(sample)
        net.calc_delta(labels[0])
    for slow_layer, layer in zip(slow.layers[1:], fast.layers):
        expected = [node.delta for node in slow_layer.nodes]
        np.testing.assert_allclose(layer.delta, expected, rtol=1e-12, atol=1e-12)


def _train_while_reading(engine, read):
    net = engine.Network([5, 4, 3], activation="relu", l2=0.01, seed=9)
    rng = np.random.default_rng(1)
    data, labels = rng.normal(size=(12, 5)), rng.random((12, 3))
    for step in range(12):
        net.train_one_sample(labels[step], data[step], 0.2)
        if read:  # what a debugger watch or a print does
            for layer in net.layers:
                repr(layer), layer.W.sum(), layer.b.copy(), layer.W_grad, layer.delta
            repr(net), net.parameters()
    net.train(labels, data, 0.2, 1, batch_size=5)
    if read:
        net.layers[0].W.copy()
    return [array for pair in net.parameters() for array in pair]


def test_reading_the_weights_during_training_changes_no_number():
    quiet, watched = _train_while_reading(vectorized, False), _train_while_reading(vectorized,
                                                                                   True)
    assert all(np.array_equal(a, b) for a, b in zip(quiet, watched))  # bitwise


def test_the_reading_checker_catches_a_read_that_changes_numbers(monkeypatch):
    """The fast engine's W adds held steps when read: with every layer holding steps, reading
    changes the rounding, and the comparison above sees it."""
    import vectorized.fast.layer as fast_layer

    monkeypatch.setattr(fast_layer, "DEFER_ABOVE_BYTES", -1)
    monkeypatch.setattr(fast_layer, "DEFERRED_STEPS", 5)
    quiet, watched = (_train_while_reading(vectorized.fast, read) for read in (False, True))
    assert not all(np.array_equal(a, b) for a, b in zip(quiet, watched))


def test_layer_sizes_may_be_any_iterable():
    net = vectorized.Network((size for size in (3, 4, 2)), seed=1)
    assert net.layer_sizes == (3, 4, 2)
    assert vectorized.Network(range(2, 5), seed=1).layer_sizes == (2, 3, 4)
    with pytest.raises(TypeError, match="layer_sizes"):
        vectorized.Network(5)


@pytest.mark.parametrize("engine", [vectorized, vectorized.fast], ids=["textbook", "fast"])
def test_phases_out_of_order_are_refused_and_change_nothing(engine):
    net = engine.Network([3, 2, 2], seed=0)
    before = net.parameters()
    with pytest.raises(RuntimeError, match="predict"):
        net.calc_delta([1.0, 0.0])
    net.predict([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="calc_delta"):
        net.calc_gradient()
    with pytest.raises(RuntimeError, match="calc_gradient"):
        net.update_weight(0.1)
    with pytest.raises(ValueError, match="label"):
        net.calc_delta([1.0, 0.0, 0.0])
    assert all(layer.delta is None for layer in net.layers)
    net.calc_delta([1.0, 0.0])
    net.calc_gradient()
    with pytest.raises(ValueError, match="rate"):
        net.update_weight(-1.0)
    after = net.parameters()
    assert all(np.array_equal(a, b) for pa, pb in zip(before, after) for a, b in zip(pa, pb))
