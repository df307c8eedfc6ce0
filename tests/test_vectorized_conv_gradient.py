"""Central-difference gradient checks (式6) of ConvLayer, MaxPoolingLayer and a conv → pool → FC
chain assembled by hand, on random small shapes drawn by hypothesis (channels 1–3, stride,
padding, pooling, every hidden activation, l2). Each checker is shown failing on a wrong layer.

The function differentiated is the one the layers' gradients belong to: for a batch of N,
``E_total = (1/N) Σ_n ½‖y_n − t_n‖² + λ/2 Σ W²``; ``W_grad``/``b_grad`` are ``∂E_total/∂W, b``
and the error a layer returns for sample n is ``−∂E_n/∂x_n`` (so ``−error/N`` is
``∂E_total/∂x``).
"""

import random

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vectorized.activators import HIDDEN_ACTIVATIONS
from vectorized.conv import ConvLayer, MaxPoolingLayer
from vectorized.layer import FullConnectedLayer
from vectorized.losses import output_delta

EPS, RTOL, ATOL = 1e-6, 1e-6, 1e-8
KINK = 1e-4  # keep every kinked quantity at least this far from its kink
KINKED = {"relu", "leaky_relu", "selu", "elu"}


def numerical(f, array, eps=EPS):
    """式6 for every entry of ``array`` (perturbed in place, then restored)."""
    grad = np.zeros_like(array)
    for position in np.ndindex(array.shape):
        old = array[position]
        array[position] = old + eps
        plus = f()
        array[position] = old - eps
        minus = f()
        array[position] = old
        grad[position] = (plus - minus) / (2.0 * eps)
    return grad


def assert_close(analytic, numeric, what, loss=0.0):
    """Each entry within RTOL relative, or ATOL relative to the array's largest entry, plus the
    rounding of E itself: a few ulp of E over 2ε (E ≈ 89 gives 7e-9 per ulp), which limits
    small entries when E is large."""
    assert analytic.shape == numeric.shape, what
    scale = max(1.0, float(np.max(np.abs(numeric))))
    rounding = 8 * np.spacing(abs(loss)) / (2 * EPS)
    bound = ATOL * scale + rounding + RTOL * np.maximum(np.abs(analytic), np.abs(numeric))
    worst = np.max(np.abs(analytic - numeric))
    assert np.all(np.abs(analytic - numeric) <= bound), f"{what}: off by {worst}"


def check_chain(layers, x, t, l2):
    """Run ``layers`` (flattening before a FullConnectedLayer) forward and backward as a network
    would, and compare every W_grad, b_grad and the input error with 式6."""
    n = x.shape[0]

    def forward():
        a = x
        for layer in layers:
            a = layer.forward(a.reshape(n, -1) if isinstance(layer, FullConnectedLayer) else a)
        return a

    def total_loss():
        penalty = sum(float(np.sum(lay.W * lay.W)) for lay in layers if lay.W is not None)
        return 0.5 * float(np.sum((forward() - t) ** 2)) / n + 0.5 * l2 * penalty

    y = forward()
    top = layers[-1]
    if isinstance(top, FullConnectedLayer):  # 式7 for ½‖y − t‖², as Network.calc_delta
        top.delta = output_delta(top.activator, "mse", top.net, y, t)
    else:
        top.backward_error(t - y)  # −∂E_n/∂y_n = t − y
    for layer, above in zip(layers[-2::-1], layers[:0:-1]):  # as Network.calc_delta
        if isinstance(above, FullConnectedLayer):
            layer.backward(above.delta, above.W)
        else:
            layer.backward_error(above.error_below().reshape(layer.output.shape))
    for layer in layers:
        layer.calc_gradient(l2)
    grads = [(lay.W_grad.copy(), lay.b_grad.copy()) for lay in layers if lay.W is not None]
    first = layers[0]
    input_error = (first.delta @ first.W if isinstance(first, FullConnectedLayer)
                   else first.error_below()).reshape(x.shape)
    params = [(lay.W, lay.b) for lay in layers if lay.W is not None]
    E = total_loss()
    for k, ((W_grad, b_grad), (W, b)) in enumerate(zip(grads, params)):
        assert_close(W_grad, numerical(total_loss, W), f"W_grad of layer {k}", E)
        assert_close(b_grad, numerical(total_loss, b), f"b_grad of layer {k}", E)
    assert_close(-input_error / n, numerical(total_loss, x), "input error", E)


def kinks_away(layers, x):
    """False when a central difference could straddle a kink: a kinked activation's net near 0,
    or a pooling window whose two largest values are within KINK of each other."""
    a = x
    for layer in layers:
        if isinstance(layer, FullConnectedLayer):
            a = a.reshape(x.shape[0], -1)
        a = layer.forward(a)
        if getattr(layer, "activator", None) in KINKED and np.min(np.abs(layer.net)) < KINK:
            return False
        if isinstance(layer, MaxPoolingLayer) and layer.pool_size > 1:
            top2 = np.sort(layer.windows(layer.input), axis=-1)[..., -2:]
            if np.min(top2[..., 1] - top2[..., 0]) < KINK:
                return False
    return True


@st.composite
def conv_layers(draw, shape=None):
    C = draw(st.integers(1, 3)) if shape is None else shape[0]
    F, K = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    S, P = draw(st.integers(1, 2)), draw(st.integers(0, K - 1))
    if shape is None:
        shape = (C,) + tuple(draw(st.integers(max(1, K - 2 * P), 6)) for _ in range(2))
    layer = ConvLayer(shape, F, K, zero_padding=P, stride=S,
                      activator=draw(st.sampled_from(HIDDEN_ACTIVATIONS)))
    layer.initialize(random.Random(draw(st.integers(0, 2**32 - 1))),
                     draw(st.sampled_from(("uniform", "xavier", "he"))))
    layer.W *= 5.0  # uniform(−0.1, 0.1) alone makes tiny gradients
    return layer


