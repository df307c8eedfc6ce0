"""The two implementations compute the same CNN (DESIGN.md, "Equivalence"), on tiny CNNs drawn
by hypothesis (channels, conv stride/padding, pooling, fully connected layers, activations,
output/loss pairs, init, l2, seed, inputs):
- same seed → bit-identical initial parameters (conv W drawn row-major (N, C, K, K), then b);
- predict and get_gradient within 1e-12 (absolute, relative above 1);
- after training on the same data (per sample and mini-batch) parameters within 1e-9.
Dropout masks come from different generators in the two packages (random.Random here,
NumPy's there), so these networks have no dropout or ``drop0``. Both engines of vectorized are
held to the same bounds.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import neurons
import vectorized
import vectorized.fast
from tests.helpers import close, flat, not_diverged
from tests.neurons_cnn_strategies import cnn_configs, cnn_data, near_kink

ENGINES = pytest.mark.parametrize("engine", [vectorized, vectorized.fast],
                                  ids=["textbook", "fast"])


def pair(config, engine):
    return neurons.Network(**config), engine.Network(**config)


@ENGINES
@given(cnn_configs())
def test_same_seed_gives_identical_initial_parameters(engine, config):
    slow, fast = pair(config, engine)
    assert flat(slow.parameters()) == flat(fast.parameters())  # bitwise: the same draws


@ENGINES
@given(cnn_configs(), st.data())
def test_predict_and_gradient_agree(engine, config, data):
    slow, fast = pair(config, engine)
    (label,), (sample,) = data.draw(cnn_data(slow))
    assume(not near_kink(slow, label, sample))  # a pool tie within rounding could flip
    out = slow.predict(sample)
    close(out, fast.predict(np.asarray(sample)), 1e-12)
    close(flat(slow.get_gradient(label, sample)),
          flat(fast.get_gradient(np.asarray(label), np.asarray(sample))), 1e-12)
    assert math.isclose(slow.loss(out, label), fast.loss(np.asarray(out), np.asarray(label)),
                        rel_tol=1e-12, abs_tol=1e-12)


@ENGINES
@given(cnn_configs(), st.data())
def test_training_agrees_per_sample_and_in_mini_batches(engine, config, data):
    slow, fast = pair(config, engine)
    labels, samples = data.draw(cnn_data(slow, data.draw(st.integers(1, 4))))
    assume(not any(near_kink(slow, t, x) for t, x in zip(labels, samples)))
    batch_size = data.draw(st.integers(1, len(samples)))
    epochs = data.draw(st.integers(1, 3))
    rate = data.draw(st.sampled_from((0.01, 0.1, 0.5)))
    loss_slow = slow.train(labels, samples, rate, epochs, batch_size=batch_size)
    with np.errstate(all="ignore"):  # a diverging run is assumed away below
        loss_fast = fast.train(np.asarray(labels), np.asarray(samples), rate, epochs,
                               batch_size=batch_size)
    after_slow, after_fast = flat(slow.parameters()), flat(fast.parameters())
    assume(not_diverged(after_slow + after_fast + [loss_slow, loss_fast]))  # diverged
    close(after_slow, after_fast, 1e-9)
    assert math.isclose(loss_slow, loss_fast, rel_tol=1e-9, abs_tol=1e-9)
    # one more step, one sample: train_one_sample agrees too
    slow.train_one_sample(labels[0], samples[0], rate)
    with np.errstate(all="ignore"):
        fast.train_one_sample(np.asarray(labels[0]), np.asarray(samples[0]), rate)
    after_slow, after_fast = flat(slow.parameters()), flat(fast.parameters())
    assume(not_diverged(after_slow + after_fast))  # this step diverged
    close(after_slow, after_fast, 1e-9)


def test_closeness_check_catches_one_wrong_weight():
    config = dict(layer_sizes=["1x5x5", "conv2x3", "pool2", 3, 2], seed=4)
    slow, fast = pair(config, vectorized)
    params = slow.parameters()
    params[0][0][1][0][2][2] += 1e-6  # W[1,0,2,2] of the conv layer
    slow.set_parameters(params)
    sample = [k / 25.0 for k in range(25)]
    with pytest.raises(AssertionError):
        close(flat(slow.get_gradient([1.0, 0.0], sample)),
              flat(fast.get_gradient(np.array([1.0, 0.0]), np.array(sample))), 1e-12)
    with pytest.raises(AssertionError):
        close(flat(slow.parameters()), flat(fast.parameters()), 1e-12)


def test_only_blown_up_runs_are_left_out():
    """The filter of the training tests keeps every sane run (the He-initialised start of
    one) and drops only a run that blew up or stopped being finite."""
    config = {"layer_sizes": ["2x3x3", "conv2x3p1", "pool2", "conv1x1", 3], "init": "he",
              "seed": 0}
    start = flat(neurons.Network(**config).parameters())
    assert not_diverged(start) and not_diverged([-1e4, 1e4])
    assert not not_diverged(start + [7.6e8]) and not not_diverged(start + [-2e4])
    assert not not_diverged(start + [math.inf]) and not not_diverged(start + [math.nan])
