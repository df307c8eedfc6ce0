"""Whole random small CNNs (hypothesis: channels 1–3, stride, padding, pooling, dropout, every
activation and output/loss, l2) against the central-difference gradient (式6); a batch's
gradient is the mean of its samples'; dropout is off in get_gradient; vectorized.fast trains
like the textbook engine to DESIGN.md's bounds. Each checker is shown catching a wrong answer.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import vectorized
import vectorized.fast
from tests.cnn_strategies import (
    assert_gradients_close,
    cnn_configs,
    cnn_data,
    near_kink,
    numerical_gradient,
    scale_weights,
)
from tests.helpers import not_diverged
from vectorized.conv import ConvLayer

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                          HealthCheck.filter_too_much])


def build(config, engine=vectorized):
    net = engine.Network(**config)
    scale_weights(net, 5.0)
    return net


@SETTINGS
@given(cnn_configs(), st.integers(0, 3), st.integers(0, 2**32 - 1))
def test_whole_cnn_gradient_matches_central_differences(config, batch, seed):
    """batch 0: one flat sample; 1–3: a batch (its mean gradient)."""
    net = build(config)
    t, x = cnn_data(net, max(batch, 1), seed)
    if batch == 0:
        t, x = t[0], x[0]
    assume(not near_kink(net, t, x))
    assert_gradients_close(net.get_gradient(t, x), numerical_gradient(net, t, x))


def assert_batch_is_the_mean(net, t, x):
    n = len(x)
    batch = net.get_gradient(t, x.reshape((n,) + net.input_shape))
    singles = [net.get_gradient(t[k], x[k]) for k in range(n)]
    l2_terms = [net.l2 * W for W, _ in net.parameters()]
    for k, ((dW, db), l2W) in enumerate(zip(batch, l2_terms)):
        mean_W = np.mean([s[k][0] - l2W for s in singles], axis=0) + l2W
        mean_b = np.mean([s[k][1] for s in singles], axis=0)
        np.testing.assert_allclose(dW, mean_W, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(db, mean_b, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(cnn_configs(), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_batch_gradient_is_the_mean_of_the_samples(config, n, seed):
    net = build(config)
    assert_batch_is_the_mean(net, *cnn_data(net, n, seed))


class SummingConv(ConvLayer):
    """Wrong on purpose: the batch's gradient is the sum over its samples, not the mean."""

    def calc_gradient(self, l2=0.0):
        super().calc_gradient(0.0)
        self.W_grad *= len(self.patches)
        self.W_grad += l2 * self.W
        return self.W_grad, self.b_grad


def test_mean_checker_catches_a_summed_batch():
    net = build({"layer_sizes": ["1x5x5", "conv2x3", 2], "seed": 2})
    t, x = cnn_data(net, 3, 0)
    assert_batch_is_the_mean(net, t, x)
    net.layers[0].__class__ = SummingConv
    with pytest.raises(AssertionError):
        assert_batch_is_the_mean(net, t, x)


def test_dropout_is_off_in_get_gradient():
    config = {"layer_sizes": ["2x5x5", "conv3x3", "pool2", 4, "drop0.5", 3],
              "activation": "tanh", "output": "softmax", "loss": "cross_entropy", "seed": 3}
    net = build(config)
    t, x = cnn_data(net, 2, 0)
    assert_gradients_close(net.get_gradient(t, x), numerical_gradient(net, t, x))


class NoL2Conv(ConvLayer):
    """Wrong on purpose: forgets λW in the conv gradient."""

    def calc_gradient(self, l2=0.0):
        return super().calc_gradient(0.0)


class StrideBlindConv(ConvLayer):
    """Wrong on purpose: col2im puts the columns back as if the stride were 1."""

    def col2im(self, columns, single=False):
        stride, self.stride = self.stride, 1
        try:
            return np.roll(super().col2im(columns, single), 1, axis=-1)
        finally:
            self.stride = stride


@pytest.mark.parametrize("wrong", [NoL2Conv, StrideBlindConv])
def test_gradient_checker_catches_a_wrong_conv(wrong):
    config = {"layer_sizes": ["2x6x6", "conv2x3s2p1", "conv2x2", 2], "activation": "tanh",
              "output": "sigmoid", "loss": "mse", "l2": 0.1, "seed": 4}
    net = build(config)
    t, x = cnn_data(net, 2, 1)
    assert_gradients_close(net.get_gradient(t, x), numerical_gradient(net, t, x))
    for layer in net.layers:
        if type(layer) is ConvLayer:
            layer.__class__ = wrong
    with pytest.raises(AssertionError):
        assert_gradients_close(net.get_gradient(t, x), numerical_gradient(net, t, x))


def assert_trained_alike(textbook, fast, bound=1e-9):
    """DESIGN.md: after the same training, parameters within ``bound`` (absolute, relative
    above 1)."""
    for (W, b), (W0, b0) in zip(fast.parameters(), textbook.parameters()):
        for a, e in ((W, W0), (b, b0)):
            assert np.all(np.abs(a - e) <= bound * np.maximum(1.0, np.abs(e))), \
                float(np.max(np.abs(a - e)))


@SETTINGS
@given(cnn_configs(), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_fast_engine_trains_like_the_textbook(config, batch_size, seed):
    textbook, fast = vectorized.Network(**config), vectorized.fast.Network(**config)
    t, x = cnn_data(textbook, 5, seed)
    np.testing.assert_allclose(fast.predict(x), textbook.predict(x), rtol=1e-12, atol=1e-12)
    textbook.train(t, x, 0.1, 2, batch_size)
    fast.train(t, x, 0.1, 2, batch_size)
    textbook.train_one_sample(t[0], x[0], 0.1)
    fast.train_one_sample(t[0], x[0], 0.1)
    after = [p for net in (textbook, fast) for pair in net.parameters() for p in pair]
    assume(not_diverged(np.concatenate([np.ravel(p) for p in after])))  # diverged
    assert_trained_alike(textbook, fast)


def test_agreement_checker_catches_a_different_step():
    config = {"layer_sizes": ["1x5x5", "conv2x2", "pool2", 3, 2], "seed": 1}
    textbook, fast = vectorized.Network(**config), vectorized.fast.Network(**config)
    t, x = cnn_data(textbook, 4, 2)
    textbook.train(t, x, 0.1, 1)
    fast.train(t, x, 0.1 * (1 + 1e-6), 1)
    with pytest.raises(AssertionError):
        assert_trained_alike(textbook, fast)
