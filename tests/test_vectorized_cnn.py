"""vectorized.Network on CNN specs: a tiny CNN worked by hand through the four phases, the
input forms, seeded initialisation order, parameters/set_parameters, config/repr/dump, dropout
only in training, and one clear error per bad spec or input. Each checker is shown catching a
wrong answer."""

import json
import random

import numpy as np
import pytest

import vectorized
import vectorized.fast
from vectorized.conv import ConvLayer

TINY = ["1x3x3", "conv1x2", "pool2", 1]
X = np.arange(1.0, 10.0)  # the 3×3 input 1…9, row by row


def tiny_net(engine=vectorized):
    net = engine.Network(TINY, activation="identity", output="identity", seed=0)
    net.set_parameters([([[[[1.0, 2.0], [3.0, 4.0]]]], [0.0]), ([[0.5]], [1.0])])
    return net


def check_tiny_by_hand(net):
    """Worked by hand (exact in binary): conv maps [[37, 47], [67, 77]] (e.g. 1·5 + 2·6 + 3·8 +
    4·9 = 77), pooling keeps 77 at (1, 1), y = 0.5·77 + 1 = 39.5. With t = 40 and ½(t − y)²:
    E = 0.125, δ_out = t − y = 0.5 (式7), the pool's δ = w·δ = 0.25 (式8), the conv δ is 0.25
    at (1, 1) and 0 elsewhere; ∂E/∂W_conv = −0.25·[[5, 6], [8, 9]] (the patch at (1, 1)),
    ∂E/∂b_conv = −0.25, ∂E/∂w = −0.5·77, ∂E/∂b = −0.5; then a step of η = 0.1."""
    assert net.predict(X).tolist() == [39.5]
    conv, pool, fc = net.layers
    assert conv.output.tolist() == [[[37.0, 47.0], [67.0, 77.0]]]
    assert pool.output.tolist() == [[[77.0]]]
    net.calc_delta([40.0])
    assert fc.delta.tolist() == [0.5] and pool.delta.tolist() == [[[0.25]]]
    assert conv.delta.tolist() == [[[0.0, 0.0], [0.0, 0.25]]]
    net.calc_gradient()
    assert conv.W_grad.tolist() == [[[[-1.25, -1.5], [-2.0, -2.25]]]]
    assert conv.b_grad.tolist() == [-0.25]
    assert fc.W_grad.tolist() == [[-38.5]] and fc.b_grad.tolist() == [-0.5]
    net.update_weight(0.1)
    (W1, b1), (W2, b2) = net.parameters()
    np.testing.assert_allclose(W1, [[[[1.125, 2.15], [3.2, 4.225]]]], rtol=1e-15)
    np.testing.assert_allclose(b1, [0.025], rtol=1e-15)
    np.testing.assert_allclose(W2, [[4.35]], rtol=1e-15)
    np.testing.assert_allclose(b2, [1.05], rtol=1e-15)
    assert net.loss([39.5], [40.0]) == 0.125


@pytest.mark.parametrize("engine", [vectorized, vectorized.fast], ids=["textbook", "fast"])
def test_tiny_cnn_worked_by_hand(engine):
    check_tiny_by_hand(tiny_net(engine))


class TrueConvolution(ConvLayer):
    """Wrong on purpose: a true convolution (flipped kernel) instead of formula (1)."""

    def forward(self, x):
        W = self.W.copy()
        self.W[...] = W[:, :, ::-1, ::-1]
        try:
            return super().forward(x)
        finally:
            self.W[...] = W


def test_hand_check_catches_a_true_convolution():
    net = tiny_net()
    net.layers[0].__class__ = TrueConvolution
    with pytest.raises(AssertionError):
        check_tiny_by_hand(net)


def test_train_one_sample_is_the_phases_and_every_input_form_agrees():
    by_hand = tiny_net()
    by_hand.predict(X)
    by_hand.calc_delta([40.0])
    by_hand.calc_gradient()
    by_hand.update_weight(0.1)
    for sample in (X, X.reshape(1, 3, 3), X.tolist()):
        net = tiny_net()
        assert net.train_one_sample([40.0], sample, 0.1) == 0.125
        for (W, b), (W0, b0) in zip(net.parameters(), by_hand.parameters()):
            assert np.array_equal(W, W0) and np.array_equal(b, b0)
    net = tiny_net()
    batch = np.stack([X, X[::-1]])
    expected = net.predict(batch)
    for form in (batch.reshape(2, 1, 3, 3), batch.tolist()):
        assert np.array_equal(net.predict(form), expected)
    assert np.array_equal(expected[1], net.predict(X[::-1]))


