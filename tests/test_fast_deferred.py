"""Deferred one-sample steps (vectorized.fast.deferred): a large layer holds up to DEFERRED_STEPS
steps ``u·xᵀ`` and adds them to W in one matrix product. Whatever reads the weights must see
them: forward, Wᵀδ, ``W`` itself, parameters, gradients. Small networks are made to defer by
setting ``DEFER_ABOVE_BYTES`` below their size.
"""

from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import neurons
import vectorized.fast
import vectorized.fast.blas as blas_module
import vectorized.fast.layer as layer_module
from neurons_lab.training.networks import flat_parameters
from tests.helpers import max_difference, not_diverged
from tests.strategies import configs, datasets


def blas_paths():
    """USE_SCIPY_BLAS values to test: both when SciPy is installed."""
    return [True, False] if blas_module.USE_SCIPY_BLAS else [False]


@pytest.fixture(params=blas_paths(), ids=lambda on: "scipy" if on else "numpy")
def defer_everything(request, monkeypatch):
    """Every layer defers, three steps at a time; returns a function to change the count."""
    monkeypatch.setattr(blas_module, "USE_SCIPY_BLAS", request.param)
    monkeypatch.setattr(layer_module, "DEFER_ABOVE_BYTES", -1)
    monkeypatch.setattr(layer_module, "DEFERRED_STEPS", 3)
    return lambda steps: monkeypatch.setattr(layer_module, "DEFERRED_STEPS", steps)


def test_held_steps_worked_by_hand(defer_everything):
    """A 2 → 2 identity layer; every number is exact in binary, so equality is exact."""
    layer = vectorized.fast.FullConnectedLayer(2, 2, "identity")
    layer.W[...] = [[1.0, 2.0], [3.0, 4.0]]
    x1, x2 = np.array([1.0, 0.0]), np.array([0.0, 2.0])

    layer.forward(x1)
    layer.sgd_step(np.array([0.5, -0.25]), 1.0)  # u1 = η·δ = (0.5, −0.25)
    # W_now = W + u1·x1ᵀ = [[1.5, 2], [2.75, 4]], held: the array itself is unchanged
    assert layer._deferred.count == 1
    assert layer._W.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert layer.b.tolist() == [0.5, -0.25]  # 式10 is applied at once

    out = layer.forward(x2)  # W_now·x2 + b = (4, 8) + (0.5, −0.25)
    assert out.tolist() == [4.5, 7.75]
    assert layer.weighted_delta(np.array([1.0, 1.0])).tolist() == [4.25, 6.0]  # W_nowᵀ·δ
    layer.sgd_step(np.array([1.0, 1.0]), 0.5, l2=0.5)  # decay 1 − ηλ = 0.75, u2 = (0.5, 0.5)
    assert layer._deferred.count == 2 and layer._deferred.scale == 0.75
    assert layer._W.tolist() == [[1.0, 2.0], [3.0, 4.0]]

    # 0.75·W_now + u2·x2ᵀ = [[1.125, 1.5 + 1], [2.0625, 3 + 1]]; reading W adds the steps
    assert layer.W.tolist() == [[1.125, 2.5], [2.0625, 4.0]]
    assert layer._deferred.count == 0 and layer._deferred.scale == 1.0
    assert layer._W.tolist() == [[1.125, 2.5], [2.0625, 4.0]]


def test_the_third_step_fills_the_buffer_and_goes_into_W(defer_everything):
    layer = vectorized.fast.FullConnectedLayer(2, 1, "identity")
    x = np.array([1.0, 2.0])
    for count in (1, 2, 0):  # DEFERRED_STEPS = 3: the third step empties it
        layer.forward(x)
        layer.sgd_step(np.array([0.25]), 1.0)
        assert layer._deferred.count == count
    assert layer._W.tolist() == [[0.75, 1.5]]  # three times 0.25·xᵀ


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")  # diverged draws
@given(st.data())
def test_deferring_every_layer_still_agrees_with_neurons(data):
    config = data.draw(configs(max_layers=4, max_width=5))
    labels, samples = data.draw(datasets(config, max_samples=7))
    steps = data.draw(st.integers(1, 4), label="DEFERRED_STEPS")
    use_blas = data.draw(st.sampled_from(blas_paths()), label="USE_SCIPY_BLAS")
    epochs = data.draw(st.integers(1, 3))
    slow = neurons.Network(**config)
    with mock.patch.object(layer_module, "DEFER_ABOVE_BYTES", -1), \
            mock.patch.object(layer_module, "DEFERRED_STEPS", steps), \
            mock.patch.object(blas_module, "USE_SCIPY_BLAS", use_blas):
        fast = vectorized.fast.Network(**config)
        for _ in range(epochs):
            for label, sample in zip(labels, samples):
                e1 = slow.train_one_sample(label, sample, 0.3)
                e2 = fast.train_one_sample(np.asarray(label), np.asarray(sample), 0.3)
                assume(not_diverged([e1, e2]))  # diverged: nothing to compare
                assert e1 == pytest.approx(e2, rel=1e-9, abs=1e-9)
            # predict sees held steps without adding them to W
            held = [layer._deferred.count for layer in fast._layers]
            got = fast.predict(np.asarray(samples[0]))
            assert [layer._deferred.count for layer in fast._layers] == held
            assume(not_diverged(got))
            assert np.allclose(slow.predict(samples[0]), got, rtol=1e-9, atol=1e-9)
        assume(not_diverged(flat_parameters(fast)))
        assert np.allclose(flat_parameters(slow), flat_parameters(fast), rtol=1e-9, atol=1e-9)