def inputs(layer, batch, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-2.0, 2.0, (batch,) + layer.input_shape)


@given(conv_layers(), st.integers(1, 3), st.sampled_from((0.0, 0.1)), st.integers(0, 2**32 - 1))
def test_conv_layer_gradient(conv, batch, l2, seed):
    x = inputs(conv, batch, seed)
    assume(kinks_away([conv], x))
    t = np.random.default_rng(seed + 1).uniform(-1.0, 1.0, (batch,) + conv.output_shape)
    check_chain([conv], x, t, l2)


@given(st.integers(1, 3), st.integers(1, 7), st.integers(1, 7), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_max_pooling_gradient(C, H, W, K, batch, seed):
    assume(H >= K and W >= K)
    pool = MaxPoolingLayer((C, H, W), K)
    x = inputs(pool, batch, seed)
    assume(kinks_away([pool], x))
    t = np.random.default_rng(seed + 1).uniform(-1.0, 1.0, (batch,) + pool.output_shape)
    check_chain([pool], x, t, 0.0)


@given(st.data())
def test_conv_pool_fc_chain_gradient(data):
    conv = data.draw(conv_layers())
    _, H, W = conv.output_shape
    K = data.draw(st.integers(1, min(H, W, 2)))
    pool = MaxPoolingLayer(conv.output_shape, K)
    out = data.draw(st.integers(1, 3))
    fc = FullConnectedLayer(int(np.prod(pool.output_shape)), out,
                            data.draw(st.sampled_from(HIDDEN_ACTIVATIONS + ("softmax",))))
    fc.initialize(random.Random(data.draw(st.integers(0, 2**32 - 1))))
    fc.W[...] *= 5.0
    layers = [conv, pool, fc]
    batch, seed = data.draw(st.integers(1, 3)), data.draw(st.integers(0, 2**32 - 1))
    x = inputs(conv, batch, seed)
    assume(kinks_away(layers, x))
    assume(fc.activator not in KINKED or np.min(np.abs(fc.net)) > KINK)
    t = np.random.default_rng(seed + 1).uniform(0.0, 1.0, (batch, out))
    check_chain(layers, x, t, data.draw(st.sampled_from((0.0, 0.1))))


def test_single_map_gradient():
    """An unbatched (C, H, W) sample: the gradient is that of its own E (no mean)."""
    conv = ConvLayer((2, 5, 5), 2, 3, zero_padding=1, stride=2, activator="tanh")
    conv.initialize(random.Random(3))
    x = inputs(conv, 1, 4)
    conv.forward(x)
    conv.backward_error(np.ones((1,) + conv.output_shape))
    conv.calc_gradient()
    W_grad, b_grad = conv.W_grad.copy(), conv.b_grad.copy()
    conv.forward(x[0])
    conv.backward_error(np.ones(conv.output_shape))
    conv.calc_gradient()
    back = conv.error_below()
    np.testing.assert_array_equal(conv.W_grad, W_grad)
    np.testing.assert_array_equal(conv.b_grad, b_grad)
    assert back.shape == (2, 5, 5)


# -- the checkers catch wrong layers ------------------------------------------------------------

class NoMeanConv(ConvLayer):
    """Wrong on purpose: sums the gradient over the batch instead of taking the mean."""

    def calc_gradient(self, l2=0.0):
        super().calc_gradient(l2)
        self.W_grad *= self.delta.shape[0]
        return self.W_grad, self.b_grad


class UnshiftedCol2im(ConvLayer):
    """Wrong on purpose: col2im forgets the padding offset."""

    def col2im(self, columns, single=False):
        result = super().col2im(columns, single)
        return np.roll(result, self.zero_padding, axis=-1)


class CornerPool(MaxPoolingLayer):
    """Wrong on purpose: routes each δ to the window's top-left value."""

    def forward(self, x):
        out = super().forward(x)
        self.argmax = np.zeros_like(self.argmax)
        return out


class ColumnMajorPool(MaxPoolingLayer):
    """Wrong on purpose: unflattens the error from the fully connected layer above as (W, H, C)
    (column-major) instead of row-major (C, H, W)."""

    def backward(self, delta_above, W_above=None):
        if W_above is None:
            return super().backward(delta_above)
        C, H, W = self.output_shape
        error = (delta_above @ W_above).reshape(-1, W, H, C).transpose(0, 3, 2, 1)
        return super().backward(np.ascontiguousarray(error))


def _chain(conv_cls=ConvLayer, pool_cls=MaxPoolingLayer, fc_cls=FullConnectedLayer):
    conv = conv_cls((2, 6, 6), 2, 3, zero_padding=1, stride=1, activator="tanh")
    conv.initialize(random.Random(5))
    conv.W *= 5.0
    pool = pool_cls(conv.output_shape, 2)
    fc = fc_cls(2 * 3 * 3, 2, "sigmoid")
    fc.initialize(random.Random(6))
    fc.W[...] *= 5.0
    return [conv, pool, fc]


@pytest.mark.parametrize("kwargs", [{"conv_cls": NoMeanConv}, {"conv_cls": UnshiftedCol2im},
                                    {"pool_cls": CornerPool}, {"pool_cls": ColumnMajorPool}])
def test_gradient_checker_catches_a_wrong_backward(kwargs):
    x = inputs(ConvLayer((2, 6, 6), 1, 1), 2, 9)
    t = np.random.default_rng(10).uniform(0.0, 1.0, (2, 2))
    check_chain(_chain(), x, t, 0.1)  # the right layers pass
    with pytest.raises(AssertionError):
        check_chain(_chain(**kwargs), x, t, 0.1)
