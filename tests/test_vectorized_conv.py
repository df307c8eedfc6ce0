"""vectorized.conv: ConvLayer and MaxPoolingLayer worked by hand, the tie rule, flatten order,
initialisation, dtypes and errors (gradient checks: test_vectorized_conv_gradient.py).

Reference values come from formula (1) written out as explicit loops here, independently of the
package's im2col; every checker is shown catching a deliberately wrong layer.
"""

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vectorized.conv import ConvLayer, MaxPoolingLayer
from vectorized.layer import FullConnectedLayer

X4 = np.arange(1.0, 17.0).reshape(1, 4, 4)  # x[y, x] = 4y + x + 1
W2 = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])  # one 2×2 filter
B2 = np.array([0.5])


def conv_by_formula(x, W, b, stride, padding):
    """Formula (1) as loops: out[f,y,x] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v]·in[c, yS+u−P, xS+v−P]."""
    C, H, Wd = x.shape
    F, _, K, _ = W.shape
    out_h, out_w = (H + 2 * padding - K) // stride + 1, (Wd + 2 * padding - K) // stride + 1
    out = np.zeros((F, out_h, out_w))
    for f in range(F):
        for y in range(out_h):
            for xx in range(out_w):
                total = b[f]
                for c in range(C):
                    for u in range(K):
                        for v in range(K):
                            i, j = y * stride + u - padding, xx * stride + v - padding
                            if 0 <= i < H and 0 <= j < Wd:  # zero outside the input
                                total += W[f, c, u, v] * x[c, i, j]
                out[f, y, xx] = total
    return out


def make_conv(x_shape, W, b, stride=1, padding=0, activator="identity", dtype="float64"):
    layer = ConvLayer(x_shape, W.shape[0], W.shape[2], zero_padding=padding, stride=stride,
                      activator=activator, dtype=dtype)
    layer.W[...], layer.b[...] = W, b
    return layer


# -- worked by hand -----------------------------------------------------------------------------

@pytest.mark.parametrize("stride, padding, expected", [
    # stride 1: out[y, x] = 40y + 10x + 44 + 0.5
    (1, 0, [[44.5, 54.5, 64.5], [84.5, 94.5, 104.5], [124.5, 134.5, 144.5]]),
    (2, 0, [[44.5, 64.5], [124.5, 144.5]]),
    # padding 1, stride 2: e.g. the corner sees only x[0,0]·W[1,1] = 4; the centre 6+14+30+44
    (2, 1, [[4.5, 18.5, 12.5], [46.5, 94.5, 44.5], [26.5, 44.5, 16.5]]),
])
def test_tiny_convolution_by_hand(stride, padding, expected):
    layer = make_conv((1, 4, 4), W2, B2, stride, padding)
    out = layer.forward(X4)
    assert out.tolist() == [expected]
    assert out.tolist() == conv_by_formula(X4, W2, B2, stride, padding).tolist()


def test_tiny_convolution_padding_1_stride_1():
    out = make_conv((1, 4, 4), W2, B2, 1, 1).forward(X4)
    assert out.shape == (1, 5, 5)
    # corners: only one weight meets the input: 4·1, 3·4, 2·13, 1·16
    assert [out[0, 0, 0], out[0, 0, 4], out[0, 4, 0], out[0, 4, 4]] == [4.5, 12.5, 26.5, 16.5]
    assert out.tolist() == conv_by_formula(X4, W2, B2, 1, 1).tolist()


def test_tiny_convolution_backward_by_hand():
    """δ = 1 everywhere (E = −Σ net): W_grad[u,v] = −Σ of the inputs that weight met,
    b_grad = −(number of positions), and −∂E/∂x[i,j] = Σ of the weights that met x[i,j]."""
    layer = make_conv((1, 4, 4), W2, B2)
    layer.forward(X4)
    layer.backward_error(np.ones((1, 3, 3)))  # identity activation: δ = error
    layer.calc_gradient()
    error = layer.error_below()
    assert layer.W_grad.tolist() == [[[[-54.0, -63.0], [-90.0, -99.0]]]]  # −(1+2+3+5+…+11) …
    assert layer.b_grad.tolist() == [-9.0]
    assert error.tolist() == [[[1, 3, 3, 2], [4, 10, 10, 6], [4, 10, 10, 6], [3, 7, 7, 4]]]


