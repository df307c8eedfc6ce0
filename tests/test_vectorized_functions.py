"""vectorized.activators / vectorized.losses against the scalar reference in neurons."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurons import activators as scalar_act
from neurons import losses as scalar_loss
from tests.helpers import check_sigmoid, sigmoid_test_points
from tests.strategies import OUTPUT_LOSS
from vectorized import activators, losses

RTOL = 1e-15

# Includes values whose naive exp would overflow, zero and tiny values near the relu kink.
EDGE = [-800.0, -50.0, -1.0, -1e-300, -0.0, 0.0, 1e-300, 1e-8, 0.5, 3.0, 50.0, 800.0]


def close(a, b):
    return abs(a - b) <= RTOL * max(1.0, abs(b))


@pytest.mark.parametrize("name", activators.HIDDEN_ACTIVATIONS)
@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.floats(-40.0, 40.0, allow_nan=False), min_size=1, max_size=8))
def test_activation_and_derivative_match_the_scalar_reference(name, values):
    f, f_prime = activators.get_activator(name)
    ref_f, ref_prime = scalar_act.get_activator(name)
    x = np.array(values + EDGE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning anywhere (sigmoid split by sign)
        y = f(x)
        d = f_prime(x, y)
    assert y.shape == d.shape == x.shape
    for xi, yi, di in zip(x, y, d):
        assert close(yi, ref_f(float(xi))), (name, xi)
        assert close(di, ref_prime(float(xi), ref_f(float(xi)))), (name, xi)


def test_relu_like_derivatives_use_strict_inequality():
    x = np.array([0.0, -0.0])
    for name, at_zero in [("relu", 0.0), ("leaky_relu", 0.01), ("selu", None)]:
        f, f_prime = activators.get_activator(name)
        d = f_prime(x, f(x))
        expected = at_zero if at_zero is not None else activators.SELU_SCALE * activators.SELU_ALPHA
        assert np.all(d == expected), name


@pytest.mark.parametrize("name", activators.HIDDEN_ACTIVATIONS)
def test_activations_keep_float32(name):
    f, f_prime = activators.get_activator(name)
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    y = f(x)
    assert y.dtype == np.float32 and f_prime(x, y).dtype == np.float32


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.floats(-700.0, 700.0, allow_nan=False), min_size=1, max_size=8))
def test_softmax_matches_reference_and_rows_are_independent(values):
    x = np.array(values)
    y = activators.softmax(x)
    ref = scalar_act.softmax(values)
    assert all(close(a, b) for a, b in zip(y, ref))
    batch = activators.softmax(np.stack([x, x + 1000.0, -x]))
    assert np.allclose(batch[0], y, rtol=0, atol=1e-15)
    assert np.allclose(batch[1], y, rtol=0, atol=1e-12)  # x + 1000 rounds x; still finite
    assert np.allclose(batch[2], scalar_act.softmax([-v for v in values]), rtol=0, atol=1e-15)


targets = st.integers(1, 6).flatmap(
    lambda k: st.tuples(
        st.lists(st.floats(1e-6, 1.0), min_size=k, max_size=k),
        st.lists(st.sampled_from([0.0, 0.1, 0.9, 1.0, 0.5]), min_size=k, max_size=k),
    )
)


@pytest.mark.parametrize("name", tuple(losses.LOSSES))
@settings(max_examples=60, deadline=None)
@given(pair=targets)
def test_losses_and_gradients_match_the_scalar_reference(name, pair):
    y, t = pair
    E, grad = losses.get_loss(name)
    ref_E, ref_grad = scalar_loss.get_loss(name)
    assert close(float(E(np.array(y), np.array(t))), ref_E(y, t))
    g = grad(np.array(y), np.array(t))
    assert all(close(a, b) for a, b in zip(g, ref_grad(y, t)))
    # a batch gives one loss per row, the same numbers
    batch = E(np.array([y, y]), np.array([t, t]))
    assert batch.shape == (2,) and close(batch[1], ref_E(y, t))


def test_hinge_ties_pick_the_first_index_and_kink_is_strict():
    t = np.array([0.0, 1.0, 1.0])
    y = np.array([0.5, 0.2, 0.2])  # c = 1; margin of k=2 is exactly 1, of k=0 is 1.3
    assert losses.correct_class(t) == 1
    assert math.isclose(float(losses.hinge(y, t)), 2.3)
    assert list(losses.hinge_grad(y, t)) == [1.0, -2.0, 1.0]
    y = np.array([0.0, 1.0, 0.0])  # margins exactly 0: not counted (strict > 0)
    assert float(losses.hinge(y, t)) == 0.0
    assert list(losses.hinge_grad(y, t)) == [0.0, 0.0, 0.0]


def test_cross_entropy_ignores_zero_targets_and_never_takes_log_zero():
    y = np.array([0.0, 1.0])
    t = np.array([0.0, 1.0])
    assert float(losses.cross_entropy(y, t)) == 0.0
    t = np.array([1.0, 0.0])
    assert float(losses.cross_entropy(y, t)) == pytest.approx(-math.log(1e-300))
    assert np.isfinite(losses.cross_entropy(np.float32([0.0, 1.0]), np.float32([1.0, 0.0])))


def test_output_delta_worked_by_hand():
    """式7 itself (sigmoid, mse): δ = y(1 − y)(t − y); softmax + cross-entropy fused:
    δ = t − y Σt (here t is not one-hot)."""
    net = np.array([0.0, np.log(3.0)])
    y = 1.0 / (1.0 + np.exp(-net))  # 0.5, 0.75
    t = np.array([1.0, 0.0])
    delta = losses.output_delta("sigmoid", "mse", net, y, t)
    np.testing.assert_allclose(delta, [0.5 * 0.5 * 0.5, 0.75 * 0.25 * -0.75], rtol=1e-15)
    y = np.array([[0.2, 0.3, 0.5]])
    t = np.array([[0.0, 2.0, 0.0]])
    delta = losses.output_delta("softmax", "cross_entropy", np.log(y), y, t)
    np.testing.assert_allclose(delta, [[-0.4, 1.4, -1.0]], rtol=1e-15)


@pytest.mark.parametrize("output,loss", OUTPUT_LOSS)
def test_output_delta_is_minus_the_numerical_derivative_of_E(output, loss):
    """For every output activation × loss: output_delta = −∂E/∂net, checked against central
    differences (式6) of E(f(net), t) for each net_j, on a batch of two rows."""
    rng = np.random.default_rng(7)
    net = rng.normal(0.0, 1.0, (2, 4))
    t = np.array([[0.1, 0.9, 0.1, 0.1], [0.0, 0.0, 1.0, 0.0]])
    f = activators.softmax if output == "softmax" else activators.ACTIVATORS[output][0]
    E = losses.LOSS_FUNCTIONS[loss][0]
    delta = losses.output_delta(output, loss, net, f(net), t)
    h = 1e-6
    for n in range(2):
        for j in range(4):
            plus, minus = net.copy(), net.copy()
            plus[n, j] += h
            minus[n, j] -= h
            numeric = (E(f(plus[n]), t[n]) - E(f(minus[n]), t[n])) / (2 * h)
            assert delta[n, j] == pytest.approx(-numeric, rel=1e-6, abs=1e-8), (n, j)


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_matches_the_two_branch_formula_without_warnings(dtype, batch):
    """1/(1 + e^−x) agrees with the overflow-free two-branch form to a few ulps, is exact at
    the extremes (e^−x = inf gives 0), and raises no warning there, for a sample and a batch.
    (tests/test_fast_activators.py runs the same on the fast engine's expit.)"""
    x = sigmoid_test_points(dtype)
    if batch:
        x = x.reshape(5, -1)
    check_sigmoid(activators.sigmoid, x)