def test_initialisation_follows_the_spec_order():
    """random.Random(seed), layer by layer: conv W row-major then b; pool draws nothing; the
    fully connected W[j][i] then b."""
    net = vectorized.Network(["2x4x4", "conv3x2", "pool3", 2, 2], seed=11)
    rng = random.Random(11)
    draws = [rng.uniform(-0.1, 0.1) for _ in range(24 + 3 + 3 * 2 + 2 + 2 * 2 + 2)]
    flat = np.concatenate([a.ravel() for pair in net.parameters() for a in pair])
    assert flat.tolist() == draws
    he = vectorized.Network(["2x4x4", "conv3x2", 2], init="he", seed=11)
    rng = random.Random(11)
    bound = (6.0 / 8) ** 0.5  # fan_in = C·K·K = 8
    assert he.parameters()[0][0].ravel().tolist() == [rng.uniform(-bound, bound)
                                                      for _ in range(24)]


def test_parameters_round_trip_and_errors():
    net = vectorized.Network(["1x5x5", "conv2x3", "pool2", 3, "drop0.5", 2], seed=1)
    params = net.parameters()
    assert [(W.shape, b.shape) for W, b in params] == [((2, 1, 3, 3), (2,)), ((3, 2), (3,)),
                                                       ((2, 3), (2,))]
    other = vectorized.Network(net.config()["layer_sizes"], seed=2)
    other.set_parameters([(W.tolist(), b.tolist()) for W, b in params])
    for (W, b), (W0, b0) in zip(other.parameters(), params):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    before = other.parameters()
    bad = [(params[0][0].reshape(2, 9), params[0][1])] + params[1:]
    with pytest.raises(ValueError, match=r"params\[0\] W must be a 2×1×3×3 array, got "
                                         r"shape \(2, 9\)"):
        other.set_parameters(bad)
    with pytest.raises(ValueError, match="params has 4 layers, the network has 3 with param"):
        other.set_parameters(params + params[:1])
    for (W, b), (W0, b0) in zip(other.parameters(), before):  # nothing changed
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_config_repr_and_dump(capsys):
    net = vectorized.Network(["1x6x6", "conv2x3s1p1", "pool2", 4, "drop0.5", 3],
                             activation=["relu", "tanh"], output="softmax",
                             loss="cross_entropy", seed=3, dtype="float32")
    config = json.loads(json.dumps(net.config()))
    assert config["layer_sizes"] == ["1x6x6", "conv2x3s1p1", "pool2", 4, "drop0.5", 3]
    again = vectorized.Network(**config)
    for (W, b), (W0, b0) in zip(again.parameters(), net.parameters()):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    assert repr(net) == ("Network(['1x6x6', 'conv2x3s1p1', 'pool2', 4, 'drop0.5', 3], "
                         "relu,tanh,softmax/cross_entropy, 111 parameters, float32)")  # 20+76+15
    net.dump()
    out = capsys.readouterr().out
    assert "layer 1: conv 2 filters 3x3, stride 1, padding 1: 1x6x6 -> 2x6x6, relu" in out
    assert "layer 2: max-pool 2x2: 2x6x6 -> 2x3x3" in out
    assert "layer 3: 18 -> 4, tanh" in out and "layer 4: dropout p = 0.5" in out
    assert (net.input_shape, net.input_size, net.output_size) == ((1, 6, 6), 36, 3)


def assert_no_dropout_outside_training(net, plain, t, x):
    """predict and get_gradient give the numbers of the same network without dropout."""
    assert np.array_equal(net.predict(x), plain.predict(x))
    for (dW, db), (pW, pb) in zip(net.get_gradient(t, x), plain.get_gradient(t, x)):
        assert np.array_equal(dW, pW) and np.array_equal(db, pb)


class AlwaysDrop(vectorized.Dropout):
    """Wrong on purpose: drops in predict too."""

    def forward(self, x, training=False):
        return super().forward(x, training=True)


def test_dropout_checker_catches_dropping_in_predict():
    net = vectorized.Network(["1x4x4", "conv2x3", 5, "drop0.5", 2], seed=5)
    plain = vectorized.Network(["1x4x4", "conv2x3", 5, 2], seed=5)
    t, x = np.full((3, 2), 0.5), np.random.default_rng(0).uniform(-1, 1, (3, 16))
    net.layers[2].__class__ = AlwaysDrop
    with pytest.raises(AssertionError):
        assert_no_dropout_outside_training(net, plain, t, x)