@given(st.data())
def test_forward_matches_formula(data):
    C, F, K = (data.draw(st.integers(1, 3)) for _ in range(3))
    S, P = data.draw(st.integers(1, 3)), data.draw(st.integers(0, K - 1))
    H, Wd = (data.draw(st.integers(max(1, K - 2 * P), 7)) for _ in range(2))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((2, C, H, Wd))
    W, b = rng.standard_normal((F, C, K, K)), rng.standard_normal(F)
    out = make_conv((C, H, Wd), W, b, S, P).forward(x)
    for n in range(2):
        np.testing.assert_allclose(out[n], conv_by_formula(x[n], W, b, S, P), rtol=1e-12,
                                   atol=1e-12)


def test_formula_checker_catches_a_wrong_convolution():
    """conv_by_formula would notice a true convolution (flipped kernel) in place of formula (1)."""
    flipped = W2[:, :, ::-1, ::-1]
    assert make_conv((1, 4, 4), flipped, B2).forward(X4).tolist() != \
        conv_by_formula(X4, W2, B2, 1, 0).tolist()


# -- pooling: the tie rule, rounding, flatten order ---------------------------------------------

def routed_positions(pool, x):
    """Where δ = 1 of each window lands: the (c, i, j) positions that get a nonzero."""
    pool.forward(x)
    pool.backward_error(np.ones(pool.output.shape))
    return [tuple(p) for p in np.argwhere(pool.error_below())]


def test_max_pool_routes_delta_to_the_first_maximum():
    x = np.array([[[3.0, 5.0, 7.0, 7.0],
                   [5.0, 1.0, 7.0, 7.0]]])  # windows: a tie on the anti-diagonal, all equal
    pool = MaxPoolingLayer((1, 2, 4), 2)
    assert pool.forward(x).tolist() == [[[5.0, 7.0]]]
    assert routed_positions(pool, x) == [(0, 0, 1), (0, 0, 2)]  # first in row-major order
    assert pool.argmax.tolist() == [[[1, 0]]]  # u·K + v of each window's winner


class LastMaxPool(MaxPoolingLayer):
    """Wrong on purpose: routes δ to the last maximum of each window."""

    def forward(self, x):
        out = super().forward(x)
        flipped = self.windows(x)[..., ::-1]
        self.argmax = self.pool_size ** 2 - 1 - flipped.argmax(axis=-1)
        return out


def test_tie_checker_catches_the_last_maximum():
    x = np.array([[[3.0, 5.0], [5.0, 1.0]]])
    assert routed_positions(LastMaxPool((1, 2, 2), 2), x) == [(0, 1, 0)]  # != [(0, 0, 1)]


def test_max_pool_rounds_down_and_ignores_the_rest():
    x = np.arange(35.0).reshape(1, 5, 7)
    pool = MaxPoolingLayer((1, 5, 7), 2)
    assert pool.forward(x).tolist() == [[[8.0, 10.0, 12.0], [22.0, 24.0, 26.0]]]
    pool.backward_error(np.ones((1, 2, 3)))
    assert pool.error_below()[0, 4].tolist() == [0.0] * 7  # last row unused


def test_flatten_order_is_row_major_from_chw():
    """A fully connected layer above a map reads it as PyTorch's flatten of NCHW:
    value [c, y, x] is input c·H·W + y·W + x."""
    rng = np.random.default_rng(0)
    maps = rng.standard_normal((2, 3, 2, 4))  # (N, C, H, W)
    fc = FullConnectedLayer(24, 1, "identity")
    fc.W[...] = 0.0
    fc.W[0, 1 * 8 + 1 * 4 + 2] = 1.0  # picks [c=1, y=1, x=2]
    assert fc.forward(maps.reshape(2, -1))[:, 0].tolist() == maps[:, 1, 1, 2].tolist()


# -- layer details ------------------------------------------------------------------------------

