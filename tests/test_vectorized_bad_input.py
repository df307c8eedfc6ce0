"""vectorized.Network on bad input: a clear error that names the argument, and nothing changed."""

import numpy as np
import pytest

from vectorized import Network


def bad_calls():
    good_x, good_t = [0.1, 0.2, 0.3], [0.9, 0.1]
    data, labels = [good_x, good_x], [good_t, good_t]
    return [
        ("sample length", ValueError, lambda n: n.train_one_sample(good_t, [0.1, 0.2], 0.1)),
        ("sample 2-D", ValueError, lambda n: n.train_one_sample(good_t, [good_x], 0.1)),
        ("sample NaN", ValueError, lambda n: n.train_one_sample(good_t, [0.1, np.nan, 0], 0.1)),
        ("sample inf", ValueError, lambda n: n.get_gradient(good_t, [0.1, np.inf, 0])),
        ("sample str", TypeError, lambda n: n.train_one_sample(good_t, ["a", "b", "c"], 0.1)),
        ("sample bare str", TypeError, lambda n: n.predict("abc")),
        ("sample object", TypeError,
         lambda n: n.train_one_sample(good_t, np.array([1, None, 2]), 0.1)),
        ("sample bool", TypeError, lambda n: n.predict(np.array([True, False, True]))),
        ("sample ragged", ValueError, lambda n: n.predict([[1, 2, 3], [1, 2]])),
        ("sample 3-D", ValueError, lambda n: n.predict(np.zeros((1, 1, 3)))),
        ("label length", ValueError, lambda n: n.train_one_sample([0.9], good_x, 0.1)),
        ("label NaN", ValueError, lambda n: n.train_one_sample([0.9, np.nan], good_x, 0.1)),
        ("label str", TypeError, lambda n: n.train_one_sample(["x", "y"], good_x, 0.1)),
        ("batch label 1-D", ValueError, lambda n: n.get_gradient(good_t, data)),
        ("batch label rows", ValueError, lambda n: n.get_gradient([good_t], data)),
        ("empty batch", ValueError, lambda n: n.get_gradient(np.zeros((0, 2)), np.zeros((0, 3)))),
        ("rate 0", ValueError, lambda n: n.train_one_sample(good_t, good_x, 0.0)),
        ("rate negative", ValueError, lambda n: n.train(labels, data, -1.0, 1)),
        ("rate nan", ValueError, lambda n: n.train(labels, data, float("nan"), 1)),
        ("rate inf", ValueError, lambda n: n.train_one_sample(good_t, good_x, float("inf"))),
        ("rate str", TypeError, lambda n: n.train_one_sample(good_t, good_x, "0.1")),
        ("rate bool", TypeError, lambda n: n.train_one_sample(good_t, good_x, True)),
        ("epoch negative", ValueError, lambda n: n.train(labels, data, 0.1, -1)),
        ("epoch float", TypeError, lambda n: n.train(labels, data, 0.1, 1.5)),
        ("epoch bool", TypeError, lambda n: n.train(labels, data, 0.1, True)),
        ("batch_size 0", ValueError, lambda n: n.train(labels, data, 0.1, 1, batch_size=0)),
        ("batch_size float", TypeError, lambda n: n.train(labels, data, 0.1, 1, batch_size=2.0)),
        ("labels length", ValueError, lambda n: n.train(labels[:1], data, 0.1, 1)),
        ("data width", ValueError, lambda n: n.train(labels, [[1, 2], [3, 4]], 0.1, 1)),
        ("data 1-D", TypeError, lambda n: n.train(labels, good_x, 0.1, 1)),
        ("data empty", ValueError, lambda n: n.train([], [], 0.1, 1)),
        # a bad value in the last row: nothing may be trained on the first rows
        ("data NaN late", ValueError,
         lambda n: n.train(labels, [good_x, [0.1, np.nan, 0.3]], 0.1, 1)),
        ("labels NaN late", ValueError,
         lambda n: n.train([good_t, [np.inf, 0.1]], data, 0.1, 1)),
        ("labels width", ValueError, lambda n: n.train([[1.0], [1.0]], data, 0.1, 1)),
        ("loss output shape", ValueError, lambda n: n.loss([0.1, 0.2, 0.3], good_t)),
        ("loss label shape", ValueError, lambda n: n.loss([0.1, 0.2], [0.1])),
        ("loss NaN", ValueError, lambda n: n.loss([0.1, np.nan], good_t)),
        ("params count", ValueError, lambda n: n.set_parameters(n.parameters()[:1])),
        ("params W shape", ValueError,
         lambda n: n.set_parameters([(np.zeros((3, 4)), np.zeros(4)), n.parameters()[1]])),
        ("params b shape late", ValueError,
         lambda n: n.set_parameters([(np.zeros((4, 3)), np.zeros(4)),
                                     (np.zeros((2, 4)), np.zeros(3))])),
        ("params NaN late", ValueError,
         lambda n: n.set_parameters([(np.zeros((4, 3)), np.zeros(4)),
                                     (np.full((2, 4), np.nan), np.zeros(2))])),
        ("params str", TypeError,
         lambda n: n.set_parameters([(np.zeros((4, 3)), np.zeros(4)),
                                     ([["a"] * 4] * 2, np.zeros(2))])),
        ("params not pairs", ValueError, lambda n: n.set_parameters([1, 2])),
        ("l2 negative", ValueError, lambda n: setattr(n, "l2", -0.1)),
    ]


