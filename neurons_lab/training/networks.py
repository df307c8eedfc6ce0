"""Choosing an engine by name, the sizes of a spec, and comparing two networks through the
shared API. An engine is a package exporting a ``Network``; one that cannot be imported is not
offered."""

import importlib
import importlib.util
import inspect
import math

import numpy as np

from vectorized.spec import parse_layer_sizes

# name on the command line → module exporting Network
ENGINES = {
    "neurons": "neurons",          # the tutorial's object graph, pure Python
    "vectorized": "vectorized",    # the same network as matrices (the textbook engine)
    "fast": "vectorized.fast",     # the opt-in speed engine, when it is there
}
# `--impl both` trains these two in lockstep and compares them
BOTH = ("neurons", "vectorized")
# Rough bytes per parameter: a neurons Connection object and its node's share; a matrix
# engine's W, its gradient and a best copy, plus the Python float and list slot (32 bytes) the
# initialisation rule draws each weight into.
_NEURONS_BYTES_PER_PARAMETER = 160
_MATRIX_COPIES = 3
_DRAWN_BYTES = 32
# Rows a matrix engine pushes through at once (the evaluation chunk), and the arrays per value
# of a layer's activations it holds for them (output, δ, a conv layer's unfolded input).
_ROWS = 512
_ACTIVATION_COPIES = 2


def available_engines():
    """The engine names whose package can be imported, in ``ENGINES`` order (the parent of
    vectorized.fast is imported above: find_spec never raises)."""
    return tuple(name for name, module in ENGINES.items()
                 if importlib.util.find_spec(module) is not None)


def network_class(impl):
    if impl not in available_engines():
        raise ValueError(f"unknown implementation {impl!r}; choose one of "
                         f"{', '.join(available_engines())}")
    return importlib.import_module(ENGINES[impl]).Network


def supports_dtype(impl):
    return "dtype" in inspect.signature(network_class(impl)).parameters


def build(impl, config):
    """A network of engine ``impl`` from constructor keyword arguments ("dtype" is passed
    only to engines that take one)."""
    config = dict(config)
    if not supports_dtype(impl):
        config.pop("dtype", None)
    return network_class(impl)(**config)


def engine_name(net):
    """The engine a network comes from: "neurons", "vectorized", "vectorized.fast", …"""
    module = type(net).__module__
    known = [m for m in ENGINES.values() if module == m or module.startswith(m + ".")]
    return max(known, key=len) if known else module.split(".")[0]


def parameter_shapes(layer_sizes):
    """``[(W shape, b shape), …]`` per layer with parameters: fully connected (out, in) and
    (out,), conv (N, C, K, K) and (N,). ValueError/TypeError naming the entry of a bad spec."""
    return [((s.out_size, s.in_size), (s.out_size,)) if s.kind == "full" else
            ((s.filters, s.in_shape[0], s.kernel, s.kernel), (s.filters,))
            for s in parse_layer_sizes(layer_sizes) if s.kind in ("full", "conv")]


def input_output_sizes(layer_sizes):
    """(values a sample has, values the output has): a CNN's input "CxHxW" is C·H·W values."""
    specs = parse_layer_sizes(layer_sizes)
    return specs[0].in_size, specs[-1].out_size


def parameter_count(layer_sizes):
    return sum(math.prod(W) + math.prod(b) for W, b in parameter_shapes(layer_sizes))


def connection_count(layer_sizes):
    """Connection objects of a ``neurons`` network (an upper bound for a padded conv layer):
    per output value, a fully connected node's inputs and bias, a conv node's C·K·K inputs and
    bias, a pool node's K·K, a dropout node's one."""
    per_value = {"full": lambda s: s.in_size + 1, "drop": lambda s: 1,
                 "conv": lambda s: s.in_shape[0] * s.kernel ** 2 + 1,
                 "pool": lambda s: s.kernel ** 2}
    return sum(s.out_size * per_value[s.kind](s) for s in parse_layer_sizes(layer_sizes))


def memory_needed(impl, layer_sizes, dtype="float64", rows=_ROWS):
    """The bytes engine ``impl`` needs for ``layer_sizes`` (a rough estimate, not a bound):
    its parameters as the engine holds them, and a matrix engine's activations for ``rows``
    samples at once."""
    if impl == "neurons":
        return connection_count(layer_sizes) * _NEURONS_BYTES_PER_PARAMETER
    size = 4 if str(dtype) == "float32" else 8
    activations = input_output_sizes(layer_sizes)[0]  # the input rows
    for s in parse_layer_sizes(layer_sizes):
        activations += s.out_size
        if s.kind == "conv":  # its unfolded input: C·K·K values per output position
            activations += s.out_size // s.filters * s.in_shape[0] * s.kernel ** 2
    return (parameter_count(layer_sizes) * (_MATRIX_COPIES * size + _DRAWN_BYTES)
            + activations * rows * _ACTIVATION_COPIES * size)


def as_lists(params):
    """[(W, b), …] of either package as nested Python lists of floats."""
    return [(np.asarray(W, dtype=np.float64).tolist(), np.asarray(b, dtype=np.float64).tolist())
            for W, b in params]


def flat_parameters(net):
    """Every weight and bias as one list of floats, in Connections order (W row-major, then
    b, layer by layer)."""
    return [v for pair in net.parameters() for p in pair
            for v in np.ravel(np.asarray(p, dtype=np.float64)).tolist()]


def max_parameter_difference(a, b):
    """Largest |difference| between two networks' parameters."""
    pa, pb = flat_parameters(a), flat_parameters(b)
    if len(pa) != len(pb):
        raise ValueError("the two networks have different architectures")
    return max((abs(x - y) for x, y in zip(pa, pb)), default=0.0)
