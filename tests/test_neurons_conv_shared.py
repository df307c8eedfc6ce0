"""neurons CNNs: a shared weight's gradient is the sum of its Connections' contributions (λw
once), 式5 steps it once, mini-batches step by its mean; pooling routes δ to the first maximum;
dropout only in training. Training runs the one home of each formula (monkeypatching a home
changes the result). Each checker is shown catching a wrong answer."""

import pytest

import neurons
from neurons import Connection
from neurons.pool import PoolNode
from neurons.shared import SharedConnection, SharedWeight

SPEC = ["2x5x5", "conv2x3p1", "pool2", 3, 2]
SAMPLE = [((7 * k) % 11) / 5.0 - 1.0 for k in range(50)]
LABEL = [0.9, 0.1]


def trained_net(l2=0.1, seed=4):
    net = neurons.Network(SPEC, activation=["tanh", "sigmoid"], l2=l2, seed=seed)
    net.get_gradient(LABEL, SAMPLE)
    return net


def check_sums(net):
    """Every shared weight's gradient = Σ of its Connections' −δ_j·x_i, plus λw once."""
    for w in net.shared_weights:
        contributions = [-c.downstream_node.delta * c.upstream_node.output for c in w.connections]
        assert [c.gradient for c in w.connections] == contributions
        expected = (0.0 if w.is_bias else net.l2 * w.weight) + sum(contributions)
        assert w.gradient == pytest.approx(expected, rel=1e-12, abs=1e-15), w


def test_shared_gradient_is_the_sum_of_its_connections():
    net = trained_net()
    check_sums(net)
    assert len({len(w.connections) for w in net.shared_weights}) > 1  # padding: fewer uses
    (dW, db) = net.get_gradient(LABEL, SAMPLE)[0]
    assert dW[1][0][2][1] == net.layers[1].W[1][0][2][1].gradient
    assert db == [w.gradient for w in net.layers[1].b]


def test_sum_checker_catches_l2_added_per_connection(monkeypatch):
    original = SharedWeight.calc_gradient

    def decay_per_use(self, l2=0.0):  # the slip the design avoids: λw once per Connection
        original(self, l2)
        if not self.is_bias:
            self.gradient += l2 * self.weight * (len(self.connections) - 1)

    monkeypatch.setattr(SharedWeight, "calc_gradient", decay_per_use)
    with pytest.raises(AssertionError):
        check_sums(trained_net())


def test_sum_checker_catches_a_sum_that_keeps_only_the_last_use(monkeypatch):
    def overwrite(self, l2=0.0):
        self.gradient = self.connections[-1].gradient

    monkeypatch.setattr(SharedWeight, "calc_gradient", overwrite)
    with pytest.raises(AssertionError):
        check_sums(trained_net(l2=0.0))


def test_a_shared_connection_is_a_connection_without_l2():
    """SharedConnection runs Connection.calc_gradient itself; λw is its weight's, added once."""
    net = trained_net()
    conn = net.shared_weights[0].connections[0]
    assert isinstance(conn, SharedConnection)
    assert type(conn).calc_gradient is Connection.calc_gradient
    conn.calc_gradient(10.0)
    assert conn.gradient == -conn.downstream_node.delta * conn.upstream_node.output


def test_update_steps_each_shared_weight_once_and_every_use_sees_it():
    net = trained_net()
    before = {id(w): (w.weight, w.gradient) for w in net.weights}
    net.update_weight(0.5)
    for w in net.weights:
        old, gradient = before[id(w)]
        assert w.weight == old - 0.5 * gradient  # 式5, once
    for w in net.shared_weights:
        assert all(c.weight == w.weight for c in w.connections)