@pytest.mark.parametrize("what,error,call", bad_calls(), ids=[c[0] for c in bad_calls()])
def test_bad_input_raises_and_changes_nothing(what, error, call):
    net = Network([3, 4, 2], seed=1, l2=0.1)
    before = net.parameters()
    with pytest.raises(error) as info:
        call(net)
    assert "broadcast" not in str(info.value)
    for (W, b), (W0, b0) in zip(net.parameters(), before):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    assert net.l2 == 0.1


def test_error_messages_name_the_argument():
    net = Network([784, 3, 2])
    with pytest.raises(ValueError, match="sample has 3 values, the input layer has 784"):
        net.predict([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="label has 1 values, the output layer has 2"):
        net.train_one_sample([1.0], np.zeros(784), 0.1)
    with pytest.raises(ValueError, match="rate"):
        net.train_one_sample([1.0, 0.0], np.zeros(784), 0.0)


@pytest.mark.parametrize("kwargs,error", [
    (dict(layer_sizes=[3]), ValueError),
    (dict(layer_sizes=[]), ValueError),
    (dict(layer_sizes=[3, 0, 2]), ValueError),
    (dict(layer_sizes=[3, -1]), ValueError),
    (dict(layer_sizes=[3, 2.0]), TypeError),
    (dict(layer_sizes=[3, True]), TypeError),
    (dict(layer_sizes=[3, "4"]), TypeError),
    (dict(layer_sizes="34"), TypeError),
    (dict(layer_sizes=5), TypeError),
    (dict(activation="sigmod"), ValueError),
    (dict(activation="softmax"), ValueError),
    (dict(activation=["relu", "relu"]), ValueError),  # one hidden layer
    (dict(activation=[]), ValueError),
    (dict(activation=3), TypeError),
    (dict(output="sofmax"), ValueError),
    (dict(loss="mae"), ValueError),
    (dict(loss="cross_entropy"), ValueError),  # output is sigmoid
    (dict(init="normal"), ValueError),
    (dict(l2=-1.0), ValueError),
    (dict(l2=float("inf")), ValueError),
    (dict(l2="0.1"), TypeError),
    (dict(l2=True), TypeError),
    (dict(seed=1.5), TypeError),
    (dict(dtype="float16"), ValueError),
    (dict(dtype="int32"), ValueError),
    (dict(dtype=None), ValueError),
])
def test_bad_constructor_arguments(kwargs, error):
    arguments = dict(layer_sizes=[3, 4, 2])
    arguments.update(kwargs)
    with pytest.raises(error):
        Network(**arguments)


def test_good_constructor_variants():
    assert Network([3, 2], activation=[]).layer_sizes == (3, 2)
    assert Network((np.int64(3), 4, 2), activation=("relu",)).layer_sizes == (3, 4, 2)
    assert Network([3, 2], dtype=np.float32).dtype == np.float32
    net = Network([3, 2], output="softmax", loss="cross_entropy", seed=1)
    assert net.predict([1, 2, 3]).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_one_sample_fast_checks_still_catch_non_finite_values(bad):
    net = Network([3, 2], seed=0)
    sample, label = np.array([0.5, bad, 0.1]), np.array([0.1, bad])
    with pytest.raises(ValueError, match="sample contains non-finite"):
        net.train_one_sample([0.1, 0.9], sample, 0.1)
    with pytest.raises(ValueError, match="label contains non-finite"):
        net.train_one_sample(label, [0.5, 0.2, 0.1], 0.1)
