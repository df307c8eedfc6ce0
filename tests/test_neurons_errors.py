"""neurons: every bad input raises a clear error and changes nothing."""

import math

import pytest

import neurons


@pytest.mark.parametrize("kwargs,error,words", [
    ({"layer_sizes": [3]}, ValueError, "at least two layers"),
    ({"layer_sizes": []}, ValueError, "at least two layers"),
    ({"layer_sizes": [3, 0, 2]}, ValueError, "layer_sizes entry must be at least 1, got 0"),
    ({"layer_sizes": [3, 2.5]}, TypeError, "layer_sizes entry must be an int, got 2.5"),
    ({"layer_sizes": [3, True]}, TypeError, "layer_sizes entry must be an int, got True"),
    ({"layer_sizes": [3, "2"]}, TypeError, "layer_sizes entry must be an int, got '2'"),
    ({"layer_sizes": 3}, TypeError,
     "layer_sizes must be a list or tuple of layer sizes, in order, got 3 (int)"),
    ({"layer_sizes": "784,10"}, TypeError, "layer_sizes"),
    ({"layer_sizes": [2, 2, 2], "activation": "sigmoidd"}, ValueError, "unknown hidden activation"),
    ({"layer_sizes": [2, 2, 2], "activation": "softmax"}, ValueError, "only allowed as the output"),
    ({"layer_sizes": [2, 2, 2, 2], "activation": ["relu"]}, ValueError,
     "activation has 1 names, the network has 2 hidden layers"),
    ({"layer_sizes": [2, 2, 2], "activation": 3}, TypeError,
     "activation must be a name or a list of names, got 3"),
    ({"layer_sizes": [2, 2], "output": "soft_max"}, ValueError, "unknown output activation"),
    ({"layer_sizes": [2, 2], "loss": "l1"}, ValueError, "unknown loss 'l1'"),
    ({"layer_sizes": [2, 2], "loss": "cross_entropy"}, ValueError,
     "loss 'cross_entropy' needs output='softmax', got output='sigmoid'"),
    ({"layer_sizes": [2, 2], "init": "zeros"}, ValueError, "unknown init 'zeros'"),
    ({"layer_sizes": [2, 2], "l2": -0.1}, ValueError, "l2 must be >= 0, got -0.1"),
    ({"layer_sizes": [2, 2], "l2": True}, TypeError, "l2 must be a number, got True"),
    ({"layer_sizes": [2, 2], "l2": math.nan}, ValueError, "l2 must be finite"),
    ({"layer_sizes": [2, 2], "seed": 1.5}, TypeError, "seed must be an int or None, got 1.5"),
    ({"layer_sizes": [2, 2], "seed": True}, TypeError, "seed must be an int or None, got True"),
])
def test_constructor_rejects(kwargs, error, words):
    sizes = kwargs.pop("layer_sizes")
    with pytest.raises(error) as info:
        neurons.Network(sizes, **kwargs)
    assert words in str(info.value)


@pytest.fixture
def net():
    return neurons.Network([3, 2, 2], seed=0)