def test_initialize_draws_weights_row_major_then_biases():
    layer = ConvLayer((2, 5, 5), 3, 2)
    layer.initialize(random.Random(7), "uniform")
    rng = random.Random(7)
    drawn = [rng.uniform(-0.1, 0.1) for _ in range(3 * 2 * 2 * 2 + 3)]
    assert layer.W.ravel().tolist() == drawn[:24] and layer.b.tolist() == drawn[24:]
    he = ConvLayer((2, 5, 5), 3, 2)
    rng = random.Random(7)
    he.initialize(rng, "he")
    after = rng.random()
    rng = random.Random(7)
    bound = (6.0 / (2 * 2 * 2)) ** 0.5  # fan_in = C·K·K
    assert he.W.ravel().tolist() == [rng.uniform(-bound, bound) for _ in range(24)]
    assert he.b.tolist() == [0.0] * 3 and rng.random() == after  # biases not drawn
    xavier = ConvLayer((2, 5, 5), 3, 2)
    xavier.initialize(random.Random(7), "xavier")
    assert np.abs(xavier.W).max() <= (6.0 / (8 + 12)) ** 0.5  # fan_out = F·K·K


def test_single_map_equals_batch_of_one_and_float32_stays_float32():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, 6))
    conv = ConvLayer((2, 6, 6), 3, 3, zero_padding=1, stride=2, activator="tanh")
    conv.initialize(random.Random(0))
    single, batch = conv.forward(x), conv.forward(x[None])[0]
    np.testing.assert_array_equal(single, batch)
    conv32 = ConvLayer((2, 6, 6), 3, 3, zero_padding=1, stride=2, activator="tanh",
                       dtype="float32")
    conv32.W[...], conv32.b[...] = conv.W, conv.b
    out32 = conv32.forward(x[None].astype(np.float32))
    conv32.backward_error(np.ones_like(out32))
    conv32.calc_gradient(l2=0.1)
    back32 = conv32.error_below()
    assert out32.dtype == back32.dtype == conv32.W_grad.dtype == conv32.b_grad.dtype == np.float32
    np.testing.assert_allclose(out32, batch[None], rtol=1e-5, atol=1e-6)
    pool32 = MaxPoolingLayer((3, 3, 3), 2, dtype="float32")
    assert pool32.backward_error(pool32.forward(out32)).dtype == np.float32
    assert pool32.error_below().dtype == np.float32


def test_update_and_l2_only_on_weights():
    conv = make_conv((1, 4, 4), W2, B2)
    conv.forward(X4)
    conv.backward_error(np.ones((1, 3, 3)))
    conv.calc_gradient(l2=0.5)
    assert conv.W_grad.tolist() == [[[[-53.5, -62.0], [-88.5, -97.0]]]]  # −Σx + λW
    assert conv.b_grad.tolist() == [-9.0]
    conv.update(0.1)
    np.testing.assert_allclose(conv.W, W2 - 0.1 * conv.W_grad)
    assert conv.b.tolist() == [0.5 + 0.9]


def _pooled(shape, size):
    pool = MaxPoolingLayer(shape, size)
    pool.forward(np.ones(shape))
    return pool


@pytest.mark.parametrize("build, match", [
    (lambda: ConvLayer((1, 4, 4), 0, 2), "at least 1"),
    (lambda: ConvLayer((1, 4, 4), 2, 5), "does not fit the 4x4 input"),
    (lambda: ConvLayer((1, 4, 4), 2, 2, zero_padding=2), "zero_padding must be in"),
    (lambda: ConvLayer((1, 4), 2, 2), "input_shape must be"),
    (lambda: ConvLayer((1, 4, 4), 2, 2, activator="softmax"), "softmax"),
    (lambda: MaxPoolingLayer((1, 4, 4), 5), "pooling 5x5 leaves nothing"),
    (lambda: make_conv((1, 4, 4), W2, B2).forward(np.ones((2, 4, 4))), r"expected \(1, 4, 4\)"),
    (lambda: _pooled((1, 4, 4), 2).backward(np.ones(2)), "error has shape"),
])
def test_bad_construction_and_shapes(build, match):
    with pytest.raises(ValueError, match=match):
        build()
