"""neurons CNNs: get_gradient agrees with central differences (式6) on tiny random CNNs drawn by
hypothesis (every activation, output/loss pair, init, stride, padding, pooling, dropout, L2),
and the check is shown catching wrong gradients."""

import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import neurons
from neurons.pool import PoolConnection
from neurons.shared import SharedWeight
from tests.neurons_cnn_strategies import (
    cnn_configs,
    cnn_data,
    flat,
    near_kink,
    numerical_gradient,
    scale_conv_weights,
    worst_mismatch,
)


def mismatch(net, label, sample):
    """How far get_gradient is from 式6 (≤ 1 agrees to 1e-6 relative)."""
    analytic = flat(net.get_gradient(label, sample))
    return worst_mismatch(analytic, numerical_gradient(net, label, sample))


@given(cnn_configs(dropout=("drop0", "drop0.5")), st.data())
def test_cnn_gradient_matches_central_differences(config, data):
    net = neurons.Network(**config)
    scale_conv_weights(net, 10.0)  # U(−0.1, 0.1) alone makes tiny conv gradients
    (label,), (sample,) = data.draw(cnn_data(net))
    assume(not near_kink(net, label, sample))
    assert mismatch(net, label, sample) <= 1.0, config


def test_article_like_cnn_gradient():
    net = neurons.Network(["1x6x6", "conv2x3", "pool2", 3, 2], activation=["relu", "tanh"],
                          output="softmax", loss="cross_entropy", l2=0.01, seed=3)
    scale_conv_weights(net, 10.0)
    rng = random.Random(0)
    sample = [rng.uniform(-1.0, 1.0) for _ in range(36)]
    assert not near_kink(net, [0.0, 1.0], sample)
    assert mismatch(net, [0.0, 1.0], sample) <= 1.0


def _last_use_only(self, l2=0.0):  # a shared weight's gradient from its last use, no sum
    self.gradient = self.connections[-1].gradient


def _decays_bias(self, l2=0.0):  # λw on the biases as well
    self.gradient = l2 * self.weight + sum(conn.gradient for conn in self.connections)


BROKEN = {
    "no sum": (SharedWeight, "calc_gradient", _last_use_only),
    "decayed bias": (SharedWeight, "calc_gradient", _decays_bias),
    # the pool's δ spread over its whole window instead of the winner alone
    "spread": (PoolConnection, "weight", property(lambda self: 0.25)),
}


@pytest.mark.parametrize("slip", sorted(BROKEN))
def test_gradient_check_catches_wrong_gradients(monkeypatch, slip):
    config = dict(layer_sizes=["1x4x4", "conv2x2", "pool2", 2], activation=["tanh"],
                  l2=0.1, seed=1)
    label, sample = [0.2, 0.7], [((3 * k) % 5) / 2.0 - 1.0 for k in range(16)]
    good = neurons.Network(**config)
    assert mismatch(good, label, sample) <= 1.0
    monkeypatch.setattr(*BROKEN[slip])
    assert mismatch(neurons.Network(**config), label, sample) > 1.0