def test_a_mini_batch_steps_by_the_mean_of_the_summed_gradients():
    samples = [SAMPLE, SAMPLE[::-1], [v * 0.5 for v in SAMPLE]]
    labels = [LABEL, [0.1, 0.9], LABEL]
    ref = neurons.Network(SPEC, l2=0.1, seed=2)
    start = ref.parameters()
    grads = [ref.get_gradient(t, x) for t, x in zip(labels, samples)]
    net = neurons.Network(SPEC, l2=0.1, seed=2)
    net.train(labels, samples, 0.3, 1, batch_size=3)
    after = net.parameters()
    (W0, b0), (W1, b1) = start[0], after[0]
    for f in range(2):
        for c in range(2):
            for u in range(3):
                for v in range(3):
                    mean = sum(g[0][0][f][c][u][v] for g in grads) / 3
                    assert W1[f][c][u][v] == pytest.approx(W0[f][c][u][v] - 0.3 * mean,
                                                           rel=1e-12, abs=1e-15)
    for f in range(2):
        mean = sum(g[0][1][f] for g in grads) / 3
        assert b1[f] == pytest.approx(b0[f] - 0.3 * mean, rel=1e-12, abs=1e-15)
    assert all(w.batch_sum == 0.0 for w in net.weights)  # the sums restart


def route(values, shape, K):
    """Where the δ of each pool node lands: indices of the map nodes with a nonzero δ, when
    the network's only output reads every pool node with weight 1."""
    C, H, W = shape
    net = neurons.Network([f"{C}x{H}x{W}", f"conv{C}x1", f"pool{K}", 1], activation="identity",
                          output="identity", seed=0)
    eye = [[[[1.0 if c == d else 0.0]] for d in range(C)] for c in range(C)]
    n_pool = len(net.layers[2].nodes)
    net.set_parameters([(eye, [0.0] * C), ([[1.0] * n_pool], [0.0])])
    y = net.predict(values)
    net.calc_delta([y[0] + 1.0])  # δ = 1 at the output and every pool node
    return [k for k, node in enumerate(net.layers[1].nodes) if node.delta != 0.0]


def test_pooling_routes_delta_to_the_first_maximum():
    x = [3.0, 5.0, 7.0, 7.0,
         5.0, 1.0, 7.0, 7.0]  # windows: a tie on the anti-diagonal, all four equal
    assert route(x, (1, 2, 4), 2) == [1, 2]
    # rows and columns beyond ⌊H/K⌋·K belong to no window and get no δ
    x = [0.0, 0.0, 9.0,
         0.0, 2.0, 9.0,
         9.0, 9.0, 9.0]
    assert route(x, (1, 3, 3), 2) == [4]
    net = neurons.Network(["1x2x2", "pool2", 1], seed=0)
    net.predict([4.0, 4.0, 4.0, 4.0])
    pool = net.layers[1].nodes[0]
    assert isinstance(pool, PoolNode) and pool.winner is net.layers[0].nodes[0]
    assert [c.weight for c in pool.upstream] == [1.0, 0.0, 0.0, 0.0]


def test_tie_checker_catches_the_last_maximum(monkeypatch):
    def last_max(self):
        winner = None
        for conn in self.upstream:
            if winner is None or conn.upstream_node.output >= winner.output:
                winner = conn.upstream_node
        self.winner = winner
        self.net = self.output = winner.output

    monkeypatch.setattr(PoolNode, "calc_output", last_max)
    assert route([3.0, 5.0, 7.0, 7.0, 5.0, 1.0, 7.0, 7.0], (1, 2, 4), 2) != [1, 2]


def test_dropout_only_in_training():
    spec = [4, 6, "drop0.5", 2]
    net = neurons.Network(spec, seed=9)
    x, t = [0.1, -0.4, 0.8, 0.3], [1.0, 0.0]
    clean = net.predict(x)
    assert net.predict(x) == clean and net.predict(x, training=False) == clean
    masks = set()
    for _ in range(20):
        net.predict(x, training=True)
        masks.add(tuple(c.weight for n in net.layers[2].nodes for c in n.upstream))
    assert masks <= {m for m in masks if set(m) <= {0.0, 2.0}} and len(masks) > 1
    assert net.predict(x) == clean  # back to the identity
    # the same seed gives the same masks, and the masks never touch the initial parameters
    a, b = neurons.Network(spec, seed=9), neurons.Network(spec, seed=9)
    assert a.train([t], [x], 0.5, 3) == b.train([t], [x], 0.5, 3)
    assert a.parameters() == b.parameters()
    assert neurons.Network([4, 6, 2], seed=9).parameters() == neurons.Network(
        spec, seed=9).parameters()
    # drop0 is no dropout at all
    plain, zero = neurons.Network([4, 6, 2], seed=1), neurons.Network([4, 6, "drop0", 2], seed=1)
    plain.train([t, t], [x, x[::-1]], 0.5, 2)
    zero.train([t, t], [x, x[::-1]], 0.5, 2)
    assert plain.parameters() == zero.parameters()