@pytest.mark.parametrize("call,error,words", [
    (lambda n: n.predict([1.0, 2.0]), ValueError, "sample has 2 values, the input layer has 3"),
    (lambda n: n.predict([1.0, math.nan, 2.0]), ValueError,
     "sample contains non-finite values (NaN or inf)"),
    (lambda n: n.predict([1.0, math.inf, 2.0]), ValueError, "contains non-finite values"),
    (lambda n: n.predict([1.0, "a", 2.0]), TypeError, "sample must contain numbers, got 'a' (str)"),
    (lambda n: n.predict("abc"), TypeError, "sample must contain numbers, got a string"),
    (lambda n: n.predict(3.0), TypeError, "sample must contain numbers, got 3.0"),
    (lambda n: n.predict({1.0, 2.0, 3.0}), TypeError, "sample must contain numbers, got {"),
    (lambda n: n.train_one_sample([1.0], [1, 2, 3], 0.1), ValueError,
     "label has 1 values, the output layer has 2"),
    (lambda n: n.train_one_sample([1.0, math.nan], [1, 2, 3], 0.1), ValueError,
     "label contains non-finite values (NaN or inf)"),
    (lambda n: n.train_one_sample([1.0, 0.0], [1, 2, 3], 0.0), ValueError,
     "rate must be > 0, got 0.0"),
    (lambda n: n.train_one_sample([1.0, 0.0], [1, 2, 3], math.inf), ValueError, "rate must be"),
    (lambda n: n.train([[1.0, 0.0]], [[1, 2, 3], [1, 2, 3]], 0.1, 1), ValueError,
     "labels has 1 rows, the samples have 2"),
    (lambda n: n.train([[1, 0], [1, 0]], [[1, 2, 3], [1, 2]], 0.1, 1), ValueError,
     "data_set[1] has 2 values"),
    (lambda n: n.train([[1, 0], [1, 0]], [[1, 2, 3], [1, 2, math.nan]], 0.1, 1), ValueError,
     "data_set[1] contains non-finite values (NaN or inf)"),
    (lambda n: n.train([[1, 0]], [[1, 2, 3]], 0.1, -1), ValueError, "epoch must be at least 0"),
    (lambda n: n.train([[1, 0]], [[1, 2, 3]], 0.1, 1.5), TypeError,
     "epoch must be an int, got 1.5"),
    (lambda n: n.train([[1, 0]], [[1, 2, 3]], 0.1, 1, batch_size=0), ValueError,
     "batch_size must be at least 1"),
    (lambda n: n.get_gradient([1.0, 0.0], [1.0]), ValueError, "sample has 1 values"),
    (lambda n: n.loss([0.5], [1.0, 0.0]), ValueError, "output has 1 values"),
    (lambda n: n.set_parameters([]), ValueError, "params has 0 layers, the network has 2"),
    (lambda n: n.set_parameters([([[0.0] * 3] * 2, [0.0] * 2), ([[0.0] * 2] * 3, [0.0] * 2)]),
     ValueError, "params[1] W has 3 rows, layer 2 has 2 nodes"),
    (lambda n: n.set_parameters([([[0.0] * 3] * 2, [0.0] * 2), ([[0.0] * 3] * 2, [0.0] * 2)]),
     ValueError, "params[1] W[0] has 3 values, layer 1 has 2"),
    (lambda n: n.set_parameters([([[0.0] * 3] * 2, [0.0] * 2), ([[0.0] * 2] * 2, [0.0])]),
     ValueError, "params[1] b has 1 values, layer 2 has 2"),
    (lambda n: n.set_parameters([([[0.0] * 3] * 2, [0.0] * 2), ([[0.0] * 2] * 2, [0.0, math.inf])]),
     ValueError, "params[1] b contains non-finite values (NaN or inf)"),
])
def test_bad_input_is_refused_and_changes_nothing(net, call, error, words):
    before = net.parameters()
    with pytest.raises(error) as info:
        call(net)
    assert words in str(info.value)
    assert net.parameters() == before


def test_set_parameters_checks_everything_before_changing_anything(net):
    before = net.parameters()
    good_first_layer = ([[1.0] * 3] * 2, [1.0] * 2)
    with pytest.raises(ValueError):
        net.set_parameters([good_first_layer, ([[1.0] * 2] * 2, [1.0])])
    assert net.parameters() == before


# The words both packages share are held together in tests/test_surface.py.


def test_a_generator_works_as_layer_sizes():
    net = neurons.Network((n for n in (3, 2, 1)), seed=0)
    assert net.layer_sizes == (3, 2, 1)
    assert net.parameters() == neurons.Network([3, 2, 1], seed=0).parameters()
    with pytest.raises(ValueError) as info:
        neurons.Network(n for n in (3,))
    assert str(info.value) == "layer_sizes needs at least two layers (input, output), got (3,)"
