"""neurons: training runs the one home of each formula (DESIGN.md, "Where each formula lives").

Each test breaks one home by monkeypatching it and shows that training notices: a formula
written a second time somewhere else would let these pass unchanged.
"""

import pytest

import neurons
from neurons import Connection, Node
from tests.helpers import flat

PATTERNS = [[0.9 if i == k else 0.1 for i in range(8)] for k in range(8)]


def trained(l2=0.0, batch_size=1, epochs=200):
    net = neurons.Network([8, 3, 8], seed=0, l2=l2)
    loss = net.train(PATTERNS, PATTERNS, 1.0, epochs, batch_size=batch_size)
    return net, loss


@pytest.mark.parametrize("batch_size", [1, 4])
def test_update_weight_with_the_wrong_sign_makes_training_climb(monkeypatch, batch_size):
    _, good_loss = trained(batch_size=batch_size)
    start = neurons.Network([8, 3, 8], seed=0).train(PATTERNS, PATTERNS, 1.0, 1)

    def ascent(self, rate):  # w += η·gradient: gradient *ascent*
        self.weight += rate * self.gradient

    monkeypatch.setattr(Connection, "update_weight", ascent)
    _, bad_loss = trained(batch_size=batch_size)
    assert good_loss < start < bad_loss


@pytest.mark.parametrize("batch_size", [1, 4])
def test_calc_gradient_is_the_gradient_training_uses(monkeypatch, batch_size):
    reference, _ = trained(l2=0.01, batch_size=batch_size, epochs=3)
    original = Connection.calc_gradient

    def l2_on_biases_too(self, l2=0.0):  # the classic slip: decay every parameter
        original(self, l2)
        if self.upstream_node.is_const:
            self.gradient += l2 * self.weight

    monkeypatch.setattr(Connection, "calc_gradient", l2_on_biases_too)
    broken, _ = trained(l2=0.01, batch_size=batch_size, epochs=3)
    assert flat(broken.parameters()) != flat(reference.parameters())


def test_get_gradient_reads_connection_calc_gradient(monkeypatch):
    net = neurons.Network([2, 2, 1], seed=1)
    good = net.get_gradient([0.3], [0.5, -0.5])
    monkeypatch.setattr(Connection, "calc_gradient", lambda self, l2=0.0: None)
    for conn in net.connections:
        conn.gradient = 0.0
    assert net.get_gradient([0.3], [0.5, -0.5]) != good


@pytest.mark.parametrize("method", ["add_to_batch", "take_batch_mean"])
def test_mini_batches_step_through_the_connection_methods(monkeypatch, method):
    reference, _ = trained(batch_size=4, epochs=2)
    original = getattr(Connection, method)
    if method == "add_to_batch":
        def broken(self):  # forget every sample after the first of a batch
            if self.batch_sum == 0.0:
                original(self)
    else:
        def broken(self, batch_size):  # the sum, not the mean
            original(self, 1)
    monkeypatch.setattr(Connection, method, broken)
    net, _ = trained(batch_size=4, epochs=2)
    assert flat(net.parameters()) != flat(reference.parameters())


@pytest.mark.parametrize("method", [
    "calc_output", "calc_output_layer_delta", "calc_hidden_layer_delta"])
def test_node_formulas_run_in_training(monkeypatch, method):
    reference, _ = trained(epochs=2)
    original = getattr(Node, method)

    def off_by_a_little(self, *args):
        original(self, *args)
        if method == "calc_output":
            self.output *= 1.001
        else:
            self.delta *= 1.001

    monkeypatch.setattr(Node, method, off_by_a_little)
    net, _ = trained(epochs=2)
    assert flat(net.parameters()) != flat(reference.parameters())