def trained_pair(config, samples, labels, monkeypatch, deferred_steps=3):
    """The same network trained per sample twice: deferring every layer, and not at all."""
    monkeypatch.setattr(layer_module, "DEFER_ABOVE_BYTES", -1)
    nets = []
    for steps in (deferred_steps, 0):
        monkeypatch.setattr(layer_module, "DEFERRED_STEPS", steps)
        net = vectorized.fast.Network(**config)
        for label, sample in zip(labels, samples):
            net.train_one_sample(label, sample, 0.2)
        nets.append(net)
    monkeypatch.setattr(layer_module, "DEFERRED_STEPS", deferred_steps)
    return nets


CONFIG = dict(layer_sizes=[5, 4, 3], activation="tanh", l2=0.05, seed=7)


def data(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, (n, 3)), rng.uniform(-1.0, 1.0, (n, 5))


def test_gradient_and_batch_step_with_steps_held(monkeypatch):
    labels, samples = data()
    deferred, direct = trained_pair(CONFIG, samples, labels, monkeypatch)
    assert all(layer._deferred.count == 2 for layer in deferred._layers)  # 5 = 3 + 2
    for (dW, db), (eW, eb) in zip(deferred.get_gradient(labels[0], samples[0]),
                                  direct.get_gradient(labels[0], samples[0])):
        assert np.allclose(dW, eW, rtol=1e-13, atol=1e-13)
        assert np.allclose(db, eb, rtol=1e-13, atol=1e-13)
    for net in (deferred, direct):  # a batch step adds the held steps first
        net.train(labels, samples, 0.2, 1, batch_size=2)
    assert max_difference(deferred, direct) <= 1e-13


def test_changing_the_count_loses_no_step(defer_everything):
    labels, samples = data(n=8)
    direct = vectorized.fast.Network(**CONFIG)
    defer_everything(0)
    for label, sample in zip(labels, samples):
        direct.train_one_sample(label, sample, 0.2)
    net = vectorized.fast.Network(**CONFIG)
    for steps, (label, sample) in zip([3, 3, 5, 5, 5, 2, 2, 4], zip(labels, samples)):
        defer_everything(steps)
        net.train_one_sample(label, sample, 0.2)
    assert max_difference(net, direct) <= 1e-13


def test_the_held_sample_is_a_copy(defer_everything):
    labels, samples = data()
    net, twin = vectorized.fast.Network(**CONFIG), vectorized.fast.Network(**CONFIG)
    sample = samples[0].copy()
    net.train_one_sample(labels[0], sample, 0.2)
    twin.train_one_sample(labels[0], samples[0], 0.2)
    sample[...] = 100.0  # the caller reuses its array: the held step must not change
    assert all(layer._deferred.count == 1 for layer in net._layers)
    assert max_difference(net, twin) == 0.0


def test_setting_parameters_drops_held_steps(defer_everything):
    labels, samples = data()
    net = vectorized.fast.Network(**CONFIG)
    fresh = vectorized.fast.Network(**CONFIG).parameters()
    net.train_one_sample(labels[0], samples[0], 0.2)
    net.set_parameters(fresh)
    assert all(layer._deferred.count == 0 for layer in net._layers)
    assert max_difference(net, vectorized.fast.Network(**CONFIG)) == 0.0

    layer = net._layers[0]
    net.train_one_sample(labels[0], samples[0], 0.2)
    layer.W = np.ones((4, 5))  # assigning replaces W and its held steps
    assert layer._deferred.count == 0 and np.all(layer.W == 1.0)
    with pytest.raises(ValueError, match=r"W must have shape \(4, 5\), got \(5, 4\)"):
        layer.W = np.ones((5, 4))
    assert np.all(layer.W == 1.0)


@pytest.mark.parametrize(("sizes", "dtype", "defers"), [
    ([784, 300, 10], "float64", [True, False]),  # 1.9 MB: beyond a 512 KiB L2 cache
    ([784, 300, 10], "float32", [True, False]),  # 0.94 MB
    ([784, 100, 10], "float32", [False, False]),  # 0.31 MB: stays in the cache
    ([784, 30, 10], "float64", [False, False]),
])
def test_which_layers_defer_by_default(sizes, dtype, defers):
    net = vectorized.fast.Network(sizes, seed=0, dtype=dtype)
    net.train_one_sample(np.zeros(sizes[-1]), np.ones(sizes[0]), 0.1)
    assert [layer._deferred is not None and layer._deferred.count == 1
            for layer in net._layers] == defers


@pytest.mark.parametrize("use_blas", blas_paths(), ids=lambda on: "scipy" if on else "numpy")
def test_a_large_layer_defers_and_agrees_with_steps_added_at_once(use_blas, monkeypatch):
    monkeypatch.setattr(blas_module, "USE_SCIPY_BLAS", use_blas)
    sizes = [784, 300, 10]
    rng = np.random.default_rng(3)
    samples = rng.uniform(0.0, 1.0, (40, 784))  # crosses two full buffers of 16
    labels = np.full((40, 10), 0.1)
    labels[np.arange(40), rng.integers(0, 10, 40)] = 0.9
    nets = []
    for steps in (layer_module.DEFERRED_STEPS, 0):
        monkeypatch.setattr(layer_module, "DEFERRED_STEPS", steps)
        net = vectorized.fast.Network(sizes, seed=1, l2=1e-3)
        losses = [net.train_one_sample(t, x, 0.5) for t, x in zip(labels, samples)]
        nets.append((net, losses))
    (deferred, deferred_losses), (direct, direct_losses) = nets
    assert deferred._layers[0]._deferred.count == 40 % 16
    assert np.allclose(deferred_losses, direct_losses, rtol=1e-12, atol=0.0)
    assert max_difference(deferred, direct) <= 1e-13
