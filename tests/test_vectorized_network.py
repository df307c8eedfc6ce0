"""vectorized.Network and FullConnectedLayer: worked example, batching, init, dtype."""

import json
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vectorized
from tests.helpers import sigmoid
from vectorized import FullConnectedLayer, Network

# -- a hand-worked 2-2-1 sigmoid/mse example -------------------------------------------------

W1 = [[0.1, -0.2], [0.3, 0.4]]
B1 = [0.05, -0.05]
W2 = [[0.5, -0.6]]
B2 = [0.2]
X = [1.0, 2.0]
T = [0.9]


def worked_example():
    """Outputs and gradients from 式1–式5 by hand, independent of the package."""
    net_h = [W1[j][0] * X[0] + W1[j][1] * X[1] + B1[j] for j in range(2)]
    a = [sigmoid(n) for n in net_h]
    y = sigmoid(W2[0][0] * a[0] + W2[0][1] * a[1] + B2[0])
    delta_o = y * (1 - y) * (T[0] - y)  # 式3
    delta_h = [a[i] * (1 - a[i]) * W2[0][i] * delta_o for i in range(2)]  # 式4
    dW1 = [[-delta_h[j] * X[i] for i in range(2)] for j in range(2)]
    dB1 = [-delta_h[j] for j in range(2)]
    dW2 = [[-delta_o * a[i] for i in range(2)]]
    dB2 = [-delta_o]
    E = 0.5 * (T[0] - y) ** 2
    return y, E, [(dW1, dB1), (dW2, dB2)]


def fixed_net(**kwargs):
    net = Network([2, 2, 1], **kwargs)
    net.set_parameters([(W1, B1), (W2, B2)])
    return net


def test_worked_example_output_loss_and_gradient():
    y, E, grads = worked_example()
    net = fixed_net()
    out = net.predict(X)
    assert out.shape == (1,) and out[0] == pytest.approx(y, rel=1e-15)
    assert net.loss(out, T) == pytest.approx(E, rel=1e-14)
    for (dW, db), (eW, eb) in zip(net.get_gradient(T, X), grads):
        assert np.allclose(dW, eW, rtol=1e-14, atol=0) and np.allclose(db, eb, rtol=1e-14, atol=0)


def test_worked_example_step_and_l2():
    y, E, grads = worked_example()
    net = fixed_net(l2=0.5)
    grad = net.get_gradient(T, X)
    assert np.allclose(grad[0][0], np.array(grads[0][0]) + 0.5 * np.array(W1), rtol=1e-14)
    assert np.allclose(grad[0][1], grads[0][1], rtol=1e-14)  # no L2 on biases
    loss = net.train_one_sample(T, X, 0.7)
    assert loss == pytest.approx(E, rel=1e-14)  # the loss before the step
    for (W, b), (dW, db), (W0, b0) in zip(net.parameters(), grad, [(W1, B1), (W2, B2)]):
        assert np.allclose(W, np.array(W0) - 0.7 * dW, rtol=1e-14, atol=1e-16)
        assert np.allclose(b, np.array(b0) - 0.7 * db, rtol=1e-14, atol=1e-16)


def test_layer_methods_worked_by_hand():
    """forward (式2), backward (式8), calc_gradient and update (式9, 式10) of one layer, on a
    sample and on a batch of two rows, against the formulas written out."""
    layer = FullConnectedLayer(3, 2, "tanh")
    layer.W[...] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    layer.b[...] = [0.5, -0.5]
    x = np.array([0.1, 0.2, 0.3])
    assert np.allclose(layer.forward(x), np.tanh(layer.W @ x + layer.b))
    assert layer.delta is None and layer.W_grad is None
    W_above, delta_above = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.3, -0.2])
    delta = layer.backward(delta_above, W_above)  # 式8: f'(net) ⊙ Wᵀδ
    assert delta is layer.delta
    np.testing.assert_allclose(delta, (1 - layer.output ** 2) * (W_above.T @ delta_above))
    layer.calc_gradient(l2=0.25)
    np.testing.assert_allclose(layer.W_grad, -np.outer(delta, x) + 0.25 * layer.W)
    np.testing.assert_allclose(layer.b_grad, -delta)  # no L2 on b
    W, b, W_grad = layer.W.copy(), layer.b.copy(), layer.W_grad
    layer.update(0.5)
    np.testing.assert_allclose(layer.W, W - 0.5 * W_grad)  # 式9: W += η(δxᵀ − λW)
    np.testing.assert_allclose(layer.b, b + 0.5 * delta)  # 式10: b += η δ
    assert layer.W_grad is W_grad  # the gradient the step applied stays
    # a batch: one row per sample, the gradient is the mean over rows
    X2 = np.stack([x, 2 * x])
    layer.forward(X2)
    assert layer.delta is None  # the old δ belongs to the old forward
    D = layer.backward(np.stack([delta_above, 3 * delta_above]), W_above)
    layer.calc_gradient()
    expected = -(np.outer(D[0], X2[0]) + np.outer(D[1], X2[1])) / 2
    np.testing.assert_allclose(layer.W_grad, expected)
    np.testing.assert_allclose(layer.b_grad, -D.mean(axis=0))


