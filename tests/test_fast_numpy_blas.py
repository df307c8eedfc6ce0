"""vectorized.fast's mini-batch step through NumPy's own BLAS (``vectorized.fast.numpy_blas``:
?gemm into W and into a net preloaded with b) and its ready-data check in ``Network.train``.

Both paths (``USE_NUMPY_GEMM`` True and False) must give the same numbers up to rounding; the
gemm cases skip where NumPy's BLAS is not an OpenBLAS that threadpoolctl finds.
"""

import numpy as np
import pytest

import vectorized
import vectorized.fast.blas as blas_module
import vectorized.fast.layer as layer_module
import vectorized.fast.numpy_blas as numpy_blas
from tests.helpers import FAST_CONFIGS as CONFIGS
from tests.helpers import max_difference
from vectorized.fast import Network


def gemm_or_skip():
    if not numpy_blas._load():
        pytest.skip("NumPy's BLAS is not an OpenBLAS found by threadpoolctl")


def data(config, n=10, dtype="float64"):
    rng = np.random.default_rng(config["seed"])
    sizes = config["layer_sizes"]
    samples = rng.uniform(-1.0, 1.0, (n, sizes[0])).astype(dtype)
    labels = np.zeros((n, sizes[-1]), dtype=dtype)
    labels[np.arange(n), rng.integers(0, sizes[-1], n)] = 1.0
    return labels, samples


def trained(config, use_gemm, monkeypatch, dtype="float64", module=None):
    monkeypatch.setattr(numpy_blas, "USE_NUMPY_GEMM", use_gemm)
    monkeypatch.setattr(layer_module, "LARGE_LAYER_BYTES", 0)  # every layer takes the gemm path
    net = (module or vectorized.fast).Network(**config, dtype=dtype)
    labels, samples = data(config, dtype=dtype)
    losses = [net.train(labels, samples, 0.3, 1, batch_size=4) for _ in range(3)]
    return net, losses


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
def test_gemm_adds_the_scaled_product_into_c(dtype, trans_a, trans_b):
    gemm_or_skip()
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 3) if trans_a else (3, 4)).astype(dtype)
    B = rng.normal(size=(5, 4) if trans_b else (4, 5)).astype(dtype)
    C = rng.normal(size=(3, 5)).astype(dtype)
    expected = 0.5 * (A.T if trans_a else A) @ (B.T if trans_b else B) + 0.25 * C
    assert numpy_blas.gemm(0.5, A, trans_a, B, trans_b, 0.25, C) is True
    np.testing.assert_allclose(C, expected, rtol=1e-5 if dtype == "float32" else 1e-13)


@pytest.mark.parametrize("case", ["strided A", "other dtype", "wrong C shape", "read-only C"])
def test_gemm_refuses_what_blas_would_misread_and_leaves_c_alone(case):
    gemm_or_skip()
    A, B, C = np.ones((3, 4)), np.ones((4, 5)), np.zeros((3, 5))
    if case == "strided A":
        A = np.ones((3, 8))[:, ::2]
    elif case == "other dtype":
        B = B.astype(np.float32)
    elif case == "wrong C shape":
        C = np.zeros((3, 6))
    else:
        C.flags.writeable = False
    before = C.copy()
    assert numpy_blas.gemm(1.0, A, False, B, False, 1.0, C) is False
    np.testing.assert_array_equal(C, before)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gemm_and_matmul_paths_agree(config, dtype, monkeypatch):
    gemm_or_skip()
    fast, fast_losses = trained(config, True, monkeypatch, dtype)
    slow, slow_losses = trained(config, False, monkeypatch, dtype)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    assert max_difference(fast, slow) <= tolerance
    np.testing.assert_allclose(fast_losses, slow_losses, rtol=tolerance)


@pytest.mark.parametrize("config", CONFIGS)
def test_batches_through_gemm_agree_with_the_textbook_engine(config, monkeypatch):
    fast, _ = trained(config, True, monkeypatch)
    textbook, _ = trained(config, True, monkeypatch, module=vectorized)
    assert max_difference(fast, textbook) <= 1e-12


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_ready_data_check_catches_a_non_finite_value(bad):
    net = Network([6, 5, 4], seed=1)
    labels, samples = data(CONFIGS[0])
    assert net._is_ready(samples, 6, 2)
    samples[7, 2] = bad
    assert not net._is_ready(samples, 6, 2)
    before = net.parameters()
    with pytest.raises(ValueError, match=r"data_set\[7\] contains non-finite values"):
        net.train(labels, samples, 0.1, 1, batch_size=4)
    for (W, b), (W_0, b_0) in zip(net.parameters(), before):
        np.testing.assert_array_equal(W, W_0)
        np.testing.assert_array_equal(b, b_0)


