"""vectorized.fast's training step without a kept gradient (``FullConnectedLayer.sgd_step``),
and its optional in-place updates through SciPy's BLAS (``vectorized.fast.blas``: ?ger for one
sample's step, ?gemm for deferred steps).

Both paths (``vectorized.fast.blas.USE_SCIPY_BLAS`` True and False) must give the same numbers up to
rounding; the BLAS cases skip when SciPy is not installed. Deferred steps: test_fast_deferred.
"""

import os

import numpy as np
import pytest

import vectorized.fast.blas as blas_module
from tests.helpers import FAST_CONFIGS as CONFIGS
from tests.helpers import max_difference
from vectorized.fast import FullConnectedLayer, Network
from vectorized.layer import FullConnectedLayer as TextbookLayer


def scipy_or_skip():
    pytest.importorskip("scipy")


def data(config, n=6, dtype="float64"):
    rng = np.random.default_rng(config["seed"])
    sizes = config["layer_sizes"]
    samples = rng.uniform(-1.0, 1.0, (n, sizes[0])).astype(dtype)
    labels = np.full((n, sizes[-1]), 0.1, dtype=dtype)
    labels[np.arange(n), rng.integers(0, sizes[-1], n)] = 0.9
    if config.get("loss") == "cross_entropy":
        labels = (labels == 0.9).astype(dtype)
    return labels, samples


def trained(config, use_blas, monkeypatch, dtype="float64", epochs=3, batch_size=None):
    monkeypatch.setattr(blas_module, "USE_SCIPY_BLAS", use_blas)
    net = Network(**config, dtype=dtype)
    labels, samples = data(config, dtype=dtype)
    losses = []
    for _ in range(epochs):
        if batch_size is None:
            losses += [net.train_one_sample(t, x, 0.3) for t, x in zip(labels, samples)]
        else:
            losses.append(net.train(labels, samples, 0.3, 1, batch_size=batch_size))
    return net, losses


@pytest.mark.parametrize("config", CONFIGS)
def test_blas_and_numpy_paths_agree_float64(config, monkeypatch):
    scipy_or_skip()
    fast, fast_losses = trained(config, True, monkeypatch)
    slow, slow_losses = trained(config, False, monkeypatch)
    assert max_difference(fast, slow) <= 1e-12
    assert np.allclose(fast_losses, slow_losses, rtol=1e-12, atol=0)


@pytest.mark.parametrize("config", CONFIGS)
def test_blas_and_numpy_paths_agree_float32(config, monkeypatch):
    scipy_or_skip()
    fast, _ = trained(config, True, monkeypatch, dtype="float32")
    slow, _ = trained(config, False, monkeypatch, dtype="float32")
    assert all(W.dtype == b.dtype == np.float32 for W, b in fast.parameters())
    assert max_difference(fast, slow) <= 1e-5


def test_the_switch_chooses_the_code_that_runs(monkeypatch):
    scipy_or_skip()
    calls = []
    real = blas_module.rank1_update

    def counting(*args):
        calls.append(args[0].shape)
        return real(*args)

    monkeypatch.setattr(blas_module, "rank1_update", counting)
    config = CONFIGS[1]
    trained(config, True, monkeypatch, epochs=1)
    assert calls == [(4, 5), (5, 6)] * 6  # every layer, output layer first, every sample
    calls.clear()
    trained(config, True, monkeypatch, epochs=1, batch_size=1)  # train(batch_size=1) too
    assert len(calls) == 12
    calls.clear()
    trained(config, True, monkeypatch, epochs=1, batch_size=3)  # batches: matrix products
    trained(config, False, monkeypatch, epochs=1)  # switched off: NumPy only
    assert calls == []


@pytest.mark.parametrize("use_blas", [True, False])
@pytest.mark.parametrize("config", CONFIGS)
def test_train_batch_size_one_is_bitwise_repeated_train_one_sample(config, use_blas,
                                                                     monkeypatch):
    if use_blas:
        scipy_or_skip()
    one_by_one, losses = trained(config, use_blas, monkeypatch, epochs=2)
    batched, batch_losses = trained(config, use_blas, monkeypatch, epochs=2, batch_size=1)
    assert max_difference(one_by_one, batched) == 0.0
    assert batch_losses[-1] == pytest.approx(np.mean(losses[-6:]), rel=1e-14)


