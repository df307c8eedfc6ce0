"""The two implementations compute the same network (DESIGN.md, "Equivalence").

hypothesis draws the architecture, activations, output/loss pair, init, l2, seed and inputs.
- same seed → identical initial parameters;
- predict and get_gradient within 1e-12 (absolute, relative above 1);
- after training on the same data (per sample and mini-batch) parameters within 1e-9;
- both agree with the numerical gradient (式6).
Every test that compares the two packages runs twice: against the textbook ``vectorized`` and
against the speed engine ``vectorized.fast``, which is held to the same bounds.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import neurons
import vectorized
import vectorized.fast
from neurons_lab.training.gradcheck import check_gradient
from neurons_lab.training.networks import flat_parameters
from tests.helpers import close, not_diverged
from tests.strategies import cases, configs, datasets, near_kink

ENGINES = pytest.mark.parametrize("engine", [vectorized, vectorized.fast],
                                  ids=["textbook", "fast"])


def pair(config, engine=vectorized):
    return neurons.Network(**config), engine.Network(**config)


def flat_gradient(grads):
    return [float(v) for dW, db in grads for v in np.ravel(dW).tolist() + np.ravel(db).tolist()]


@ENGINES
@given(configs())
def test_same_seed_gives_identical_initial_parameters(engine, config):
    slow, fast = pair(config, engine)
    assert flat_parameters(slow) == flat_parameters(fast)  # bitwise: the same draws


@ENGINES
@given(cases())
def test_predict_and_gradient_agree(engine, case):
    config, label, sample = case
    slow, fast = pair(config, engine)
    close(slow.predict(sample), fast.predict(np.asarray(sample)), 1e-12)
    close(flat_gradient(slow.get_gradient(label, sample)),
          flat_gradient(fast.get_gradient(label, sample)), 1e-12)
    out = slow.predict(sample)
    assert math.isclose(slow.loss(out, label), fast.loss(np.asarray(out), label),
                        rel_tol=1e-12, abs_tol=1e-12)


@ENGINES
@given(st.data())
def test_training_agrees_per_sample_and_in_mini_batches(engine, data):
    config = data.draw(configs(max_layers=4, max_width=5))
    labels, samples = data.draw(datasets(config, max_samples=7))
    batch_size = data.draw(st.integers(1, len(samples)))
    epochs = data.draw(st.integers(1, 4))
    rate = data.draw(st.sampled_from((0.01, 0.1, 0.5)))
    slow, fast = pair(config, engine)
    loss_slow = slow.train(labels, samples, rate, epochs, batch_size=batch_size)
    loss_fast = fast.train(np.asarray(labels), np.asarray(samples), rate, epochs,
                           batch_size=batch_size)
    # A diverged run (blown up, inf/NaN) has no numbers to agree on to 1e-9 (helpers.BLOWN_UP).
    assume(not_diverged(flat_parameters(fast) + [loss_fast]))
    close(flat_parameters(slow), flat_parameters(fast), 1e-9)
    assert math.isclose(loss_slow, loss_fast, rel_tol=1e-9, abs_tol=1e-9)


@ENGINES
@given(st.data())
def test_train_one_sample_agrees(engine, data):
    config, label, sample = data.draw(cases(max_layers=4, max_width=5))
    slow, fast = pair(config, engine)
    for _ in range(3):
        e1 = slow.train_one_sample(label, sample, 0.3)
        e2 = fast.train_one_sample(label, sample, 0.3)
        assume(not_diverged([e2]))  # diverged: nothing to compare
        assert math.isclose(e1, e2, rel_tol=1e-10, abs_tol=1e-10)
    assume(not_diverged(flat_parameters(fast)))
    close(flat_parameters(slow), flat_parameters(fast), 1e-9)


@ENGINES
@given(cases(), st.integers(0, 2**32 - 1))
def test_parameters_copied_across_give_the_same_predictions(engine, case, other_seed):
    config, _, sample = case
    slow, fast = pair({**config, "seed": other_seed}, engine)
    source = neurons.Network(**config)
    fast.set_parameters(source.parameters())           # lists into arrays
    close(fast.predict(np.asarray(sample)), source.predict(sample), 1e-12)
    slow.set_parameters(fast.parameters())              # arrays into lists
    close(slow.predict(sample), source.predict(sample), 1e-12)


@ENGINES
@given(cases())
def test_both_agree_with_central_differences(engine, case):
    config, label, sample = case
    for net in pair(config, engine):
        out = np.asarray(net.predict(sample), dtype=float).tolist()
        nets = _nets(config, sample)
        assume(not near_kink(config, nets, out, label))
        for report in check_gradient(net, label, sample):
            assert report.worst < 1e-6, (type(net).__module__, report)


def _nets(config, sample):
    """Weighted inputs of every layer, read from the object graph (test-only introspection)."""
    net = neurons.Network(**config)
    net.predict(sample)
    return [[node.net for node in layer.nodes] for layer in net.layers[1:]]


@ENGINES
@given(st.data())
def test_batch_predict_equals_row_by_row_of_the_object_graph(engine, data):
    config = data.draw(configs())
    _, samples = data.draw(datasets(config))
    slow, fast = pair(config, engine)
    out = fast.predict(np.asarray(samples))
    assert out.shape == (len(samples), config["layer_sizes"][-1])
    close(out, [slow.predict(s) for s in samples], 1e-12)


# Bad input: the same exception and words in all three, tests/test_surface.py.


@ENGINES
def test_config_is_shared(engine):
    config = {"layer_sizes": [4, 3, 2], "activation": ["relu"], "output": "softmax",
              "loss": "cross_entropy", "init": "he", "l2": 0.01, "seed": 3}
    slow, fast = pair(config, engine)
    assert not slow.batched and fast.batched  # how training/ chooses row-by-row or batched calls
    assert slow.config() == config
    assert {k: v for k, v in fast.config().items() if k != "dtype"} == config


@given(st.data())
def test_fast_engine_trains_like_the_textbook(data):
    """vectorized.fast against the textbook engine directly, per sample and in batches."""
    config = data.draw(configs(max_layers=4, max_width=5))
    labels, samples = data.draw(datasets(config, max_samples=7))
    batch_size = data.draw(st.integers(1, len(samples)))
    textbook, fast = vectorized.Network(**config), vectorized.fast.Network(**config)
    labels, samples = np.asarray(labels), np.asarray(samples)
    loss_textbook = textbook.train(labels, samples, 0.1, 2, batch_size=batch_size)
    loss_fast = fast.train(labels, samples, 0.1, 2, batch_size=batch_size)
    assume(not_diverged(flat_parameters(fast) + [loss_fast]))
    close(flat_parameters(textbook), flat_parameters(fast), 1e-9)
    assert math.isclose(loss_textbook, loss_fast, rel_tol=1e-9, abs_tol=1e-9)
