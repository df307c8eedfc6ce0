"""Argument checks of the Network's entry points: each raises a TypeError or ValueError that
names the argument, what was expected and what was given, before anything changes; the same
exception type as ``neurons`` for the same mistake (tests/test_surface.py holds the two to it).
A sample that holds something other than real numbers is described by its first such entry.
"""

import math
import numbers
from collections.abc import Mapping

import numpy as np

from .activators import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, get_activator
from .layer import INITS
from .losses import LOSSES
from .spec import has_layer_names, layer_entries, parse_layer_sizes

_PLAIN = {float, int}  # entry types that need no further look


def check_int(value, name, minimum):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_real(value, name, *, positive=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if not positive and value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_name(value, name, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(allowed)}")
    return value


def as_array(value, name, dtype, width, what, *, rows=None):
    """``value`` as a finite array of ``dtype``: one vector ``(width,)`` or rows ``(N, width)``.

    ``rows`` is False for exactly one vector, True for rows (a data set, a matrix) and None for
    either (a sample or a batch). ``what`` names where ``width`` comes from ("the input layer").
    TypeError unless every entry is a real number (strings, bools, dicts, None and complex
    refused, as by neurons), ValueError for a wrong length or a NaN/infinity; a message about
    one row names it (``data_set[3]``). No copy when ``value`` already is a fitting array.
    """
    # a masked entry is refused after the shape is checked, as neurons checks the length first
    masked = value if isinstance(value, np.ma.MaskedArray) else None
    if masked is not None:
        value = masked.data  # its arithmetic would not be the textbook's
    if not isinstance(value, np.ndarray):
        _check_python(value, name, width, what, rows)
        value = np.asarray(value)
    elif value.dtype.kind not in "iuf":
        _check_entries(value, name)
    if rows and value.ndim == 1:
        if value.size:  # numbers where rows belong
            raise TypeError(f"{name} must contain rows of numbers, got {value.size} numbers")
        value = value.reshape(0, width)  # an empty list of rows
    if value.dtype != dtype:
        with np.errstate(over="ignore"):  # beyond float32's range gives inf: caught below
            value = value.astype(dtype)
    check_rows(value, name, width, what, batch=rows is not False)
    if masked is not None and np.ma.is_masked(masked):
        _check_entries(masked, name)
    if not np.isfinite(value).all():
        bad = "" if value.ndim == 1 else f"[{int(np.argmin(np.isfinite(value).all(axis=1)))}]"
        raise ValueError(f"{name}{bad} contains non-finite values (NaN or inf)")
    return value


def check_rows(array, name, width, what, *, batch=True):
    """Check a (width,) sample or a (N, width) batch; ``what`` names the layer."""
    if array.ndim == 1 or not batch:
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D with {width} values, got shape {array.shape}")
        if array.shape[0] != width:
            raise ValueError(f"{name} has {array.shape[0]} values, {what} has {width}")
    elif array.ndim == 2:
        if array.shape[1] != width:
            raise ValueError(f"{name}[0] has {array.shape[1]} values, {what} has {width}")
    else:
        raise ValueError(f"{name} must be 1-D with {width} values or a batch (N, {width}), got "
                         f"shape {array.shape}")


# -- nested lists, and arrays of other dtypes: the first entry that is not a number ---------


def _check_sequence(value, name):
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must contain numbers, got a string")
    if isinstance(value, Mapping):  # iterating a dict would give its keys
        raise TypeError(f"{name} must contain numbers, got a {type(value).__name__}")
    if not hasattr(value, "__len__") or not hasattr(value, "__getitem__"):
        raise TypeError(f"{name} must contain numbers, got {value!r}")


def _is_row(value):
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    return (hasattr(value, "__len__") and hasattr(value, "__getitem__")
            and not isinstance(value, (str, bytes, Mapping)))


def _check_python(value, name, width, what, rows):
    """A list (of lists): the checks of neurons.checks.as_vector, row by row."""
    _check_sequence(value, name)
    if rows is None:
        rows = len(value) > 0 and _is_row(value[0])
    if not rows:
        _check_vector(value, name, width, what)
        return
    for k, row in enumerate(value):
        _check_vector(row, f"{name}[{k}]", width, what)


def _check_vector(value, name, width, what):
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iuf":
        if value.shape[0] != width:
            raise ValueError(f"{name} has {value.shape[0]} values, {what} has {width}")
        return
    _check_sequence(value, name)
    if len(value) != width:
        raise ValueError(f"{name} has {len(value)} values, {what} has {width}")
    if not set(map(type, value)) <= _PLAIN:
        _check_entries(value, name)


def _unmasked(value, name):
    """A NumPy masked array's data (its arithmetic would not be the textbook's); a masked
    entry is no number: refused as neurons refuses it, naming the first one."""
    if not isinstance(value, np.ma.MaskedArray):
        return value
    if np.ma.is_masked(value):
        _check_entries(value, name)
    return value.data


def _check_entries(values, name):
    """TypeError naming the first entry that is not a real number (bools are not numbers)."""
    flat = values.ravel() if isinstance(values, np.ndarray) else values
    for index, v in enumerate(flat):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            if isinstance(values, np.ndarray) and values.ndim == 2:
                name = f"{name}[{index // values.shape[1]}]"
            raise TypeError(f"{name} must contain numbers, got {v!r} ({type(v).__name__})")


# -- a CNN's maps and filters, and the hidden activations ----------------------------------


def as_map_array(value, name, dtype, *, shape=None):
    """``value`` (an array of any shape, or nested lists) as a finite array of ``dtype``, with
    the words of :func:`as_array`; ``shape``, when given, is the shape it must have."""
    value = _unmasked(value, name)
    if not isinstance(value, np.ndarray):
        array = np.asarray(value, dtype=object)  # every entry as given: a bool stays a bool
        if any(_is_row(v) for v in array.ravel()):  # lists of different lengths
            raise ValueError(f"{name} has rows of different lengths, expected shape "
                             f"{tuple(shape) if shape is not None else 'a regular array'}")
        _check_entries(array, name)
        value = array
    elif value.dtype.kind not in "iuf":
        _check_entries(value, name)
    if shape is not None and value.shape != tuple(shape):
        raise ValueError(f"{name} has shape {value.shape}, expected {tuple(shape)}")
    if value.dtype != dtype:
        with np.errstate(over="ignore"):  # beyond float32's range gives inf: caught below
            value = value.astype(dtype)
    if not np.isfinite(value).all():
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return value


def check_settings(layer_sizes, activation, output, loss, init, l2, seed):
    """The Network constructor's arguments checked, before anything is built: returns
    (layer_sizes as a tuple, its LayerSpecs, the hidden activations, l2, seed)."""
    sizes = layer_entries(layer_sizes)
    if not has_layer_names(sizes):  # a CNN spec or dropout: one error naming the entry
        sizes = tuple(check_int(size, "layer_sizes entry", 1) for size in sizes)
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs at least two layers (input, output), got {sizes}")
    specs = parse_layer_sizes(sizes)
    hidden = check_activations(activation, sum(s.kind in ("conv", "full") for s in specs) - 1)
    if output not in OUTPUT_ACTIVATIONS:
        get_activator(output, output=True)  # raises with the list of choices
    check_name(loss, "loss", LOSSES)
    if loss == "cross_entropy" and output != "softmax":
        raise ValueError(f"loss 'cross_entropy' needs output='softmax', got output={output!r}")
    check_name(init, "init", INITS)
    if seed is not None and (isinstance(seed, (bool, np.bool_))
                             or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {seed!r}")
    return sizes, specs, hidden, check_real(l2, "l2"), None if seed is None else int(seed)


def check_activations(activation, n_hidden):
    """The hidden layers' activations as a list of ``n_hidden`` names, from one name (checked
    even when there is no hidden layer) or a list of one name per hidden layer."""
    if isinstance(activation, str):
        hidden, names = [activation] * n_hidden, [activation]
    elif isinstance(activation, (list, tuple)):
        hidden = names = list(activation)
    else:
        raise TypeError(f"activation must be a name or a list of names, got {activation!r}")
    if len(hidden) != n_hidden:
        raise ValueError(f"activation has {len(hidden)} names, the network has "
                         f"{n_hidden} hidden layers")
    for name in names:
        if name not in HIDDEN_ACTIVATIONS:
            get_activator(name)  # raises with the list of choices ('softmax': output only)
    return hidden


def check_parameters(params, layers, all_layers, dtype):
    """``params`` (one (W, b) pair per layer with parameters, nested lists or arrays) checked
    against ``layers`` and returned as arrays of ``dtype``. ``all_layers`` (pooling and dropout
    too) numbers the layers as ``dump`` and layer_sizes do (layer i = layer_sizes[i], the input
    is layer 0), so a message names the layer's place in the network."""
    if isinstance(params, (str, bytes)) or not hasattr(params, "__len__"):
        raise TypeError(f"params must be a list of (W, b) pairs, not {type(params).__name__}")
    if len(params) != len(layers):
        raise ValueError(f"params has {len(params)} layers, the network has {len(layers)}"
                         + (" with parameters" if len(layers) < len(all_layers) else ""))
    place = {id(layer): number for number, layer in enumerate(all_layers, start=1)}
    checked = []
    for k, (pair, layer) in enumerate(zip(params, layers)):
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"params[{k}] must be a (W, b) pair, got {type(pair).__name__}")
        W, b = pair
        i = place[id(layer)]
        kind = f"a {'×'.join(map(str, layer.W.shape))} {'matrix' if layer.W.ndim == 2 else 'array'}"
        if (isinstance(W, (str, bytes)) or not hasattr(W, "__len__")
                or (isinstance(W, np.ndarray) and W.ndim == 0)):
            raise TypeError(f"params[{k}] W must be {kind}, got {type(W).__name__}")
        if isinstance(W, np.ndarray) and W.ndim != layer.W.ndim:
            raise ValueError(f"params[{k}] W must be {kind}, got shape {W.shape}")
        if layer.W.ndim != 2:  # a conv layer's (N, C, K, K) filters
            W = as_map_array(W, f"params[{k}] W", dtype, shape=layer.W.shape)
            b = as_array(b, f"params[{k}] b", dtype, len(layer.b), f"layer {i}", rows=False)
            checked.append((W, b))
            continue
        n_out, n_in = layer.W.shape
        if len(W) != n_out:
            raise ValueError(f"params[{k}] W has {len(W)} rows, layer {i} has {n_out} nodes")
        W = as_array(W, f"params[{k}] W", dtype, n_in, f"layer {i - 1}", rows=True)
        b = as_array(b, f"params[{k}] b", dtype, n_out, f"layer {i}", rows=False)
        checked.append((W, b))
    return checked
