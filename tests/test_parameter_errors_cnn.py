"""set_parameters on a CNN: a bad (W, b) pair is refused with the same exception type by neurons,
vectorized and vectorized.fast, each message naming the argument, what was expected and what
was given (a fully connected layer by its place in the network: layer i = layer_sizes[i], the
input is layer 0, as `dump` numbers them, not its rank among the layers with parameters).
Nothing changes on a refusal."""

import math

import numpy as np
import pytest

import neurons
import vectorized
import vectorized.fast
from tests.test_surface import parts

SPEC = ["1x5x5", "conv2x3", "pool2", 3, "drop0.5", 2]  # layers 1…5; parameters in 1, 3, 5
ENGINES = [neurons, vectorized, vectorized.fast]


def good():
    return [(W.tolist(), b.tolist()) for W, b in vectorized.Network(SPEC, seed=0).parameters()]


def replaced(k, W=None, b=None):
    params = good()
    old_W, old_b = params[k]
    params[k] = (old_W if W is None else W, old_b if b is None else b)
    return params


def kernel_with(index, value):
    W = np.zeros((2, 1, 3, 3)).tolist()
    f, c, u, v = index
    W[f][c][u][v] = value
    return W


CASES = [
    # the fully connected layer after the pooling layer is layer 3 (its input, layer 2)
    (replaced(1, W=[[0.0] * 2] * 4), ValueError, "params[1] W has 4 rows, layer 3 has 3 nodes"),
    (replaced(1, W=[[0.0] * 5] * 3), ValueError, "params[1] W[0] has 5 values, layer 2 has 2"),
    (replaced(1, b=[0.0]), ValueError, "params[1] b has 1 values, layer 3 has 3"),
    # the output layer after the dropout layer is layer 5 (its input, layer 4)
    (replaced(2, W=[[0.0] * 3] * 3), ValueError, "params[2] W has 3 rows, layer 5 has 2 nodes"),
    (replaced(2, W=np.zeros((2, 4))), ValueError, "params[2] W[0] has 4 values, layer 4 has 3"),
    (replaced(2, b=[0.0] * 3), ValueError, "params[2] b has 3 values, layer 5 has 2"),
    # the conv layer, layer 1 (its input, layer 0), filter by filter
    # the conv layer: neurons names the filter, channel and kernel row, vectorized the shapes
    (replaced(0, W=np.zeros((3, 1, 3, 3))), ValueError, ("params[0] W", "2", "3")),
    (replaced(0, W=np.zeros((2, 2, 3, 3))), ValueError, ("params[0] W", "1", "2")),
    (replaced(0, W=np.zeros((2, 9))), ValueError, ("params[0] W", "1", "9")),
    (replaced(0, W=np.zeros((2, 1, 2, 3)).tolist()), ValueError, ("params[0] W", "3", "2")),
    (replaced(0, W=np.zeros((2, 1, 3, 2))), ValueError, ("params[0] W", "3", "2")),
    (replaced(0, W=kernel_with((1, 0, 2, 1), math.nan)), ValueError,
     ("params[0] W", "finite", "non-finite")),
    (replaced(0, W=np.array(kernel_with((1, 0, 2, 1), math.inf))), ValueError,
     ("params[0] W", "finite", "non-finite")),
    (replaced(0, W=kernel_with((0, 0, 1, 2), "a")), TypeError,
     ("params[0] W", "numbers", "'a'")),
    (replaced(0, W="W"), TypeError, ("params[0] W", "", "W")),
    (replaced(0, b=[0.0]), ValueError, "params[0] b has 1 values, layer 1 has 2"),
]


@pytest.mark.parametrize("params, error, words", CASES, ids=[str(c[2]) for c in CASES])
def test_every_engine_refuses_alike_naming_the_facts(params, error, words):
    facts = parts(words) if isinstance(words, str) else words
    messages = []
    for engine in ENGINES:
        net = engine.Network(SPEC, seed=1)
        before = [(np.array(W), np.array(b)) for W, b in net.parameters()]
        with pytest.raises(error) as info:
            net.set_parameters(params)
        messages.append(str(info.value))
        for (W, b), (W0, b0) in zip(net.parameters(), before):  # nothing changed
            assert np.array_equal(W, W0) and np.array_equal(b, b0)
    assert [m for m in messages if not all(fact in m for fact in facts)] == []


def test_good_parameters_are_taken_by_every_engine():
    for engine in ENGINES:
        net = engine.Network(SPEC, seed=1)
        net.set_parameters(good())
        assert [(np.array(W).tolist(), np.array(b).tolist())
                for W, b in net.parameters()] == good()
