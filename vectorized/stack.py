"""Build a Network's stack of layers from its ``layer_sizes`` and read its inputs.

A plain list of ints (``[784, 100, 10]``) gives one :class:`FullConnectedLayer` per pair of
adjacent sizes. A convolutional spec (``["1x28x28", "conv20x5", "pool2", 100, 10]``, parsed by
:mod:`vectorized.spec`) gives a :class:`ConvLayer`, :class:`MaxPoolingLayer`,
:class:`FullConnectedLayer` or :class:`Dropout` per entry after the input. Conv layers and hidden
fully connected layers are the hidden layers (one activation each); pooling and dropout have
none.
"""

import numpy as np

from .checks import as_array, as_map_array
from .conv import ConvLayer
from .dropout import Dropout
from .layer import FullConnectedLayer
from .pool import MaxPoolingLayer
from .spec import parse_layer_sizes


def count_hidden(specs):
    """Hidden layers of a spec: conv layers and fully connected layers but the output."""
    return sum(spec.kind in ("conv", "full") for spec in specs) - 1


def build_layers(specs, activations, dtype, dropout_rng=None):
    """One layer per :class:`~vectorized.spec.LayerSpec`; ``activations``: one name per conv or
    fully connected layer, in order (the output's last); ``dropout_rng``: the
    ``np.random.Generator`` every dropout layer draws its masks from."""
    names = iter(activations)
    layers = []
    for spec in specs:
        if spec.kind == "full":
            layers.append(FullConnectedLayer(spec.in_size, spec.out_size, next(names), dtype=dtype))
        elif spec.kind == "conv":
            layers.append(ConvLayer(spec.in_shape, spec.filters, spec.kernel,
                                   zero_padding=spec.padding, stride=spec.stride,
                                   activator=next(names), dtype=dtype))
        elif spec.kind == "pool":
            layers.append(MaxPoolingLayer(spec.in_shape, spec.kernel, dtype=dtype))
        else:
            layers.append(Dropout(spec.p, dropout_rng, dtype=dtype))
    return layers


def describe(layer):
    """One line for ``Network.dump``: what the layer is and the shapes it maps."""
    if isinstance(layer, FullConnectedLayer):
        return f"{layer.input_size} -> {layer.output_size}, {layer.activator}"
    if isinstance(layer, ConvLayer):
        return (f"conv {layer.filter_number} filters {layer.filter_size}x{layer.filter_size}, "
                f"stride {layer.stride}, padding {layer.zero_padding}: "
                f"{_dims(layer.input_shape)} -> {_dims(layer.output_shape)}, {layer.activator}")
    if isinstance(layer, MaxPoolingLayer):
        return (f"max-pool {layer.pool_size}x{layer.pool_size}: {_dims(layer.input_shape)} -> "
                f"{_dims(layer.output_shape)}")
    return f"dropout p = {layer.p} (training only)"


def _dims(shape):
    return "x".join(map(str, shape))


def as_maps(array, name, shape, *, batch=True):
    """A CNN's input as maps: a flat C·H·W vector or (C, H, W) → (C, H, W); with ``batch``
    also (N, C·H·W) or (N, C, H, W) → (N, C, H, W) (a view). ValueError naming the shapes
    otherwise."""
    size = int(np.prod(shape))
    if array.shape in ((size,), shape):
        return array.reshape(shape)
    if batch and array.ndim in (2, 4) and array.shape[1:] in ((size,), shape):
        return array.reshape((array.shape[0],) + shape)
    if array.ndim == 1:  # a flat sample of the wrong length: neurons' words
        raise ValueError(f"{name} has {array.size} values, the input layer {_dims(shape)} has "
                         f"{size}")
    dims = ", ".join(map(str, shape))
    forms = f"{size} values or ({dims})"
    if batch:
        forms += f", or a batch (N, {size}) or (N, {dims})"
    raise ValueError(f"{name} has shape {array.shape}; the input layer "
                     f"{_dims(shape)} takes {forms}")


def as_data(data_set, dtype, input_shape):
    """``train``'s data set as rows (N, in), or a CNN's maps (N, C, H, W); not empty."""
    if isinstance(data_set, np.ndarray) and data_set.ndim == 4 and len(input_shape) == 3:
        data = as_input(data_set, "data_set", dtype, input_shape)
    else:
        data = as_array(data_set, "data_set", dtype, int(np.prod(input_shape)),
                        "the input layer", rows=True)
        if len(input_shape) == 3:
            data = as_maps(data, "data_set", input_shape)
    if data.shape[0] == 0:
        raise ValueError("data_set is empty")
    return data


def as_label(label, like, name, rows, n_out, dtype):
    """``label`` as an array (out,) or (N, out), one row per sample of ``like`` (a sample or
    output: a batch is 2-D, or 4-D for a CNN's maps); ``rows=True`` for the rows of a data
    set."""
    batch = like.ndim in (2, 4)
    array = as_array(label, name, dtype, n_out, "the output layer",
                     rows=rows if batch else False)
    if batch:
        if array.ndim != 2:
            raise ValueError(f"{name} must be 2-D (N, {n_out}) like the batch of samples, "
                             f"got shape {array.shape}")
        if array.shape[0] != like.shape[0]:
            raise ValueError(f"{name} has {array.shape[0]} rows, the samples have "
                             f"{like.shape[0]}")
    return array


def as_input(sample, name, dtype, input_shape, *, batch=True):
    """A sample (``batch=False``) or a sample or batch, checked and cast to ``dtype``, shaped as
    the first layer takes it: ``(n,)``/``(N, n)``, or a CNN's ``(C, H, W)``/``(N, C, H, W)``."""
    size = int(np.prod(input_shape))
    if len(input_shape) == 3 and isinstance(sample, np.ndarray):  # as_maps names the forms
        return as_maps(as_map_array(sample, name, dtype), name, input_shape, batch=batch)
    array = as_array(sample, name, dtype, size, "the input layer", rows=None if batch else False)
    return as_maps(array, name, input_shape, batch=batch) if len(input_shape) == 3 else array


__all__ = ["as_data", "as_input", "as_label", "as_maps", "build_layers", "count_hidden",
           "describe", "parse_layer_sizes"]
