"""Choosing an engine by name, and comparing two networks through the shared API.

The engines are the packages that export a ``Network`` with the shared API. Adding one is one
line in ``ENGINES``; an engine whose package cannot be imported is simply not offered.
"""

import importlib
import importlib.util
import inspect
import math
from functools import cache

from vectorized.spec import has_layer_names, parse_layer_sizes

# name on the command line → module exporting Network
ENGINES = {
    "neurons": "neurons",          # the tutorial's object graph, pure Python
    "vectorized": "vectorized",    # the same network as matrices (the textbook engine)
    "fast": "vectorized.fast",     # the opt-in speed engine, when it is there
}
# `--impl both` trains these two in lockstep and compares them
BOTH = ("neurons", "vectorized")
# Rough bytes per parameter: a neurons Connection object (measured ≈120 bytes with
# tracemalloc) and its node's share; a matrix engine's W, its gradient and a best copy, plus
# the Python float and list slot (32 bytes) the initialisation rule draws each weight into.
_NEURONS_BYTES_PER_PARAMETER = 160
_MATRIX_COPIES = 3
_DRAWN_BYTES = 32
# Rows a matrix engine pushes through at once (the evaluation chunk), and the arrays per value
# of a layer's activations it holds for them (output, δ, a conv layer's unfolded input).
_ROWS = 512
_ACTIVATION_COPIES = 2


@cache
def _importable(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # the parent package is missing
        return False


def available_engines():
    """The engine names whose package can be imported, in ``ENGINES`` order."""
    return tuple(name for name, module in ENGINES.items() if _importable(module))


def network_class(impl):
    """The Network class of engine ``impl`` (a name of ``ENGINES``)."""
    if impl not in available_engines():
        raise ValueError(f"unknown implementation {impl!r}; choose one of "
                         f"{', '.join(available_engines())}")
    return importlib.import_module(ENGINES[impl]).Network


def supports_dtype(impl):
    """True when the engine's Network takes a ``dtype`` argument."""
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


def is_convolutional(layer_sizes):
    """True for a spec with layer names (a CNN, or dropout): ``["1x28x28", "conv20x5", …]``."""
    return has_layer_names(layer_sizes)


def parameter_shapes(layer_sizes):
    """``[(W shape, b shape), …]`` per layer with parameters: fully connected (out, in) and
    (out,), conv (N, C, K, K) and (N,). ValueError/TypeError naming the entry of a bad spec."""
    if not is_convolutional(layer_sizes):
        return [((n_out, n_in), (n_out,)) for n_in, n_out in zip(layer_sizes, layer_sizes[1:])]
    shapes = []
    for spec in parse_layer_sizes(layer_sizes):
        if spec.kind == "full":
            shapes.append(((spec.out_size, spec.in_size), (spec.out_size,)))
        elif spec.kind == "conv":
            shapes.append(((spec.filters, spec.in_shape[0], spec.kernel, spec.kernel),
                           (spec.filters,)))
    return shapes


def input_output_sizes(layer_sizes):
    """(values a sample has, values the output has): a CNN's input "CxHxW" is C·H·W values."""
    if not is_convolutional(layer_sizes):
        return layer_sizes[0], layer_sizes[-1]
    specs = parse_layer_sizes(layer_sizes)
    return specs[0].in_size, specs[-1].out_size


def parameter_count(layer_sizes):
    """Weights and biases of ``layer_sizes`` (fully connected or a CNN spec)."""
    return sum(math.prod(W) + math.prod(b) for W, b in parameter_shapes(layer_sizes))


def connection_count(layer_sizes):
    """Connection objects of a ``neurons`` network (an upper bound for a padded conv layer):
    a fully connected layer's weights and biases; a conv layer's N·OH·OW receptive fields of
    C·K·K plus a bias each (its few shared weights are not what costs memory); a pool node's
    K·K; a dropout node's one."""
    if not is_convolutional(layer_sizes):
        return parameter_count(layer_sizes)
    count = 0
    for spec in parse_layer_sizes(layer_sizes):
        if spec.kind == "full":
            count += (spec.in_size + 1) * spec.out_size
        elif spec.kind == "conv":
            count += spec.out_size * (spec.in_shape[0] * spec.kernel * spec.kernel + 1)
        elif spec.kind == "pool":
            count += spec.out_size * spec.kernel * spec.kernel
        else:
            count += spec.out_size
    return count


def activation_count(layer_sizes):
    """Values one sample's forward pass holds: every layer's output, and for a conv layer its
    unfolded input (C·K·K values per output position)."""
    if not is_convolutional(layer_sizes):
        return sum(layer_sizes)
    count = 0
    for spec in parse_layer_sizes(layer_sizes):
        count += spec.out_size
        if spec.kind == "conv":
            count += math.prod(spec.out_shape[1:]) * spec.in_shape[0] * spec.kernel ** 2
    return count


def memory_needed(impl, layer_sizes, dtype="float64", rows=_ROWS):
    """The bytes engine ``impl`` needs for ``layer_sizes`` (a rough estimate, not a bound):
    its parameters as the engine holds them, and a matrix engine's activations for ``rows``
    samples at once."""
    if impl == "neurons":
        return connection_count(layer_sizes) * _NEURONS_BYTES_PER_PARAMETER
    size = 4 if str(dtype) == "float32" else 8
    return (parameter_count(layer_sizes) * (_MATRIX_COPIES * size + _DRAWN_BYTES)
            + activation_count(layer_sizes) * rows * _ACTIVATION_COPIES * size)


def as_lists(params):
    """[(W, b), …] of either package as nested Python lists of floats."""
    def plain(a):
        if hasattr(a, "tolist"):
            return a.tolist()
        return [plain(v) if hasattr(v, "__len__") else float(v) for v in a]
    return [(plain(W), plain(b)) for W, b in params]


def flatten(nested):
    """The numbers of nested lists (any depth: a conv W is 4 deep) in row-major order."""
    if not isinstance(nested, list):
        return [nested]
    return [v for item in nested for v in flatten(item)]


def flat_parameters(net):
    """Every weight and bias as one list of floats, in Connections order (W row-major, then
    b, layer by layer)."""
    return [v for W, b in as_lists(net.parameters()) for v in flatten(W) + flatten(b)]


def max_parameter_difference(a, b):
    """Largest |difference| between two networks' parameters."""
    pa, pb = flat_parameters(a), flat_parameters(b)
    if len(pa) != len(pb):
        raise ValueError("the two networks have different architectures")
    return max((abs(x - y) for x, y in zip(pa, pb)), default=0.0)