def test_layer_phases_out_of_order_say_what_to_run():
    layer = FullConnectedLayer(3, 2)
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward(np.ones(2), np.ones((2, 2)))
    with pytest.raises(RuntimeError, match="calc_gradient"):
        layer.update(0.1)
    layer.forward(np.ones(3))
    with pytest.raises(RuntimeError, match="calc_delta"):
        layer.calc_gradient()


# -- batching ------------------------------------------------------------------------------

CONFIGS = [
    dict(activation="sigmoid", output="sigmoid", loss="mse"),
    dict(activation="relu", output="softmax", loss="cross_entropy", init="he"),
    dict(activation=["tanh", "elu"], output="identity", loss="hinge", l2=0.01),
]


def net_and_data(config, seed=0, n=7):
    sizes = [4, 5, 3] if isinstance(config["activation"], str) else [4, 5, 3, 3]
    net = Network(sizes, seed=seed, **config)
    rng = np.random.default_rng(seed)
    data = rng.uniform(-1, 1, (n, 4))
    labels = np.eye(3)[rng.integers(0, 3, n)] * 0.8 + 0.1
    return net, labels, data


@pytest.mark.parametrize("config", CONFIGS)
def test_batch_predict_equals_row_by_row(config):
    net, _, data = net_and_data(config)
    batch = net.predict(data)
    assert batch.shape == (len(data), 3)
    rows = np.array([net.predict(row) for row in data])
    assert np.allclose(batch, rows, rtol=1e-14, atol=1e-15)
    assert net.predict(list(map(list, data))).shape == batch.shape


@pytest.mark.parametrize("config", CONFIGS)
def test_full_batch_train_is_one_step_of_the_mean_gradient(config):
    net, labels, data = net_and_data(config)
    start = net.parameters()
    grad = net.get_gradient(labels, data)
    expected_loss = net.loss(net.predict(data), labels)
    mean_rows = [net.get_gradient(t, x) for t, x in zip(labels, data)]
    for k, (dW, db) in enumerate(grad):  # the batch gradient is the mean of the rows'
        assert np.allclose(dW, np.mean([g[k][0] for g in mean_rows], axis=0), atol=1e-15)
        assert np.allclose(db, np.mean([g[k][1] for g in mean_rows], axis=0), atol=1e-15)
    loss = net.train(labels, data, 0.3, 1, batch_size=len(data))
    assert loss == pytest.approx(expected_loss, rel=1e-14)
    for (W, b), (W0, b0), (dW, db) in zip(net.parameters(), start, grad):
        assert np.allclose(W, W0 - 0.3 * dW, rtol=0, atol=1e-15)
        assert np.allclose(b, b0 - 0.3 * db, rtol=0, atol=1e-15)


@pytest.mark.parametrize("config", CONFIGS)
def test_train_batch_size_one_equals_repeated_train_one_sample(config):
    net_a, labels, data = net_and_data(config)
    net_b, _, _ = net_and_data(config)
    loss_a = net_a.train(labels, data, 0.2, 2)
    for _ in range(2):
        losses = [net_b.train_one_sample(t, x, 0.2) for t, x in zip(labels, data)]
    assert loss_a == pytest.approx(np.mean(losses), rel=1e-14)
    for (Wa, ba), (Wb, bb) in zip(net_a.parameters(), net_b.parameters()):
        assert np.array_equal(Wa, Wb) and np.array_equal(ba, bb)


@pytest.mark.parametrize("config", CONFIGS)
def test_mini_batches_are_consecutive_and_the_last_is_shorter(config):
    net_a, labels, data = net_and_data(config, n=7)
    net_b, _, _ = net_and_data(config, n=7)
    loss_a = net_a.train(labels, data, 0.5, 2, batch_size=3)
    for _ in range(2):
        total = 0.0
        for start in (0, 3, 6):  # batches of 3, 3 and 1
            t, x = labels[start:start + 3], data[start:start + 3]
            total += net_b.loss(net_b.predict(x), t) * len(x)
            grad = net_b.get_gradient(t, x)
            net_b.set_parameters([(W - 0.5 * dW, b - 0.5 * db)
                                  for (W, b), (dW, db) in zip(net_b.parameters(), grad)])
    assert loss_a == pytest.approx(total / 7, rel=1e-13)
    for (Wa, ba), (Wb, bb) in zip(net_a.parameters(), net_b.parameters()):
        assert np.allclose(Wa, Wb, rtol=0, atol=1e-14) and np.allclose(ba, bb, rtol=0, atol=1e-14)


def test_train_with_zero_epochs_changes_nothing_and_returns_nan():
    net, labels, data = net_and_data(CONFIGS[0])
    before = net.parameters()
    assert math.isnan(net.train(labels, data, 0.1, 0))
    assert all(np.array_equal(W, W0) for (W, _), (W0, _) in zip(net.parameters(), before))