def test_a_batch_step_goes_through_gemm(monkeypatch):
    """The forward pass and the step of each large layer each call ?gemm once (so the agreement
    tests above compare two different paths)."""
    gemm_or_skip()
    monkeypatch.setattr(layer_module, "LARGE_LAYER_BYTES", 0)
    calls = []
    real = numpy_blas.gemm
    monkeypatch.setattr(numpy_blas, "gemm", lambda *args: calls.append(1) or real(*args))
    net = Network([6, 5, 4], seed=1)
    labels, samples = data(CONFIGS[0])
    net.train(labels[:4], samples[:4], 0.1, 1, batch_size=4)
    assert len(calls) == 4


def test_rows_whose_sums_overflow_get_the_full_check_and_train():
    """Finite values too large to sum are not "ready", and the textbook's check accepts them."""
    net, textbook = Network([6, 5, 4], seed=1), vectorized.Network([6, 5, 4], seed=1)
    labels, samples = data(CONFIGS[0])
    samples[0] = 1e308
    assert not net._is_ready(samples, 6, 2)
    for each in (net, textbook):
        each.train(labels, samples, 0.1, 1, batch_size=4)
    for (W, b), (W_t, b_t) in zip(net.parameters(), textbook.parameters()):
        np.testing.assert_allclose(W, W_t, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b, b_t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bad", ["rate", "epoch", "batch_size", "labels"])
def test_ready_data_keeps_the_textbook_checks_of_the_other_arguments(bad):
    labels, samples = data(CONFIGS[0])
    args = {"labels": labels, "rate": 0.1, "epoch": 1, "batch_size": 4}
    args[bad] = {"rate": -1.0, "epoch": 1.5, "batch_size": 0, "labels": labels[:3]}[bad]
    errors = []
    for module in (vectorized, vectorized.fast):
        net = module.Network([6, 5, 4], seed=1)
        with pytest.raises((TypeError, ValueError)) as caught:
            net.train(args["labels"], samples, args["rate"], args["epoch"], args["batch_size"])
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("use_scipy", [True, False])
@pytest.mark.parametrize("use_gemm", [True, False])
@pytest.mark.parametrize("defer", [True, False])
def test_column_major_weights_give_the_textbook_numbers(use_scipy, use_gemm, defer, monkeypatch):
    """Every layer column-major (as a large W is kept), through every update path: one-sample
    steps (?ger or held steps, SciPy or NumPy) and batches (?gemm or matmul)."""
    if use_scipy and not blas_module.USE_SCIPY_BLAS:
        pytest.skip("SciPy is not installed")
    monkeypatch.setattr(blas_module, "USE_SCIPY_BLAS", use_scipy)
    monkeypatch.setattr(numpy_blas, "USE_NUMPY_GEMM", use_gemm)
    monkeypatch.setattr(layer_module, "LARGE_LAYER_BYTES", 0)
    monkeypatch.setattr(layer_module, "COLUMN_MAJOR_DTYPES", (np.dtype(np.float64),))
    monkeypatch.setattr(layer_module, "DEFER_ABOVE_BYTES", 0 if defer else 1 << 40)
    config = CONFIGS[2]
    nets = [module.Network(**config) for module in (vectorized.fast, vectorized)]
    assert all(layer.W.flags.f_contiguous for layer in nets[0]._layers)
    labels, samples = data(config)
    for net in nets:
        for t, x in zip(labels, samples):
            net.train_one_sample(t, x, 0.2)
        net.train(labels, samples, 0.2, 2, batch_size=4)
    assert max_difference(*nets) <= 1e-12
    assert all(layer.W.flags.f_contiguous for layer in nets[0]._layers)


def test_only_a_large_layer_is_column_major_and_takes_gemm(monkeypatch):
    gemm_or_skip()
    calls = []
    real = numpy_blas.gemm
    monkeypatch.setattr(numpy_blas, "gemm",
                        lambda *args: calls.append(args[-1].shape) or real(*args))
    net = Network([784, 300, 10], seed=0, dtype="float32")  # W: 0.94 MB and 12 KB
    assert [layer.W.flags.f_contiguous for layer in net._layers] == [True, False]
    assert not Network([784, 300, 10])._layers[0].W.flags.f_contiguous  # float64: row-major
    rng = np.random.default_rng(0)
    net.train(rng.random((8, 10), dtype=np.float32), rng.random((8, 784), dtype=np.float32), 0.1,
              1, batch_size=8)
    assert calls == [(8, 300), (784, 300)]  # forward X·Wᵀ + b, then Wᵀ += (η/N)·Xᵀδ
