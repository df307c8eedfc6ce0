"""neurons.spec, the twin of vectorized/spec.py: the same shapes and the same errors in the same
words, through neurons.Network as a learner meets them."""

from pathlib import Path

import pytest

import neurons
import neurons.spec
import vectorized.spec
from neurons.spec import parse_layer_sizes

BAD = [
    # (layer_sizes, exception, exact message)
    (["1x28"], ValueError, "layer_sizes needs at least two layers (input, output), got ['1x28']"),
    ([784, 10.0, "drop0"], TypeError,
     "layer_sizes[1] must be an int or a layer name such as 'conv20x5', got 10.0"),
    (["1x28x28", "pool2", 0], ValueError, "layer_sizes[2] must be at least 1, got 0"),
    (["1x28", 10], ValueError,
     "layer_sizes[0] = '1x28': the input must be an int or a shape 'CxHxW' with sizes at least 1"),
    (["1x28x28", "conv20x5", "avgpool2", 10], ValueError,
     "layer_sizes[2] = 'avgpool2': unknown layer; expected 'convNxK', 'convNxKsSpP', 'poolK', "
     "'dropP' or an int"),
    (["1x28x28", "conv0x5", 10], ValueError,
     "layer_sizes[1] = 'conv0x5': a conv layer needs at least 1 filter"),
    (["1x28x28", "conv20x5s0", 10], ValueError,
     "layer_sizes[1] = 'conv20x5s0': the stride must be at least 1"),
    (["1x28x28", "conv20x5p5", 10], ValueError,
     "layer_sizes[1] = 'conv20x5p5': the padding 5 must be smaller than the kernel size 5"),
    (["1x4x6", "conv2x5", 10], ValueError,
     "layer_sizes[1] = 'conv2x5': a 5x5 kernel does not fit the 4x6 input (padding 0)"),
    (["1x28x28", "conv20x5", "pool25", 10], ValueError,
     "layer_sizes[2] = 'pool25': 25x25 pooling leaves nothing of the 24x24 input"),
    ([784, "conv20x5", 10], ValueError,
     "layer_sizes[1] = 'conv20x5': needs a feature map (C, H, W) below it, got a vector of 784 "
     "values"),
    (["1x28x28", "conv20x5", "pool2", "drop0.5", 10], ValueError,
     "layer_sizes[3] = 'drop0.5': dropout must follow a fully connected hidden layer"),
    ([784, 100, 10, "drop0.5"], ValueError,
     "layer_sizes[3] = 'drop0.5': the last entry must be the output layer (an int)"),
    ([784, 100, "drop1", 10], ValueError,
     "layer_sizes[2] = 'drop1': the dropout probability must be in [0, 1)"),
]


@pytest.mark.parametrize("layer_sizes, error, message", BAD)
def test_bad_specs_get_one_exact_error(layer_sizes, error, message):
    with pytest.raises(error) as info:
        neurons.Network(layer_sizes)
    assert str(info.value) == message


@pytest.mark.parametrize("layer_sizes, error, message", BAD)
def test_the_same_words_as_vectorized(layer_sizes, error, message):
    with pytest.raises(error) as info:
        vectorized.spec.parse_layer_sizes(layer_sizes)
    assert str(info.value) == message
    assert vectorized.spec.EXPECTED == neurons.spec.EXPECTED


def test_the_twins_are_the_same_code():
    """neurons/spec.py is vectorized/spec.py but for the docstring's last paragraph."""
    root = Path(__file__).resolve().parents[1]
    ours, theirs = ((root / p / "spec.py").read_text().split('"""', 2)[2]
                    for p in ("neurons", "vectorized"))
    assert ours == theirs


def test_error_check_catches_a_missing_error():
    with pytest.raises(pytest.fail.Exception):
        test_bad_specs_get_one_exact_error(["1x28x28", "conv20x5", 10], ValueError, "")


def test_shapes_and_hidden_layers():
    specs = parse_layer_sizes(["1x28x28", "conv20x5", "pool2", 100, "drop0.5", 10])
    assert [(s.kind, s.in_shape, s.out_shape) for s in specs] == [
        ("conv", (1, 28, 28), (20, 24, 24)), ("pool", (20, 24, 24), (20, 12, 12)),
        ("full", (20, 12, 12), (100,)), ("drop", (100,), (100,)), ("full", (100,), (10,))]
    net = neurons.Network(["1x8x8", "conv2x3", "pool2", 4, "drop0.5", 3],
                          activation=["relu", "tanh"])
    assert [type(layer).__name__ for layer in net.layers] == [
        "Layer", "ConvLayer", "PoolLayer", "Layer", "DropoutLayer", "Layer"]
    assert net.config()["layer_sizes"] == ["1x8x8", "conv2x3", "pool2", 4, "drop0.5", 3]
    with pytest.raises(ValueError, match="activation has 1 names, the network has 2 hidden"):
        neurons.Network(["1x8x8", "conv2x3", 4, 3], activation=["relu"])