def test_after_a_blas_step_no_stale_gradient_is_left(monkeypatch):
    scipy_or_skip()
    config = CONFIGS[2]
    net, _ = trained(config, True, monkeypatch, epochs=1)
    for layer in net._layers:
        assert layer.W_grad is None and layer.b_grad is None
    labels, samples = data(config)
    fresh = net.get_gradient(labels[0], samples[0])  # computed anew, not read from a step
    monkeypatch.setattr(blas_module, "USE_SCIPY_BLAS", False)
    twin = Network(**config)
    twin.set_parameters(net.parameters())
    for (dW, db), (eW, eb) in zip(fresh, twin.get_gradient(labels[0], samples[0])):
        assert np.array_equal(dW, eW) and np.array_equal(db, eb)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_rank1_update_is_in_place(dtype):
    scipy_or_skip()
    rng = np.random.default_rng(0)
    W0 = rng.normal(size=(5, 7)).astype(dtype)
    u, v = rng.normal(size=5).astype(dtype), rng.normal(size=7).astype(dtype)
    tolerance = 1e-6 if dtype == "float32" else 1e-14
    W = W0.copy()
    address = W.ctypes.data
    blas_module.rank1_update(W, 0.25, u, v)
    assert W.ctypes.data == address and W.flags.c_contiguous
    assert np.allclose(W, W0 + 0.25 * np.outer(u, v), rtol=tolerance, atol=tolerance)
    F = np.asfortranarray(W)  # not C-contiguous: SciPy copies, and the result is kept
    blas_module.rank1_update(F, -0.25, u, v)
    assert np.allclose(F, W0, rtol=tolerance, atol=10 * tolerance)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("layout", ["as deferred steps hold them", "C-contiguous A"])
def test_product_update_is_in_place(dtype, layout):
    scipy_or_skip()
    rng = np.random.default_rng(1)
    W0 = rng.normal(size=(5, 7)).astype(dtype)
    U, X = rng.normal(size=(3, 5)).astype(dtype), rng.normal(size=(3, 7)).astype(dtype)
    A = U.T if layout == "as deferred steps hold them" else np.ascontiguousarray(U.T)
    tolerance = 1e-5 if dtype == "float32" else 1e-14
    W = W0.copy()
    address = W.ctypes.data
    blas_module.product_update(W, 0.5, A, X)  # W ← 0.5·W + A·X
    assert W.ctypes.data == address and W.flags.c_contiguous and W.dtype == dtype
    assert np.allclose(W, 0.5 * W0 + U.T @ X, rtol=tolerance, atol=tolerance)
    F = np.asfortranarray(W0)  # not C-contiguous: SciPy copies, and the result is kept
    blas_module.product_update(F, 1.0, A, X)
    assert np.allclose(F, W0 + U.T @ X, rtol=tolerance, atol=tolerance)


def blas_thread_counts():
    from threadpoolctl import threadpool_info

    return {info["filepath"]: info["num_threads"] for info in threadpool_info()
            if info["user_api"] == "blas"}


def test_blas_thread_limit_is_only_during_the_call(monkeypatch):
    scipy_or_skip()
    pytest.importorskip("threadpoolctl")
    by_dtype, thread_counts = blas_module._load()
    during = []
    real_ger, gemm = by_dtype[np.dtype("float64")]

    def watching(*args, **kwargs):  # records the counts while ?ger runs
        during.append(blas_thread_counts())
        return real_ger(*args, **kwargs)

    monkeypatch.setitem(by_dtype, np.dtype("float64"), (watching, gemm))
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):  # so that a limit to 1 shows
        before = blas_thread_counts()
        W = np.zeros((100, 100))  # big enough for the limit (OpenBLAS threads it)
        blas_module.rank1_update(W, 1.0, np.ones(100), np.ones(100))
        after = blas_thread_counts()
    assert np.all(W == 1.0)
    assert after == before
    numpy_folder = os.path.dirname(np.__file__)
    for path, count in during[0].items():
        if path.startswith(numpy_folder) or not thread_counts:  # NumPy's BLAS: never touched
            assert count == before[path]
        else:  # the BLAS SciPy brought: limited while ?ger ran
            assert count == blas_module.BLAS_THREADS


@pytest.mark.parametrize("use_blas", [True, False])
@pytest.mark.parametrize("rows", [None, 1, 5])  # one sample (in,), or a batch (rows, in)
@pytest.mark.parametrize("l2", [0.0, 0.2])
def test_sgd_step_equals_calc_gradient_then_update(use_blas, rows, l2, monkeypatch):
    if use_blas:
        scipy_or_skip()
    monkeypatch.setattr(blas_module, "USE_SCIPY_BLAS", use_blas)
    rng = np.random.default_rng(rows or 0)
    x = rng.normal(size=6 if rows is None else (rows, 6))
    reference, layer = TextbookLayer(6, 3, "tanh"), FullConnectedLayer(6, 3, "tanh")
    reference.W[...] = layer.W[...] = rng.normal(size=(3, 6))
    reference.b[...] = layer.b[...] = rng.normal(size=3)
    for net in (reference, layer):
        net.forward(x)
    delta = rng.normal(size=reference.output.shape)
    reference.delta = delta
    reference.calc_gradient(l2)
    expected_W = reference.W - 0.3 * reference.W_grad  # 式9 written out: W − η(−δxᵀ + λW)
    expected_b = reference.b - 0.3 * reference.b_grad
    reference.update(0.3)
    layer.sgd_step(delta, 0.3, l2)
    for W in (reference.W, layer.W):
        assert np.allclose(W, expected_W, rtol=1e-14, atol=1e-15)
    for b in (reference.b, layer.b):
        assert np.allclose(b, expected_b, rtol=1e-14, atol=1e-15)
    assert layer.W_grad is None and layer.b_grad is None
    with pytest.raises(ValueError, match="delta has shape"):
        layer.sgd_step(delta[..., :2], 0.3, l2)
