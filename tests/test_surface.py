"""One surface: neurons, vectorized and vectorized.fast refuse the same bad input with the same
exception type and a message that names the argument, what was expected and what was given
(the wording may differ), and leave the network untouched. tests/test_siblings_agree.py checks
the rest of the surface: the exported names, the public attributes and the tables the two
packages each hold a copy of.

Each bad call below comes with a reference message (neurons' own); :func:`parts` reads the
three facts out of it, and every engine's message must name all three. ``outcome`` runs one
call against one engine; ``disagreements`` lists the engines that break the rule. The last
tests plant a break and show it caught, and show other words for the same facts accepted.
"""

import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurons
import vectorized
import vectorized.fast
from tests.helpers import flat

ENGINES = {"neurons": neurons, "vectorized": vectorized, "fast": vectorized.fast}
X, T = [0.1, 0.2, 0.3], [0.9, 0.1]
ZERO1 = ([[0.0] * 3] * 4, [0.0] * 4)  # a valid first layer of [3, 4, 2]


def layer2(W=None, b=None):
    return [ZERO1, ([[0.0] * 4] * 2 if W is None else W, [0.0] * 2 if b is None else b)]


def outcome(package, call):
    """(exception type, message, untouched) of ``call(net)`` on a [3, 4, 2] network."""
    net = package.Network([3, 4, 2], seed=1, l2=0.1)
    before = flat(net.parameters())
    try:
        call(net)
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        kind, words = type(error), str(error)
    else:
        kind, words = None, "no error"
    return kind, words, flat(net.parameters()) == before and net.l2 == 0.1


# (pattern of a reference message, the facts it names: argument, expected, given)
FACTS = [
    (r"(.+?) must contain numbers, got (?:.* \((\w+)\)|(.+))",
     lambda g: (g[0], "numbers", g[1] or g[2])),
    (r"(.+?) has (\d+) (\w+), .*? (\d+)(?: \w+)*", lambda g: (g[0], g[3], f"{g[1]} {g[2]}")),
    (r"(.+?) contains (non-finite) values \(NaN or inf\)", lambda g: (g[0], "finite", g[1])),
    (r"(.+?) is (empty)", lambda g: (g[0], "", g[1])),
    (r"(.+?) (?:must be|needs) (.+), (?:got|not) (.+)", lambda g: g),
    (r"(.+?) must be (.+)", lambda g: (g[0], g[1], "")),
    (r"unknown (.+?) ('.*'); choose one of (\w+).*", lambda g: (g[0], g[2], g[1])),
    (r"(\w+) ('\w+') is only allowed as (the output layer)'s activation", lambda g: g),
]


def parts(message):
    """(argument, what was expected, what was given) named by a reference message; "" for a
    fact the reference leaves implicit (an empty data set is what was given)."""
    for pattern, facts in FACTS:
        match = re.fullmatch(pattern, message)
        if match:
            return tuple(facts(match.groups()))
    raise ValueError(f"no facts read from {message!r}")


def breaks_rule(kind, words, error, message):
    """True unless ``kind`` is ``error`` and ``words`` name every fact ``message`` names."""
    return kind is not error or (message is not None
                                 and not all(fact in words for fact in parts(message)))


def disagreements(call, error, message):
    """Every engine whose refusal breaks the rule (``message``: the reference; None with
    ``error`` None for a call every engine must take), or that changed the network."""
    found = []
    for name, package in ENGINES.items():
        kind, words, untouched = outcome(package, call)
        if breaks_rule(kind, words, error, message):
            found.append(f"{name}: {getattr(kind, '__name__', kind)}: {words}")
        if not untouched:
            found.append(f"{name}: the network changed")
    return found