def test_a_dropped_node_learns_nothing_from_that_sample():
    net = neurons.Network([3, 8, "drop0.5", 1], seed=3)
    before = net.parameters()[0]
    net.train_one_sample([1.0], [0.5, -0.5, 0.25], 1.0)
    after = net.parameters()[0]
    dropped = [j for j, n in enumerate(net.layers[2].nodes) if n.upstream[0].weight == 0.0]
    kept = [j for j in range(8) if j not in dropped]
    assert dropped and kept
    assert all(after[0][j] == before[0][j] and after[1][j] == before[1][j] for j in dropped)
    assert all(after[0][j] != before[0][j] for j in kept)


def flat(net):
    return [v for W, b in net.parameters() for v in _flat(W) + b]


def _flat(nested):
    return [v for item in nested for v in _flat(item)] if isinstance(nested, list) else [nested]


def train_cnn(batch_size=1):
    net = neurons.Network(SPEC, l2=0.01, seed=0)
    net.train([LABEL, [0.1, 0.9]], [SAMPLE, SAMPLE[::-1]], 0.5, 2, batch_size=batch_size)
    return flat(net)


@pytest.mark.parametrize("batch_size", [1, 2])
@pytest.mark.parametrize("home, method", [
    (Connection, "update_weight"), (Connection, "calc_gradient"),
    (Connection, "add_to_batch"), (Connection, "take_batch_mean"),
    (SharedWeight, "calc_gradient"),
])
def test_cnn_training_runs_the_connection_homes(monkeypatch, home, method, batch_size):
    """Breaking a home of Connection breaks the shared weights' training too: they run the same
    code (and SharedWeight.calc_gradient's sum, λw once, is what they step by)."""
    reference = train_cnn(batch_size)
    original = getattr(home, method)

    def broken(self, *args):
        original(self, *args)
        self.gradient *= 1.5
        if method == "add_to_batch":
            self.batch_sum *= 1.5
        if method == "update_weight":
            self.weight *= 0.999

    monkeypatch.setattr(home, method, broken)
    changed = train_cnn(batch_size)
    shared = len(neurons.Network(SPEC, seed=0).layers[1].shared_weights())
    assert changed[:shared] != reference[:shared]  # the conv layer's own numbers (train sums
    # every batch, one sample too, through the same methods)


def test_a_cnn_step_runs_the_node_and_connection_homes(monkeypatch):
    """Formula (1) is Node.calc_output for every conv node, 式4 Node.calc_hidden_layer_delta
    for conv and pool nodes, −δx Connection.calc_gradient and 式5 Connection.update_weight for
    the shared weights: a breakpoint on those lines fires for the CNN's objects."""
    from neurons import Node
    from neurons.conv import ConvNode

    seen = {}
    for cls, name in ((Node, "calc_output"), (Node, "calc_hidden_layer_delta"),
                      (Connection, "calc_gradient"), (Connection, "update_weight")):
        original = getattr(cls, name)

        def spy(self, *args, _original=original, _name=name):
            seen.setdefault(_name, set()).add(type(self).__name__)
            return _original(self, *args)

        monkeypatch.setattr(cls, name, spy)
    neurons.Network(SPEC, seed=0).train_one_sample(LABEL, SAMPLE, 0.1)
    assert {"ConvNode", "Node"} <= seen["calc_output"]
    assert {"ConvNode", "PoolNode"} <= seen["calc_hidden_layer_delta"]
    assert {"SharedConnection", "Connection"} <= seen["calc_gradient"]
    assert {"SharedWeight", "Connection"} <= seen["update_weight"]
    assert ConvNode.calc_output is Node.calc_output  # one home, inherited
