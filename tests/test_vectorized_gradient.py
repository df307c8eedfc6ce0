"""vectorized.Network.get_gradient against a central-difference numerical gradient (式6).

Small random networks drawn by hypothesis; every hidden activation and every output/loss pair.
The numerical gradient is tests.helpers.numerical_gradient, written apart from
neurons_lab.training.gradcheck.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.helpers import numerical_gradient
from vectorized import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, Network

RTOL = 1e-6
ATOL = 1e-8
KINK = 1e-4  # keep every kinked quantity at least this far from its kink
# f' jumps at net = 0; for elu f' is continuous (α = 1) but f'' jumps, so 式6 is only O(ε)
# accurate there (and he/xavier biases of 0 often put a net exactly at 0).
KINKED = {"relu", "leaky_relu", "selu", "elu"}

OUTPUT_LOSS_PAIRS = [(out, loss) for loss in ("mse", "hinge") for out in OUTPUT_ACTIVATIONS]
OUTPUT_LOSS_PAIRS.append(("softmax", "cross_entropy"))

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def assert_gradients_close(analytic, numeric):
    for (dW, db), (nW, nb) in zip(analytic, numeric):
        for a, n in ((dW, nW), (db, nb)):
            assert a.shape == n.shape
            bound = ATOL + RTOL * np.maximum(np.abs(a), np.abs(n))
            assert np.all(np.abs(a - n) <= bound), np.max(np.abs(a - n))


@st.composite
def cases(draw, hidden=None, output=None, loss=None):
    n_layers = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=n_layers, max_size=n_layers))
    if output == "softmax" or loss == "hinge":
        sizes[-1] = max(sizes[-1], 2)  # a one-class softmax/hinge has a constant loss
    n_hidden = n_layers - 2
    names = st.sampled_from(HIDDEN_ACTIVATIONS)
    activation = [hidden if hidden is not None else draw(names) for _ in range(n_hidden)]
    if hidden is not None and n_hidden == 0:
        sizes.insert(1, draw(st.integers(1, 6)))
        activation = [hidden]
    batch = draw(st.integers(0, 3))  # 0: one 1-D sample, else a batch of that many rows
    rows = max(batch, 1)
    values = st.floats(-2.0, 2.0, allow_nan=False)
    samples = np.array(draw(st.lists(values, min_size=rows * sizes[0],
                                     max_size=rows * sizes[0]))).reshape(rows, sizes[0])
    n_out = sizes[-1]
    if loss == "hinge":
        classes = draw(st.lists(st.integers(0, n_out - 1), min_size=rows, max_size=rows))
        labels = np.eye(n_out)[classes]
    elif loss == "cross_entropy":  # any non-negative target, not only one-hot
        labels = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=rows * n_out,
                                        max_size=rows * n_out))).reshape(rows, n_out)
    else:
        labels = np.array(draw(st.lists(values, min_size=rows * n_out,
                                        max_size=rows * n_out))).reshape(rows, n_out)
    if batch == 0:
        samples, labels = samples[0], labels[0]
    net = Network(sizes, activation=activation, output=output, loss=loss,
                  init=draw(st.sampled_from(["uniform", "xavier", "he"])),
                  l2=draw(st.sampled_from([0.0, 0.3])), seed=draw(st.integers(0, 2**32)))
    return net, labels, samples


def assume_away_from_kinks(net, labels, samples):
    output = net.predict(samples)
    activations = net.config()["activation"] + [net.config()["output"]]
    for layer, name in zip(net.layers, activations):
        if name in KINKED:
            assume(np.min(np.abs(layer.net)) > KINK)
    if net.config()["loss"] == "hinge":
        y, t = np.atleast_2d(output), np.atleast_2d(labels)
        c = np.argmax(t, axis=1)
        margins = y - y[np.arange(len(y)), c][:, None] + 1.0
        margins[np.arange(len(y)), c] = np.inf
        assume(np.min(np.abs(margins)) > KINK)


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@SETTINGS
@given(data=st.data())
def test_gradient_of_every_hidden_activation(hidden, data):
    net, labels, samples = data.draw(cases(hidden=hidden, output="sigmoid", loss="mse"))
    assume_away_from_kinks(net, labels, samples)
    assert_gradients_close(net.get_gradient(labels, samples),
                           numerical_gradient(net, labels, samples))


@pytest.mark.parametrize("output,loss", OUTPUT_LOSS_PAIRS)
@SETTINGS
@given(data=st.data())
def test_gradient_of_every_output_and_loss(output, loss, data):
    net, labels, samples = data.draw(cases(output=output, loss=loss))
    assume_away_from_kinks(net, labels, samples)
    assert_gradients_close(net.get_gradient(labels, samples),
                           numerical_gradient(net, labels, samples))


def test_the_check_can_fail():
    """A wrong gradient (the article's sign, −∂E/∂W) is caught by the helper."""
    net = Network([3, 4, 2], seed=3, l2=0.1)
    sample, label = np.array([0.5, -1.0, 2.0]), np.array([0.9, 0.1])
    wrong = [(-dW, -db) for dW, db in net.get_gradient(label, sample)]
    with pytest.raises(AssertionError):
        assert_gradients_close(wrong, numerical_gradient(net, label, sample))
