"""neurons.spec, the twin of vectorized/spec.py: the same code and the same shapes (the table of
bad specs in tests/test_spec.py holds both packages to the same words)."""

from pathlib import Path

import pytest

import neurons
import neurons.spec
from neurons.spec import parse_layer_sizes


def test_the_twins_are_the_same_code():
    """neurons/spec.py is vectorized/spec.py but for the docstring's last paragraph."""
    root = Path(__file__).resolve().parents[1]
    ours, theirs = ((root / p / "spec.py").read_text().split('"""', 2)[2]
                    for p in ("neurons", "vectorized"))
    assert ours == theirs


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