BAD_CALLS = [  # (what, call, error, message)
    ("dict sample", lambda n: n.predict({0: 1.0, 1: 2.0, 2: 3.0}), TypeError,
     "sample must contain numbers, got a dict"),
    ("numeric strings", lambda n: n.predict(["1", "2", "3"]), TypeError,
     "sample must contain numbers, got '1' (str)"),
    ("bools", lambda n: n.predict([True, False, True]), TypeError,
     "sample must contain numbers, got True (bool)"),
    ("a bool among numbers", lambda n: n.train_one_sample(T, [0.1, True, 0.3], 0.1), TypeError,
     "sample must contain numbers, got True (bool)"),
    ("bool array", lambda n: n.predict(np.array([True, False, True])), TypeError,
     "sample must contain numbers, got np.True_ (bool)"),
    ("object array", lambda n: n.predict(np.array([1.0, None, 2.0])), TypeError,
     "sample must contain numbers, got None (NoneType)"),
    ("str array", lambda n: n.predict(np.array(["1", "2", "3"])), TypeError,
     "sample must contain numbers, got np.str_('1') (str_)"),
    ("complex", lambda n: n.predict([1j, 2, 3]), TypeError,
     "sample must contain numbers, got 1j (complex)"),
    ("Decimal", lambda n: n.predict([Decimal("0.1"), 2, 3]), TypeError,
     "sample must contain numbers, got Decimal('0.1') (Decimal)"),
    ("a string", lambda n: n.predict("abc"), TypeError,
     "sample must contain numbers, got a string"),
    ("bytes", lambda n: n.predict(b"abc"), TypeError, "sample must contain numbers, got a string"),
    ("a number", lambda n: n.predict(3.0), TypeError, "sample must contain numbers, got 3.0"),
    ("None", lambda n: n.predict(None), TypeError, "sample must contain numbers, got None"),
    ("a set", lambda n: n.predict({1.0}), TypeError, "sample must contain numbers, got {1.0}"),
    ("2-D sample", lambda n: n.train_one_sample(T, np.zeros((1, 3)), 0.1), ValueError,
     "sample must be 1-D with 3 values, got shape (1, 3)"),
    ("square sample", lambda n: n.train_one_sample(T, np.zeros((3, 3)).tolist(), 0.1), TypeError,
     "sample must contain numbers, got [0.0, 0.0, 0.0] (list)"),
    ("0-d sample", lambda n: n.predict(np.array(1.0)), ValueError,
     "sample must be 1-D with 3 values, got shape ()"),
    ("0-d label", lambda n: n.train_one_sample(np.array(1.0), X, 0.1), ValueError,
     "label must be 1-D with 2 values, got shape ()"),
    ("masked sample", lambda n: n.predict(np.ma.masked_array(X, mask=[0, 1, 0])), TypeError,
     "sample must contain numbers, got masked (MaskedConstant)"),
    ("masked data row", lambda n: n.train([T, T], np.ma.masked_array(
        [X, X], mask=[[0, 0, 0], [0, 1, 0]]), 0.1, 1), TypeError,
     "data_set[1] must contain numbers, got masked (MaskedConstant)"),
    ("masked and short", lambda n: n.predict(np.ma.masked_array([1.0, 2.0], mask=[0, 1])),
     ValueError, "sample has 2 values, the input layer has 3"),
    ("short sample", lambda n: n.predict([1.0, 2.0]), ValueError,
     "sample has 2 values, the input layer has 3"),
    ("empty sample", lambda n: n.predict([]), ValueError,
     "sample has 0 values, the input layer has 3"),
    ("NaN sample", lambda n: n.get_gradient(T, [1.0, math.nan, 2.0]), ValueError,
     "sample contains non-finite values (NaN or inf)"),
    ("dict label", lambda n: n.train_one_sample({0: 1.0, 1: 0.0}, X, 0.1), TypeError,
     "label must contain numbers, got a dict"),
    ("string label", lambda n: n.train_one_sample(["0.9", "0.1"], X, 0.1), TypeError,
     "label must contain numbers, got '0.9' (str)"),
    ("bool label", lambda n: n.train_one_sample([True, False], X, 0.1), TypeError,
     "label must contain numbers, got True (bool)"),
    ("bad label after predict", lambda n: (n.predict(X), n.calc_delta({0: 1.0, 1: 0.0})),
     TypeError, "label must contain numbers, got a dict"),
    ("short label", lambda n: n.train_one_sample([1.0], X, 0.1), ValueError,
     "label has 1 values, the output layer has 2"),
    ("rate 0", lambda n: n.train_one_sample(T, X, 0.0), ValueError, "rate must be > 0, got 0.0"),
    ("rate str", lambda n: n.train_one_sample(T, X, "0.1"), TypeError,
     "rate must be a number, got '0.1'"),
    ("rate bool", lambda n: n.train_one_sample(T, X, True), TypeError,
     "rate must be a number, got True"),
    ("rate NaN", lambda n: n.update_weight(math.nan), ValueError, "rate must be finite, got nan"),
    ("empty data", lambda n: n.train([], [], 0.1, 1), ValueError, "data_set is empty"),
    ("empty data, 0 epochs", lambda n: n.train([], [], 0.1, 0), ValueError, "data_set is empty"),
    ("dict data", lambda n: n.train([T], {0: X}, 0.1, 1), TypeError,
     "data_set must contain numbers, got a dict"),
    ("dict labels", lambda n: n.train({0: T}, [X], 0.1, 1), TypeError,
     "labels must contain numbers, got a dict"),
    ("flat data", lambda n: n.train([T, T, T], X, 0.1, 1), TypeError,
     "data_set[0] must contain numbers, got 0.1"),
    ("a string row", lambda n: n.train([T, T], [X, "abc"], 0.1, 1), TypeError,
     "data_set[1] must contain numbers, got a string"),
    ("count mismatch", lambda n: n.train([T], [X, X], 0.1, 1), ValueError,
     "labels has 1 rows, the samples have 2"),
    ("a short row", lambda n: n.train([T, T], [X, [1, 2]], 0.1, 1), ValueError,
     "data_set[1] has 2 values, the input layer has 3"),
    ("narrow array", lambda n: n.train([T, T], np.zeros((2, 2)), 0.1, 1), ValueError,
     "data_set[0] has 2 values, the input layer has 3"),
    ("NaN in the last row", lambda n: n.train([T, T], [X, [1, 2, math.nan]], 0.1, 1), ValueError,
     "data_set[1] contains non-finite values (NaN or inf)"),
    ("string in the last row", lambda n: n.train([T, T], [X, [1, 2, "3"]], 0.1, 1), TypeError,
     "data_set[1] must contain numbers, got '3' (str)"),
    ("bool in the last row", lambda n: n.train([T, T], [X, [1, 2, True]], 0.1, 1), TypeError,
     "data_set[1] must contain numbers, got True (bool)"),
    ("bool in the last label", lambda n: n.train([T, [True, 0.0]], [X, X], 0.1, 1), TypeError,
     "labels[1] must contain numbers, got True (bool)"),
    ("inf in a label row", lambda n: n.train([T, [math.inf, 0.1]], [X, X], 0.1, 1), ValueError,
     "labels[1] contains non-finite values (NaN or inf)"),
    ("epoch -1", lambda n: n.train([T], [X], 0.1, -1), ValueError,
     "epoch must be at least 0, got -1"),
    ("epoch 1.5", lambda n: n.train([T], [X], 0.1, 1.5), TypeError,
     "epoch must be an int, got 1.5"),
    ("batch_size True", lambda n: n.train([T], [X], 0.1, 1, batch_size=True), TypeError,
     "batch_size must be an int, got True"),
    ("batch_size 0", lambda n: n.train([T], [X], 0.1, 1, batch_size=0), ValueError,
     "batch_size must be at least 1, got 0"),
    ("bool output", lambda n: n.loss([True, False], T), TypeError,
     "output must contain numbers, got True (bool)"),
    ("short output", lambda n: n.loss([0.5], T), ValueError,
     "output has 1 values, the output layer has 2"),
    ("l2 set negative", lambda n: setattr(n, "l2", -0.1), ValueError, "l2 must be >= 0, got -0.1"),
    ("l2 set to text", lambda n: setattr(n, "l2", "0"), TypeError, "l2 must be a number, got '0'"),
    ("params empty", lambda n: n.set_parameters([]), ValueError,
     "params has 0 layers, the network has 2"),
    ("params a string", lambda n: n.set_parameters("ab"), TypeError,
     "params must be a list of (W, b) pairs, not str"),
    ("params not pairs", lambda n: n.set_parameters([1, 2]), ValueError,
     "params[0] must be a (W, b) pair, got int"),
    ("W a number", lambda n: n.set_parameters(layer2(W=1.0)), TypeError,
     "params[1] W must be a 2×4 matrix, got float"),
    ("W 3-D", lambda n: n.set_parameters(layer2(W=np.zeros((2, 4, 1)))), ValueError,
     "params[1] W must be a 2×4 matrix, got shape (2, 4, 1)"),
    ("W 0-d", lambda n: n.set_parameters(layer2(W=np.array(1.0))), TypeError,
     "params[1] W must be a 2×4 matrix, got ndarray"),
    ("W rows", lambda n: n.set_parameters(layer2(W=[[0.0] * 4] * 3)), ValueError,
     "params[1] W has 3 rows, layer 2 has 2 nodes"),
    ("W columns", lambda n: n.set_parameters(layer2(W=[[0.0] * 3] * 2)), ValueError,
     "params[1] W[0] has 3 values, layer 1 has 4"),
    ("W columns, array", lambda n: n.set_parameters(layer2(W=np.zeros((2, 3)))), ValueError,
     "params[1] W[0] has 3 values, layer 1 has 4"),
    ("W text", lambda n: n.set_parameters(layer2(W=[[0.0] * 4, ["a"] * 4])), TypeError,
     "params[1] W[1] must contain numbers, got 'a' (str)"),
    ("W NaN", lambda n: n.set_parameters(layer2(W=[[0.0] * 4, [0.0, math.nan, 0, 0]])),
     ValueError, "params[1] W[1] contains non-finite values (NaN or inf)"),
    ("b short", lambda n: n.set_parameters(layer2(b=[0.0])), ValueError,
     "params[1] b has 1 values, layer 2 has 2"),
    ("b inf", lambda n: n.set_parameters(layer2(b=[0.0, math.inf])), ValueError,
     "params[1] b contains non-finite values (NaN or inf)"),
    ("b bools", lambda n: n.set_parameters(layer2(b=np.array([True, False]))), TypeError,
     "params[1] b must contain numbers, got np.True_ (bool)"),
]


