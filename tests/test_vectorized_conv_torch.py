"""ConvLayer, MaxPoolingLayer and the flatten order against PyTorch (skipped without torch):
forward values and every gradient of conv → pool → flatten → linear, float64, random shapes.
Ties included: both route a window's gradient to its first maximum in row-major order."""

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vectorized.conv import ConvLayer, MaxPoolingLayer
from vectorized.layer import FullConnectedLayer

torch = pytest.importorskip("torch")
F = pytest.importorskip("torch.nn.functional")


@given(st.data())
def test_conv_pool_linear_agree_with_torch(data):
    C, N = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    filters, K = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    S, P = data.draw(st.integers(1, 2)), data.draw(st.integers(0, K // 2))  # torch: P ≤ K/2
    H, W = (data.draw(st.integers(max(K - 2 * P, 2), 7)) for _ in range(2))
    conv = ConvLayer((C, H, W), filters, K, zero_padding=P, stride=S, activator="identity")
    conv.initialize(random.Random(data.draw(st.integers(0, 2**32 - 1))))
    pool_k = data.draw(st.integers(1, min(conv.output_shape[1:])))
    # integers in a small range: exact arithmetic and many ties inside pooling windows
    x = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).integers(-2, 3, (N, C, H, W))
    conv.W[...] = np.round(conv.W * 20.0)
    conv.b[...] = 0.0
    assert_agrees_with_torch(conv, MaxPoolingLayer(conv.output_shape, pool_k), x.astype(float))


def assert_agrees_with_torch(conv, pool, x):
    N, S, P, pool_k = x.shape[0], conv.stride, conv.zero_padding, pool.pool_size
    fc = FullConnectedLayer(int(np.prod(pool.output_shape)), 2, "identity")
    fc.initialize(random.Random(1))
    out = fc.forward(pool.forward(conv.forward(x)).reshape(N, -1))
    fc.delta = np.ones_like(out)  # E = −Σ out per sample, batch mean
    pool.backward(fc.delta, fc.W)  # as Network.calc_delta: unflattened W_aboveᵀ·δ_above
    conv.backward_error(pool.error_below())
    for layer in (conv, fc):
        layer.calc_gradient()
    input_error = conv.error_below()

    tx = torch.tensor(x, requires_grad=True)
    tW, tb = (torch.tensor(a, requires_grad=True) for a in (conv.W, conv.b))
    tV = torch.tensor(fc.W, requires_grad=True)
    t_out = F.linear(torch.flatten(F.max_pool2d(F.conv2d(tx, tW, tb, S, P), pool_k), 1), tV,
                     torch.tensor(fc.b))
    (-t_out.sum() / N).backward()
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.W_grad, tW.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.b_grad, tb.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fc.W_grad, tV.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(-input_error / N, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_torch_check_catches_the_last_maximum():
    class LastMaxPool(MaxPoolingLayer):  # wrong on purpose: δ to the last maximum
        def forward(self, x):
            out = super().forward(x)
            self.argmax = 3 - self.windows(x)[..., ::-1].argmax(axis=-1)
            return out

    conv = ConvLayer((1, 2, 2), 1, 1, activator="identity")
    conv.W[...], conv.b[...] = 1.0, 0.0
    x = np.array([[[[1.0, 2.0], [2.0, 0.0]]]])  # a tie: 2 at (0, 1) and (1, 0)
    assert_agrees_with_torch(conv, MaxPoolingLayer((1, 2, 2), 2), x)
    with pytest.raises(AssertionError):
        assert_agrees_with_torch(conv, LastMaxPool((1, 2, 2), 2), x)