def test_training_reduces_the_loss():
    net, labels, data = net_and_data(CONFIGS[0], n=20)
    first = net.train(labels, data, 0.5, 1, batch_size=4)
    last = net.train(labels, data, 0.5, 50, batch_size=4)
    assert last < first


# -- initialisation ------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**63), sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4))
def test_uniform_init_follows_the_draw_order(seed, sizes):
    net = Network(sizes, seed=seed)
    rng = random.Random(seed)
    for (W, b), n_in, n_out in zip(net.parameters(), sizes[:-1], sizes[1:]):
        expected_W = [[rng.uniform(-0.1, 0.1) for _ in range(n_in)] for _ in range(n_out)]
        expected_b = [rng.uniform(-0.1, 0.1) for _ in range(n_out)]
        assert W.tolist() == expected_W and b.tolist() == expected_b  # bit-identical


def test_first_weight_is_the_first_draw():
    assert Network([3, 2], seed=42).parameters()[0][0][0, 0] == \
        random.Random(42).uniform(-0.1, 0.1)


@pytest.mark.parametrize("init", ["xavier", "he"])
def test_xavier_and_he_draw_weights_only(init):
    sizes = [3, 4, 2]
    net = Network(sizes, init=init, seed=5)
    rng = random.Random(5)
    for (W, b), n_in, n_out in zip(net.parameters(), sizes[:-1], sizes[1:]):
        a = math.sqrt(6.0 / (n_in + n_out)) if init == "xavier" else math.sqrt(6.0 / n_in)
        assert W.tolist() == [[rng.uniform(-a, a) for _ in range(n_in)] for _ in range(n_out)]
        assert b.tolist() == [0.0] * n_out


def test_config_rebuilds_the_same_network_and_repr():
    net = Network([3, 4, 2], activation=["relu"], output="softmax", loss="cross_entropy",
                  l2=0.25, seed=9, dtype="float32")
    config = json.loads(json.dumps(net.config()))
    assert config == {"layer_sizes": [3, 4, 2], "activation": ["relu"], "output": "softmax",
                      "loss": "cross_entropy", "init": "uniform", "l2": 0.25, "seed": 9,
                      "dtype": "float32"}
    again = Network(**config)
    assert all(np.array_equal(W, W2) for (W, _), (W2, _) in
               zip(net.parameters(), again.parameters()))
    assert repr(Network([3, 4, 2])) == "Network([3, 4, 2], sigmoid/mse, 26 parameters, float64)"
    assert "relu,softmax/cross_entropy" in repr(net)
    assert net.layer_sizes == (3, 4, 2) and net.l2 == 0.25 and net.dtype == "float32"


def test_dump_prints_every_layer(capsys):
    Network([3, 4, 2], seed=1).dump()
    out = capsys.readouterr().out
    assert "layer 1: 3 -> 4, sigmoid" in out and "layer 2: 4 -> 2, sigmoid" in out


def test_public_names():
    assert "softmax" in vectorized.OUTPUT_ACTIVATIONS
    assert "softmax" not in vectorized.HIDDEN_ACTIVATIONS
    assert tuple(vectorized.LOSSES) == ("mse", "cross_entropy", "hinge")
    assert vectorized.INITS == ("uniform", "xavier", "he")


# -- float32 -------------------------------------------------------------------------------


def test_float32_stays_float32_and_agrees_with_float64():
    net64, labels, data = net_and_data(dict(activation="tanh", output="softmax",
                                            loss="cross_entropy", l2=0.01))
    net32 = Network([4, 5, 3], activation="tanh", output="softmax", loss="cross_entropy",
                    l2=0.01, seed=0, dtype="float32")
    assert all(W.dtype == b.dtype == np.float32 for W, b in net32.parameters())
    assert net32.predict(data).dtype == np.float32  # float64 input is cast
    assert net32.predict(data[0].tolist()).dtype == np.float32
    assert all(dW.dtype == np.float32 for dW, _ in net32.get_gradient(labels, data))
    net32.train(labels, data, np.float64(0.1), 3, batch_size=3)
    net32.train_one_sample(labels[0], data[0], 0.1)
    net64.train(labels, data, 0.1, 3, batch_size=3)
    net64.train_one_sample(labels[0], data[0], 0.1)
    net32.get_gradient(labels[0], data[0])  # forms W_grad again
    for layer in net32.layers:
        assert layer.W.dtype == layer.b.dtype == layer.W_grad.dtype == np.float32
    for (W32, _), (W64, _) in zip(net32.parameters(), net64.parameters()):
        assert np.allclose(W32, W64, atol=1e-5)


def test_float32_rejects_values_that_overflow_it():
    net = Network([2, 1], dtype="float32")
    with pytest.raises(ValueError, match="non-finite"):
        net.predict([1e300, 0.0])
