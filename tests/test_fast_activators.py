"""The fast engine's sigmoid: SciPy's expit for one sample, NumPy's for a batch."""

import numpy as np
import pytest

from tests.helpers import check_sigmoid, sigmoid_test_points
from vectorized import activators
from vectorized.fast import activators as fast_activators


@pytest.mark.parametrize("path", ["numpy", "scipy expit", "batch"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_sigmoid_matches_the_two_branch_formula_without_warnings(dtype, path, monkeypatch):
    """Every path of the fast sigmoid passes the textbook sigmoid's checks."""
    if path == "scipy expit":
        pytest.importorskip("scipy")
    monkeypatch.setattr(fast_activators, "USE_SCIPY_EXPIT", path == "scipy expit")
    x = sigmoid_test_points(dtype)
    check_sigmoid(fast_activators.sigmoid, x.reshape(5, -1) if path == "batch" else x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_of_one_sample_through_scipy_equals_numpys(dtype, monkeypatch):
    """The one-sample path (SciPy's expit) computes the same formula as the textbook's, so the
    two agree to a few ulps (their exps may round differently: NumPy has its own SIMD exp for
    float32, and for float64 on CPUs with AVX-512)."""
    pytest.importorskip("scipy")
    x = np.random.default_rng(0).normal(0.0, 6.0, 20_000).astype(dtype)
    monkeypatch.setattr(fast_activators, "USE_SCIPY_EXPIT", True)
    fast = fast_activators.sigmoid(x)
    plain = activators.sigmoid(x)
    assert fast.dtype == plain.dtype == dtype
    np.testing.assert_allclose(fast, plain, rtol=4 * np.finfo(dtype).eps, atol=0)
