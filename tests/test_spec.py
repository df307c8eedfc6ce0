"""vectorized.spec: DESIGN.md's layer_sizes lists parsed into LayerSpecs with their shapes, and
one exact error for every bad spec, in the same words from both packages' parsers and Networks
(neurons/spec.py is the twin, tests/test_neurons_spec.py)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurons
import neurons.spec
import vectorized
from vectorized.conv import ConvLayer, MaxPoolingLayer
from vectorized.spec import LayerSpec, has_layer_names, parse_layer_sizes


def shapes(layer_sizes):
    return [(s.kind, s.in_shape, s.out_shape) for s in parse_layer_sizes(layer_sizes)]


def test_cnn_1_of_the_article():
    specs = parse_layer_sizes(["1x28x28", "conv20x5", "pool2", 100, 10])
    assert specs == [
        LayerSpec("conv", 1, "conv20x5", (1, 28, 28), (20, 24, 24), filters=20, kernel=5),
        LayerSpec("pool", 2, "pool2", (20, 24, 24), (20, 12, 12), kernel=2, stride=2),
        LayerSpec("full", 3, 100, (20, 12, 12), (100,)),
        LayerSpec("full", 4, 10, (100,), (10,)),
    ]
    assert specs[2].in_size == 2880 and specs[2].out_size == 100


def test_cnn_2_stride_padding_and_dropout():
    assert shapes(["1x28x28", "conv20x5", "pool2", "conv40x5", "pool2", 1000, "drop0.5", 10]) == [
        ("conv", (1, 28, 28), (20, 24, 24)), ("pool", (20, 24, 24), (20, 12, 12)),
        ("conv", (20, 12, 12), (40, 8, 8)), ("pool", (40, 8, 8), (40, 4, 4)),
        ("full", (40, 4, 4), (1000,)), ("drop", (1000,), (1000,)), ("full", (1000,), (10,)),
    ]
    # ⌊(7 + 2 − 3)/2⌋ + 1 = 4; ⌊(5 + 2 − 3)/2⌋ + 1 = 3; pooling rounds down: ⌊4/3⌋, ⌊3/3⌋
    conv, pool, _ = parse_layer_sizes(["3x7x5", "conv4x3s2p1", "pool3", 2])
    assert (conv.filters, conv.kernel, conv.stride, conv.padding) == (4, 3, 2, 1)
    assert conv.out_shape == (4, 4, 3) and pool.out_shape == (4, 1, 1)
    assert parse_layer_sizes(["1x5x5", "conv1x3s2", 1])[0].out_shape == (1, 2, 2)
    assert parse_layer_sizes(["1x5x5", "conv1x3p2", 1])[0].out_shape == (1, 7, 7)
    assert parse_layer_sizes([4, 3, "drop0", 2])[1].p == 0.0


def test_plain_ints_stay_fully_connected():
    assert shapes([784, 300, 10]) == [("full", (784,), (300,)), ("full", (300,), (10,))]
    assert not has_layer_names([784, 300, 10]) and not has_layer_names((2, 1))
    assert not has_layer_names(784) and not has_layer_names("1x28x28")
    assert has_layer_names(["1x28x28", "conv20x5", 10]) and has_layer_names([4, 3, "drop0.5", 2])


ERRORS = [
    (["1x28"], ValueError, "layer_sizes needs at least two layers (input, output), got ['1x28']"),
    ([784, 10.0, "drop0"], TypeError,
     "layer_sizes[1] must be an int or a layer name such as 'conv20x5', got 10.0"),
    # (layer_sizes, exception, exact message)
    ("1x28x28", TypeError,
     "layer_sizes must be a list or tuple of layer sizes, in order, got '1x28x28' (str)"),
    ([10], ValueError, "layer_sizes needs at least two layers (input, output), got [10]"),
    ([784, 10.0], TypeError,
     "layer_sizes[1] must be an int or a layer name such as 'conv20x5', got 10.0"),
    ([True, 10], TypeError,
     "layer_sizes[0] must be an int or a layer name such as 'conv20x5', got True"),
    (["1x28x28", "pool2", 0], ValueError, "layer_sizes[2] must be at least 1, got 0"),
    (["1x28", 10], ValueError,
     "layer_sizes[0] = '1x28': the input must be an int or a shape 'CxHxW' with sizes at least 1"),
    (["0x28x28", 10], ValueError,
     "layer_sizes[0] = '0x28x28': the input must be an int or a shape 'CxHxW' with sizes at "
     "least 1"),
    (["1x28x28", "conv20x5", "avgpool2", 10], ValueError,
     "layer_sizes[2] = 'avgpool2': unknown layer; expected 'convNxK', 'convNxKsSpP', 'poolK', "
     "'dropP' or an int"),
    (["1x28x28", "Conv20x5", 10], ValueError,
     "layer_sizes[1] = 'Conv20x5': unknown layer; expected 'convNxK', 'convNxKsSpP', 'poolK', "
     "'dropP' or an int"),
    (["1x28x28", "conv0x5", 10], ValueError,
     "layer_sizes[1] = 'conv0x5': a conv layer needs at least 1 filter"),
    (["1x28x28", "conv20x0", 10], ValueError,
     "layer_sizes[1] = 'conv20x0': the kernel size must be at least 1"),
    (["1x28x28", "conv20x5s0", 10], ValueError,
     "layer_sizes[1] = 'conv20x5s0': the stride must be at least 1"),
    (["1x28x28", "conv20x5p5", 10], ValueError,
     "layer_sizes[1] = 'conv20x5p5': the padding 5 must be smaller than the kernel size 5"),
    (["1x4x6", "conv2x5", 10], ValueError,
     "layer_sizes[1] = 'conv2x5': a 5x5 kernel does not fit the 4x6 input (padding 0)"),
    (["1x28x28", "conv20x5", "pool2", "conv40x5", "pool2", "conv8x5", 10], ValueError,
     "layer_sizes[5] = 'conv8x5': a 5x5 kernel does not fit the 4x4 input (padding 0)"),
    (["1x28x28", "conv20x5", "pool25", 10], ValueError,
     "layer_sizes[2] = 'pool25': 25x25 pooling leaves nothing of the 24x24 input"),
    (["1x28x28", "pool0", 10], ValueError,
     "layer_sizes[1] = 'pool0': the pooling size must be at least 1"),
    ([784, "conv20x5", 10], ValueError,
     "layer_sizes[1] = 'conv20x5': needs a feature map (C, H, W) below it, got a vector of 784 "
     "values"),
    (["1x28x28", 100, "pool2", 10], ValueError,
     "layer_sizes[2] = 'pool2': needs a feature map (C, H, W) below it, got a vector of 100 "
     "values"),
    (["1x28x28", "conv20x5", "drop0.5", 10], ValueError,
     "layer_sizes[2] = 'drop0.5': dropout must follow a fully connected hidden layer"),
    (["1x28x28", "conv20x5", "pool2", "drop0.5", 10], ValueError,
     "layer_sizes[3] = 'drop0.5': dropout must follow a fully connected hidden layer"),
    ([784, "drop0.5", 10], ValueError,
     "layer_sizes[1] = 'drop0.5': dropout must follow a fully connected hidden layer"),
    ([784, 100, "drop0.5", "drop0.5", 10], ValueError,
     "layer_sizes[3] = 'drop0.5': dropout must follow a fully connected hidden layer"),
    ([784, 100, 10, "drop0.5"], ValueError,
     "layer_sizes[3] = 'drop0.5': the last entry must be the output layer (an int)"),
    (["1x28x28", "conv20x5"], ValueError,
     "layer_sizes[1] = 'conv20x5': the last entry must be the output layer (an int)"),
    ([784, 100, "drop1", 10], ValueError,
     "layer_sizes[2] = 'drop1': the dropout probability must be in [0, 1)"),
    ([784, 100, "drop-0.1", 10], ValueError,
     "layer_sizes[2] = 'drop-0.1': the dropout probability must be in [0, 1)"),
    ([784, 100, "dropnan", 10], ValueError,
     "layer_sizes[2] = 'dropnan': unknown layer; expected 'convNxK', 'convNxKsSpP', 'poolK', "
     "'dropP' or an int"),
]


PARSERS = {"vectorized.spec": parse_layer_sizes, "neurons.spec": neurons.spec.parse_layer_sizes}
NETWORKS = {"vectorized.Network": vectorized.Network, "neurons.Network": neurons.Network}


@pytest.mark.parametrize("build", PARSERS.values(), ids=PARSERS.keys())
@pytest.mark.parametrize("layer_sizes, error, message", ERRORS)
def test_every_bad_spec_has_one_exact_error(layer_sizes, error, message, build):
    with pytest.raises(error) as info:
        build(layer_sizes)
    assert str(info.value) == message


@pytest.mark.parametrize("build", NETWORKS.values(), ids=NETWORKS.keys())
@pytest.mark.parametrize("layer_sizes, error, message",
                         [e for e in ERRORS if has_layer_names(e[0])])
def test_both_networks_give_the_parsers_words(layer_sizes, error, message, build):
    """A spec with layer names reaches the learner's Network with the parser's exact error
    (all-int lists keep the fully connected words of tests/test_surface.py)."""
    test_every_bad_spec_has_one_exact_error(layer_sizes, error, message, build)


def test_error_check_catches_a_missing_error():
    """The error test would notice a parser that accepts a bad spec."""
    with pytest.raises(pytest.fail.Exception):
        test_every_bad_spec_has_one_exact_error(["1x28x28", "conv20x5", 10], ValueError, "",
                                                parse_layer_sizes)


@st.composite
def conv_specs(draw):
    """A random valid CNN spec (maps shrink until the next layer would not fit)."""
    C, H, W = (draw(st.integers(1, 3)), draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    tokens = [f"{C}x{H}x{W}"]
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            K = draw(st.integers(1, 4))
            P, S = draw(st.integers(0, K - 1)), draw(st.integers(1, 3))
            if min(H, W) + 2 * P < K:
                break
            tokens.append(f"conv{draw(st.integers(1, 3))}x{K}s{S}p{P}")
            H, W = (H + 2 * P - K) // S + 1, (W + 2 * P - K) // S + 1
        else:
            K = draw(st.integers(1, 3))
            if min(H, W) < K:
                break
            tokens.append(f"pool{K}")
            H, W = H // K, W // K
    return tokens + [draw(st.integers(1, 4))]


@given(conv_specs())
def test_spec_shapes_agree_with_the_layers(tokens):
    """The shapes the spec promises are the ones ConvLayer and MaxPoolingLayer produce."""
    for spec in parse_layer_sizes(tokens):
        assert spec.in_size == math.prod(spec.in_shape)
        if spec.kind == "conv":
            layer = ConvLayer(spec.in_shape, spec.filters, spec.kernel, spec.padding, spec.stride)
            assert layer.output_shape == spec.out_shape
        elif spec.kind == "pool":
            assert MaxPoolingLayer(spec.in_shape, spec.kernel).output_shape == spec.out_shape
