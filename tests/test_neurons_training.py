"""neurons: training behaviour — the 8-3-8 task, mini-batch semantics, returned losses."""

from hypothesis import given
from hypothesis import strategies as st

import neurons
from tests.helpers import flat, unflat
from tests.strategies import configs, datasets

PATTERNS = [[0.9 if i == k else 0.1 for i in range(8)] for k in range(8)]


def bit_accuracy(net, data):
    hits = [(y > 0.5) == (t > 0.5) for x in data for y, t in zip(net.predict(x), x)]
    return sum(hits) / len(hits)


def test_8_3_8_network_reproduces_every_bit():
    net = neurons.Network([8, 3, 8], seed=0)
    assert bit_accuracy(net, PATTERNS) < 1.0
    first = net.train(PATTERNS, PATTERNS, 1.0, 1)
    last = net.train(PATTERNS, PATTERNS, 1.0, 3000)
    assert last < first / 3
    assert bit_accuracy(net, PATTERNS) == 1.0


@given(st.data())
def test_full_batch_equals_gradient_descent_on_the_mean_gradient(data):
    config = data.draw(configs(max_layers=3, max_width=4))
    labels, samples = data.draw(datasets(config, max_samples=5))
    rate = 0.2
    net = neurons.Network(**config)
    reference = neurons.Network(**config)
    for _ in range(3):
        grads = [reference.get_gradient(t, x) for t, x in zip(labels, samples)]
        # The L2 term λW is in each sample's gradient, so it survives the mean unchanged.
        mean = [sum(g) / len(grads) for g in zip(*(flat(g) for g in grads))]
        stepped = [w - rate * g for w, g in zip(flat(reference.parameters()), mean)]
        reference.set_parameters(unflat(stepped, config["layer_sizes"]))
    net.train(labels, samples, rate, 3, batch_size=len(samples))
    for a, b in zip(flat(net.parameters()), flat(reference.parameters())):
        assert abs(a - b) <= 1e-12 * max(1.0, abs(b))


@given(st.data())
def test_batch_size_one_equals_repeated_train_one_sample(data):
    config = data.draw(configs(max_layers=3, max_width=4))
    labels, samples = data.draw(datasets(config, max_samples=5))
    a, b = neurons.Network(**config), neurons.Network(**config)
    loss_a = a.train(labels, samples, 0.1, 2)
    for _ in range(2):
        losses = [b.train_one_sample(t, x, 0.1) for t, x in zip(labels, samples)]
    assert flat(a.parameters()) == flat(b.parameters())  # same operations, same order
    assert loss_a == sum(losses) / len(losses)


def test_train_returns_mean_loss_measured_before_each_step():
    net = neurons.Network([2, 2], output="identity", seed=3)
    x, t = [1.0, -1.0], [0.5, 0.5]
    expected = net.loss(net.predict(x), t)
    assert net.train([t], [x], 0.1, 1) == expected
    assert net.loss(net.predict(x), t) < expected


def test_zero_epochs_changes_nothing():
    net = neurons.Network([2, 3, 1], seed=1)
    before = net.parameters()
    net.train([[1.0]], [[0.0, 1.0]], 0.5, 0)
    assert net.parameters() == before


@given(st.data())
def test_train_one_sample_is_the_four_phases(data):
    """train_one_sample = predict, calc_delta, calc_gradient, update_weight (bitwise)."""
    config = data.draw(configs(max_layers=4, max_width=5))
    labels, samples = data.draw(datasets(config, max_samples=1))
    one, staged = neurons.Network(**config), neurons.Network(**config)
    loss = one.train_one_sample(labels[0], samples[0], 0.3)
    assert loss == staged.loss(staged.predict(samples[0]), labels[0])
    staged.calc_delta(labels[0])
    staged.calc_gradient()
    staged.update_weight(0.3)
    assert flat(one.parameters()) == flat(staged.parameters())
    assert [c.gradient for c in one.connections] == [c.gradient for c in staged.connections]
    assert all(c.batch_sum == 0.0 for c in one.connections)