@pytest.mark.parametrize("what,call,error,message", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_the_same_bad_call_gets_the_same_error_naming_the_same_facts(what, call, error,
                                                                      message):
    assert disagreements(call, error, message) == []


BAD_CONSTRUCTORS = [  # (what, make(package), error, message)
    ("one layer", lambda p: p.Network([3]), ValueError,
     "layer_sizes needs at least two layers (input, output), got (3,)"),
    ("one layer, generator", lambda p: p.Network(n for n in (3,)), ValueError,
     "layer_sizes needs at least two layers (input, output), got (3,)"),
    ("size 0", lambda p: p.Network([3, 0, 2]), ValueError,
     "layer_sizes entry must be at least 1, got 0"),
    ("size 2.5", lambda p: p.Network([3, 2.5]), TypeError,
     "layer_sizes entry must be an int, got 2.5"),
    ("size True", lambda p: p.Network([3, True]), TypeError,
     "layer_sizes entry must be an int, got True"),
    ("size '2'", lambda p: p.Network([3, "2"]), TypeError,
     "layer_sizes entry must be an int, got '2'"),
    ("sizes 3", lambda p: p.Network(3), TypeError,
     "layer_sizes must be a list or tuple of layer sizes, in order, got 3 (int)"),
    ("sizes text", lambda p: p.Network("784,10"), TypeError,
     "layer_sizes must be a list or tuple of layer sizes, in order, got '784,10' (str)"),
    ("sizes a set", lambda p: p.Network({3, 2}), TypeError,  # would build 2 → 3
     "layer_sizes must be a list or tuple of layer sizes, in order, got {2, 3} (set)"),
    ("sizes a dict", lambda p: p.Network({3: "in", 2: "out"}), TypeError,
     "layer_sizes must be a list or tuple of layer sizes, in order, got {3: 'in', 2: 'out'} "
     "(dict)"),
    ("sizes a frozen set of layer names", lambda p: p.Network(frozenset({"1x4x4", "pool2", 2})),
     TypeError, "layer_sizes must be a list or tuple of layer sizes, in order, got frozenset"),
    ("sizes a 0-d array", lambda p: p.Network(np.array(3)), TypeError,
     "layer_sizes must be a list or tuple of layer sizes, in order, got array(3) (ndarray)"),
    ("softmax hidden", lambda p: p.Network([2, 2, 2], activation="softmax"), ValueError,
     "activation 'softmax' is only allowed as the output layer's activation"),
    ("softmax in a list", lambda p: p.Network([2, 2, 2, 2], activation=["relu", "softmax"]),
     ValueError, "activation 'softmax' is only allowed as the output layer's activation"),
    ("unknown name, no hidden layer", lambda p: p.Network([2, 2], activation="sigmod"),
     ValueError, "unknown hidden activation 'sigmod'; choose one of sigmoid, tanh, relu, "
                 "leaky_relu, identity, elu, softplus, selu"),
    ("names per layer", lambda p: p.Network([2, 2, 2, 2], activation=["relu"]), ValueError,
     "activation has 1 names, the network has 2 hidden layers"),
    ("activation 3", lambda p: p.Network([2, 2, 2], activation=3), TypeError,
     "activation must be a name or a list of names, got 3"),
    ("output", lambda p: p.Network([2, 2], output="soft_max"), ValueError,
     "unknown output activation 'soft_max'; choose one of sigmoid, tanh, relu, leaky_relu, "
     "identity, elu, softplus, selu, softmax"),
    ("loss", lambda p: p.Network([2, 2], loss="l1"), ValueError,
     "unknown loss 'l1'; choose one of mse, cross_entropy, hinge"),
    ("cross_entropy without softmax", lambda p: p.Network([2, 2], loss="cross_entropy"),
     ValueError, "loss 'cross_entropy' needs output='softmax', got output='sigmoid'"),
    ("init", lambda p: p.Network([2, 2], init="zeros"), ValueError,
     "unknown init 'zeros'; choose one of uniform, xavier, he"),
    ("l2 negative", lambda p: p.Network([2, 2], l2=-0.1), ValueError,
     "l2 must be >= 0, got -0.1"),
    ("l2 True", lambda p: p.Network([2, 2], l2=True), TypeError, "l2 must be a number, got True"),
    ("l2 NaN", lambda p: p.Network([2, 2], l2=math.nan), ValueError, "l2 must be finite, got nan"),
    ("seed 1.5", lambda p: p.Network([2, 2], seed=1.5), TypeError,
     "seed must be an int or None, got 1.5"),
    ("seed True", lambda p: p.Network([2, 2], seed=True), TypeError,
     "seed must be an int or None, got True"),
]


def constructor_disagreements(make, error, message):
    """Every engine for which ``make(package)`` breaks the rule."""
    found = []
    for name, package in ENGINES.items():
        kind, words, _ = outcome(package, lambda _net, package=package: make(package))
        if breaks_rule(kind, words, error, message):
            found.append(f"{name}: {getattr(kind, '__name__', kind)}: {words}")
    return found


@pytest.mark.parametrize("what,make,error,message", BAD_CONSTRUCTORS,
                         ids=[c[0] for c in BAD_CONSTRUCTORS])
def test_the_same_bad_constructor_gets_the_same_error_naming_the_same_facts(what, make, error,
                                                                             message):
    assert constructor_disagreements(make, error, message) == []


def test_a_cnn_sample_of_the_wrong_length_and_a_numpy_seed_alike():
    words = {}
    for name, package in ENGINES.items():
        net = package.Network(["1x4x4", "conv2x3", 2], seed=np.int64(3))  # NumPy's int: a seed
        assert flat(net.parameters()) == pytest.approx(
            flat(neurons.Network(["1x4x4", "conv2x3", 2], seed=3).parameters())), name
        with pytest.raises(ValueError) as info:
            net.predict(np.zeros(15))
        words[name] = str(info.value)
    assert words["neurons"] == "sample has 15 values, the input layer has 16"
    assert not breaks_rule(ValueError, words["vectorized"], ValueError, words["neurons"])
    assert words["fast"] == words["vectorized"]


# -- hypothesis: one bad entry anywhere --------------------------------------------------------

BAD_ENTRIES = ["1", "0.5", True, False, None, 1j, Decimal("1"), b"x", {}, np.bool_(False)]
NESTED = [[1.0], (2.0,)]  # a row where a number belongs: only where one vector is expected
PLACES = {
    "sample": lambda v, k: lambda n: n.train_one_sample(T, _put(X, k, v), 0.1),
    "label": lambda v, k: lambda n: n.train_one_sample(_put(T, k % 2, v), X, 0.1),
    "data row": lambda v, k: lambda n: n.train([T, T], [X, _put(X, k, v)], 0.1, 1),
    "label row": lambda v, k: lambda n: n.train([_put(T, k % 2, v), T], [X, X], 0.1, 1),
    "output": lambda v, k: lambda n: n.loss(_put(T, k % 2, v), T),
    "bias": lambda v, k: lambda n: n.set_parameters(layer2(b=_put([0.0, 0.0], k % 2, v))),
}


def _put(values, k, v):
    return [v if i == k else x for i, x in enumerate(values)]


@given(st.data(), st.integers(0, 2), st.sampled_from(sorted(PLACES)))
def test_one_bad_entry_anywhere_is_refused_alike(data, k, place):
    # vectorized's loss takes a batch too, so a row inside its output is a row, not an entry
    value = data.draw(st.sampled_from(BAD_ENTRIES + (NESTED if place != "output" else [])))
    call = PLACES[place](value, k)
    kind, words, _ = outcome(neurons, call)
    assert kind is TypeError and words.endswith(f"got {value!r} ({type(value).__name__})")
    assert disagreements(call, kind, words) == []


REAL_DTYPES = ["int8", "int16", "int64", "uint8", "uint32", "float16", "float32", "float64"]


@given(st.sampled_from(REAL_DTYPES), st.lists(st.integers(0, 100), min_size=3, max_size=3))
def test_arrays_of_every_real_dtype_are_accepted_alike(dtype, values):
    sample = np.array(values, dtype=dtype)
    outputs = {name: np.asarray(p.Network([3, 4, 2], seed=1).predict(sample), dtype=float)
               for name, p in ENGINES.items()}
    for name, y in outputs.items():
        np.testing.assert_allclose(y, outputs["neurons"], rtol=1e-12, atol=1e-15, err_msg=name)
    # and other exact number types, one by one
    mixed = [Fraction(values[0], 7), np.float32(values[1]), np.int64(values[2])]
    kind, _, _ = outcome(neurons, lambda n: n.predict(mixed))
    assert kind is None and disagreements(lambda n: n.predict(mixed), None, None) == []


# -- the checkers catch a planted difference ---------------------------------------------------


def test_a_message_changed_in_one_engine_is_caught(monkeypatch):
    from vectorized import activators, checks

    def old_words(name, *, output=False):  # vectorized before this issue: no special case
        return activators.get_activator(name if name != "softmax" else "?", output=output)

    monkeypatch.setattr(checks, "get_activator", old_words)
    what, make, error, message = next(c for c in BAD_CONSTRUCTORS if c[0] == "softmax hidden")
    found = constructor_disagreements(make, error, message)
    assert [line.split(":")[0] for line in found] == ["vectorized", "fast"]
    assert "unknown hidden activation '?'" in found[0]


def test_a_changed_network_is_caught(monkeypatch):
    """A call that steps the network before it refuses is reported, though the words agree."""
    from vectorized import network

    original = network.Network.train

    def steps_first(self, labels, data_set, rate, epoch, batch_size=1):
        self.layers[0].W += 1e-3
        return original(self, labels, data_set, rate, epoch, batch_size)

    monkeypatch.setattr(network.Network, "train", steps_first)
    found = disagreements(lambda n: n.train([], [], 0.1, 1), ValueError, "data_set is empty")
    assert found == ["vectorized: the network changed"]  # fast is a sibling: its own train


def test_other_words_for_the_same_facts_pass_and_a_missing_fact_is_caught(monkeypatch):
    from vectorized import checks

    def dtype_words(values, name):  # other words, the same three facts
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {values.dtype}")

    monkeypatch.setattr(checks, "_check_entries", dtype_words)
    call = BAD_CALLS[4][1]  # a bool array
    reference = "sample must contain numbers, got np.True_ (bool)"
    assert parts(reference) == ("sample", "numbers", "bool")
    assert disagreements(call, TypeError, reference) == []

    def no_argument(values, name):  # the argument not named
        raise TypeError(f"entries must be numbers, got dtype {values.dtype}")

    monkeypatch.setattr(checks, "_check_entries", no_argument)
    assert disagreements(call, TypeError, reference) == [
        "vectorized: TypeError: entries must be numbers, got dtype bool",
        "fast: TypeError: entries must be numbers, got dtype bool"]

    def another_type(values, name):
        raise ValueError(f"{name} must contain numbers, got dtype {values.dtype}")

    monkeypatch.setattr(checks, "_check_entries", another_type)
    assert len(disagreements(call, TypeError, reference)) == 2


def test_every_reference_message_names_three_facts():
    """The reference messages themselves: each names its argument, and only an empty data set
    leaves what was expected implicit."""
    for what, _, _, message in BAD_CALLS + BAD_CONSTRUCTORS:
        argument, expected, given = parts(message)
        assert argument and given and (expected or "empty" in message), (what, message)