def test_dropout_only_in_training():
    spec = ["1x4x4", "conv2x3", 5, "drop0.5", 2]
    net = vectorized.Network(spec, seed=5)
    plain = vectorized.Network(["1x4x4", "conv2x3", 5, 2], seed=5)
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16))
    t = np.random.default_rng(1).uniform(0, 1, (3, 2))
    # predict, get_gradient and loss never drop: the same numbers as without the dropout layer
    assert_no_dropout_outside_training(net, plain, t, x)
    state = net.dropout_rng.bit_generator.state
    net.get_gradient(t, x)
    assert net.dropout_rng.bit_generator.state == state  # no mask drawn
    # training drops: masks from dropout_rng, the same seed gives the same run
    twin = vectorized.Network(spec, seed=5)
    net.train(t, x, 0.5, 2, batch_size=2)
    twin.train(t, x, 0.5, 2, batch_size=2)
    plain.train(t, x, 0.5, 2, batch_size=2)
    for (W, b), (W0, b0) in zip(net.parameters(), twin.parameters()):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    assert not np.array_equal(net.parameters()[1][0], plain.parameters()[1][0])
    drop = net.layers[2]
    net.train_one_sample(t[0], x[0], 0.5)
    assert drop.mask is not None and set(np.unique(drop.mask)) <= {0.0, 2.0}
    # restoring the generator's state replays the masks exactly (what --resume relies on)
    state = net.dropout_rng.bit_generator.state
    params = net.parameters()
    net.train(t, x, 0.5, 1)
    after = net.parameters()
    net.set_parameters(params)
    net.dropout_rng.bit_generator.state = state
    net.train(t, x, 0.5, 1)
    for (W, b), (W0, b0) in zip(net.parameters(), after):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    assert vectorized.Network(["1x4x4", "conv2x3", 2], seed=5).dropout_rng is None


@pytest.mark.parametrize("sizes, message", [
    (["1x4x4", "conv0x3", 2], r"layer_sizes\[1\] = 'conv0x3': a conv layer needs at least 1"),
    (["1x4x4", "conv2x5", 2], r"layer_sizes\[1\] = 'conv2x5': a 5x5 kernel does not fit the "
                              r"4x4 input"),
    (["1x4x4", "pool5", 2], r"layer_sizes\[1\] = 'pool5': 5x5 pooling leaves nothing"),
    (["1x4x4", "dense3", 2], r"layer_sizes\[1\] = 'dense3': unknown layer"),
    (["1x4x4", "conv2x3", "drop0.5", 2], r"layer_sizes\[2\] = 'drop0.5': dropout must follow"),
    (["1x4x4", "conv2x3", "pool1"], r"layer_sizes\[2\] = 'pool1': the last entry must be the "
                                    r"output layer"),
    (["1x4", "conv2x3", 2], r"layer_sizes\[0\] = '1x4': the input must be"),
])
def test_bad_specs_name_the_entry(sizes, message):
    for engine in (vectorized, vectorized.fast):
        with pytest.raises(ValueError, match=message):
            engine.Network(sizes)


def test_bad_inputs_name_the_shape_and_change_nothing():
    net = vectorized.Network(["1x4x4", "conv2x3", "pool2", 2], activation=["relu"], seed=0)
    before = net.parameters()
    with pytest.raises(ValueError, match=r"sample has 15 values, the input layer 1x4x4 has 16"):
        net.predict(np.ones(15))
    with pytest.raises(ValueError, match=r"sample has shape \(4, 4\)"):
        net.train_one_sample([0.0, 1.0], np.ones((4, 4)), 0.1)
    with pytest.raises(ValueError, match=r"sample has shape \(1, 16\); .* takes 16 values or "
                                         r"\(1, 4, 4\)$"):
        net.train_one_sample([0.0, 1.0], np.ones((1, 16)), 0.1)  # one sample, not a batch
    with pytest.raises(ValueError, match=r"data_set has shape \(3, 2, 4, 4\)"):
        net.train(np.zeros((3, 2)), np.ones((3, 2, 4, 4)), 0.1, 1)
    with pytest.raises(ValueError, match="labels has 2 rows, the samples have 3"):
        net.train(np.zeros((2, 2)), np.ones((3, 16)), 0.1, 1)
    with pytest.raises(ValueError, match="non-finite"):
        net.get_gradient([0.0, 1.0], np.full((1, 4, 4), np.nan))
    with pytest.raises(ValueError, match="activation has 2 names, the network has 1 hidden"):
        vectorized.Network(["1x4x4", "conv2x3", "pool2", 2], activation=["relu", "relu"])
    for (W, b), (W0, b0) in zip(net.parameters(), before):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_training_runs_each_formula_in_its_home(monkeypatch):
    """A breakpoint on each CNN formula's home fires during train_one_sample (DESIGN.md)."""
    from vectorized.dropout import Dropout
    from vectorized.layer import FullConnectedLayer
    from vectorized.pool import MaxPoolingLayer

    homes = [(ConvLayer, "forward"), (ConvLayer, "backward"), (ConvLayer, "error_below"),
             (ConvLayer, "calc_gradient"), (ConvLayer, "update"),
             (MaxPoolingLayer, "forward"), (MaxPoolingLayer, "backward"),
             (MaxPoolingLayer, "error_below"), (Dropout, "error_below"),
             (FullConnectedLayer, "backward")]
    fired = set()
    for cls, name in homes:
        method = getattr(cls, name)
        monkeypatch.setattr(cls, name, lambda self, *a, _m=method, _k=(cls, name), **kw:
                            fired.add(_k) or _m(self, *a, **kw))
    net = vectorized.Network(["2x8x8", "conv3x3", "pool2", "conv2x2", "pool1", 4, "drop0.5", 3, 2],
                             seed=0)
    net.train_one_sample([0.0, 1.0], np.ones(128), 0.1)
    assert fired == set(homes)
