"""``vectorized.fast`` on CNNs and dropout: its fused step (fully connected layers by
``sgd_step``, conv layers by their own phases) and its conv ``error_below`` (batch-last layout)
give the textbook engine's numbers. Both engines of vectorized draw dropout masks from the same
NumPy generator, so here, unlike against neurons, dropout is compared too."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vectorized
import vectorized.fast
from tests.cnn_strategies import cnn_configs, cnn_data
from tests.helpers import close, flat
from vectorized.fast import conv as fast_conv

DROPOUT_NET = dict(layer_sizes=["1x8x8", "conv3x3", "pool2", "conv4x2p1", 6, "drop0.5", 5,
                                "drop0.25", 3],
                   activation="relu", output="softmax", loss="cross_entropy", init="he",
                   l2=0.01, seed=5)


def train_both(config, batch_size, epochs=2, n=6, rate=0.1, seed=0):
    textbook, fast = vectorized.Network(**config), vectorized.fast.Network(**config)
    labels, samples = cnn_data(textbook, n, seed)
    losses = [net.train(labels, samples, rate, epochs, batch_size=batch_size)
              for net in (textbook, fast)]
    return textbook, fast, losses


@given(cnn_configs(), st.integers(1, 4), st.integers(0, 2**16))
def test_fast_trains_every_cnn_as_the_textbook_does(config, batch_size, seed):
    textbook, fast, (loss_t, loss_f) = train_both(config, batch_size, seed=seed)
    after_t, after_f = flat(textbook.parameters()), flat(fast.parameters())
    if not all(map(math.isfinite, after_t + after_f)):
        return  # diverged: nothing to compare
    close(after_t, after_f, 1e-9)
    assert math.isclose(loss_t, loss_f, rel_tol=1e-9, abs_tol=1e-9)
    # the same masks were drawn: the generators are in the same state
    if textbook.dropout_rng is not None:
        assert textbook.dropout_rng.random() == fast.dropout_rng.random()


@pytest.mark.parametrize("batch_size", [1, 3])
def test_the_fused_step_runs_on_a_dropout_cnn(batch_size):
    textbook, fast, _ = train_both(DROPOUT_NET, batch_size)
    close(flat(textbook.parameters()), flat(fast.parameters()), 1e-9)
    full = [layer for layer in fast._layers
            if isinstance(layer, vectorized.fast.FullConnectedLayer)]
    assert len(full) == 3 and all(layer.W_grad is None for layer in full)  # sgd_step, no gradient
    assert sum(isinstance(layer, fast_conv.ConvLayer) for layer in fast._layers) == 2


def values(array):
    return np.ravel(array).tolist()


@given(st.integers(1, 3), st.integers(1, 3), st.integers(3, 8), st.integers(1, 3),
       st.integers(1, 2), st.integers(0, 2), st.integers(1, 3), st.integers(0, 2**16))
def test_a_batch_last_conv_layer_matches_the_textbook(C, F, H, K, S, P, N, seed):
    """The fast conv layer on (C, H, W, N) maps: forward, error_below and the step give the
    textbook layer's numbers on (N, C, H, W)."""
    K, P = min(K, H), min(P, min(K, H) - 1)
    rng = np.random.default_rng(seed)
    shape = (C, H, H + 1)
    textbook = vectorized.conv.ConvLayer(shape, F, K, zero_padding=P, stride=S, activator="tanh")
    fast = fast_conv.ConvLayer(shape, F, K, P, S, "tanh")
    x = rng.uniform(-1, 1, (N,) + shape)
    error = rng.uniform(-1, 1, (N,) + textbook.output_shape)
    textbook.W[...] = fast.W[...] = rng.uniform(-1, 1, textbook.W.shape)
    textbook.b[...] = fast.b[...] = rng.uniform(-1, 1, F)
    last = (1, 2, 3, 0)  # (N, C, H, W) → (C, H, W, N)
    close(values(textbook.forward(x).transpose(last)),
          values(fast.forward(np.ascontiguousarray(x.transpose(last)))), 1e-12)
    textbook.backward_error(error)
    fast.hidden_delta(error.transpose(last))
    close(values(textbook.error_below().transpose(last)), values(fast.error_below()), 1e-12)
    textbook.calc_gradient(0.1)
    textbook.update(0.5)
    fast.sgd_step(fast.delta, 0.5, 0.1)
    close(values(textbook.W), values(fast.W), 1e-12)
    close(values(textbook.b), values(fast.b), 1e-12)


def test_the_comparison_catches_a_wrong_error_below(monkeypatch):
    original = fast_conv.ConvLayer.error_below
    monkeypatch.setattr(fast_conv.ConvLayer, "error_below", lambda self: original(self) * 1.001)
    textbook, fast, _ = train_both(DROPOUT_NET, 2)
    with pytest.raises(AssertionError):
        close(flat(textbook.parameters()), flat(fast.parameters()), 1e-9)


def test_the_comparison_catches_a_wrong_relu_derivative(monkeypatch):
    monkeypatch.setattr(vectorized.fast.activators, "relu_prime", lambda net, y: net >= -0.05)
    textbook, fast, _ = train_both(DROPOUT_NET, 2)
    with pytest.raises(AssertionError):
        close(flat(textbook.parameters()), flat(fast.parameters()), 1e-9)


@pytest.mark.parametrize("batch_size", [1, 4])
def test_a_fully_connected_network_with_dropout_takes_the_fused_step_too(batch_size):
    config = dict(layer_sizes=[6, 5, "drop0.5", 4, "drop0.2", 3], activation=["sigmoid", "tanh"],
                  output="sigmoid", loss="mse", l2=0.05, seed=2)
    textbook, fast, losses = train_both(config, batch_size, epochs=3, n=8, rate=0.3)
    close(flat(textbook.parameters()), flat(fast.parameters()), 1e-9)
    assert math.isclose(*losses, rel_tol=1e-9)
    assert all(layer.W_grad is None for layer in fast._layers if layer.W is not None)


def test_one_sample_steps_held_by_a_large_layer_after_a_conv_layer():
    """A fully connected layer of more than DEFER_ABOVE_BYTES after conv/pool holds its
    one-sample steps (vectorized.fast.deferred); the CNN's step goes through it unchanged."""
    config = dict(layer_sizes=["1x12x12", "conv8x3", 200, "drop0.3", 4], activation="relu",
                  output="softmax", loss="cross_entropy", init="he", l2=0.01, seed=3)
    textbook, fast = vectorized.Network(**config), vectorized.fast.Network(**config)
    big = fast._layers[1]
    assert big.W.nbytes > vectorized.fast.layer.DEFER_ABOVE_BYTES
    labels, samples = cnn_data(textbook, 20, 7)
    for t, x in zip(labels, samples):
        for net in (textbook, fast):
            net.train_one_sample(t, x, 0.05)
    assert big._deferred  # steps are being held at this moment
    close(flat(textbook.parameters()), flat(fast.parameters()), 1e-9)
