"""vectorized.dropout: identity outside training, keeps the mean during training (fixed seed),
seeded masks, backward through the same mask; each checker shown failing on a wrong dropout."""

import numpy as np
import pytest

from vectorized.dropout import Dropout


def assert_keeps_mean(dropout, n=200_000):
    """Over n ones, the training output's mean is 1 (inverted dropout) and about p are dropped.
    The standard error of the mean is √(p/((1−p)n)) ≤ 0.003 for p ≤ 0.64; the bound is 0.01."""
    out = dropout.forward(np.ones(n), training=True)
    assert abs(out.mean() - 1.0) < 0.01, out.mean()
    assert abs(np.mean(out == 0.0) - dropout.p) < 0.01


def assert_backward_through_mask(dropout, x, r):
    """E = Σ r ⊙ out: −∂E/∂x = −(r ⊙ mask), exactly what backward gives for δ = −r (a linear
    function: the central difference is exact up to rounding)."""
    out = dropout.forward(x, training=True)
    mask = out / x
    eps = 1e-6
    numeric = np.array([(np.sum(r * (x + eps * e) * mask) - np.sum(r * (x - eps * e) * mask))
                        / (2 * eps) for e in np.eye(x.size).reshape((-1,) + x.shape)])
    dropout.backward_error(-r)
    np.testing.assert_allclose(dropout.error_below(), -numeric.reshape(x.shape), rtol=1e-7,
                               atol=1e-9)


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.6])
def test_keeps_the_mean_during_training(p):
    assert_keeps_mean(Dropout(p, seed=0))


def test_identity_outside_training():
    dropout = Dropout(0.5, seed=0)
    x = np.random.default_rng(1).standard_normal((4, 6))
    assert dropout.forward(x) is x and dropout.mask is None
    delta = np.ones((4, 6))
    assert dropout.backward_error(delta) is delta
    assert dropout.error_below() is delta


def test_mask_values_seed_and_backward():
    x = np.random.default_rng(2).uniform(0.5, 1.5, (3, 5))
    first = Dropout(0.4, seed=7).forward(x, training=True)
    again = Dropout(0.4, seed=7)
    np.testing.assert_array_equal(again.forward(x, training=True), first)  # same seed, same mask
    assert set(np.unique(again.mask).tolist()) <= {0.0, 1.0 / 0.6}
    assert not np.array_equal(again.forward(x, training=True), first)  # a fresh mask per call
    assert_backward_through_mask(Dropout(0.4, seed=3), x, np.arange(15.0).reshape(3, 5))


def test_float32_stays_float32():
    x = np.ones((2, 8), dtype=np.float32)
    dropout = Dropout(0.5, seed=0, dtype="float32")
    assert dropout.forward(x, training=True).dtype == np.float32
    dropout.backward_error(x)
    assert dropout.error_below().dtype == np.float32


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_bad_probability(p):
    with pytest.raises(ValueError, match=r"dropout probability must be in \[0, 1\)"):
        Dropout(p)


class PlainDropout(Dropout):
    """Wrong on purpose: drops without rescaling the kept values by 1/(1 − p)."""

    def forward(self, x, training=False):
        super().forward(x, training)
        if self.mask is not None:
            self.mask = (self.mask > 0).astype(x.dtype)
            self.output = self.net = x * self.mask
        return self.output


class MasklessBackward(Dropout):
    """Wrong on purpose: hands every δ down, dropped or not."""

    def error_below(self):
        return self.delta


def test_checkers_catch_a_wrong_dropout():
    with pytest.raises(AssertionError):
        assert_keeps_mean(PlainDropout(0.5, seed=0))
    x = np.random.default_rng(2).uniform(0.5, 1.5, (3, 5))
    with pytest.raises(AssertionError):
        assert_backward_through_mask(MasklessBackward(0.5, seed=3), x, np.ones((3, 5)))
