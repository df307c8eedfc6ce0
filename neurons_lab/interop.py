"""Weights in and out of PyTorch: a network of either package as the equivalent ``nn.Sequential``.

The equivalent module of a network lists, in order: ``Conv2d`` (+ its activation) per conv
layer, ``MaxPool2d(K)`` per pool layer, ``Flatten()`` before the first ``Linear`` after a feature
map, ``Linear`` (+ its activation) per fully connected layer, ``Dropout(p)`` per dropout layer.
"identity" adds no module. Its ``state_dict`` has the keys ``"k.weight"``/``"k.bias"`` of the
modules with parameters, with PyTorch's shapes: Linear (out, in) — ``W[j, i]`` is ``w_ji`` —
Conv2d (N, C, K, K), bias (out,). :func:`state_dict` and :func:`load_state_dict` need only
NumPy; :func:`to_torch` and :func:`from_torch` need PyTorch (the ``compare`` extra).

Every activation has a PyTorch module; ``softplus`` is ``Softplus(threshold=40)``, where
PyTorch's linear branch equals log(1 + eˣ) to the last bit (its default 20 would differ by
2e-9). The module takes what PyTorch takes: (N, in) or (N, C, H, W). Dropout is the identity
in ``eval()`` mode (what :func:`to_torch` returns); in training PyTorch draws its own masks.
The loss is not part of a module. :func:`from_torch` refuses, naming the module, anything
without an equivalent here: other layers (BatchNorm, AvgPool, …), activations (GELU, …) or
settings (bias=False, dilation, groups, non-square kernels, a pool stride other than its size,
LeakyReLU slope ≠ 0.01, ELU α ≠ 1, Softplus β ≠ 1, softmax in a hidden layer).
"""

import io
from pathlib import Path

import numpy as np

from neurons_lab.training.files import atomic_write, read_bytes
from neurons_lab.training.networks import build, parameter_shapes
from vectorized.spec import parse_layer_sizes

# project activation → (torch.nn class name, keyword arguments); "identity": no module
ACTIVATION_MODULES = {
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "relu": ("ReLU", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.01}),
    "elu": ("ELU", {"alpha": 1.0}),
    "softplus": ("Softplus", {"beta": 1.0, "threshold": 40.0}),
    "selu": ("SELU", {}),
    "softmax": ("Softmax", {"dim": -1}),
}
SUFFIXES = (".npz", ".safetensors")
# A state_dict file read whole into memory: 1 GiB holds 134 million float64 parameters.
MAX_STATE_BYTES = 1 << 30


def modules(config):
    """The equivalent nn.Sequential as a list of ``(class name, kwargs)`` for a network's
    ``config()`` (or its constructor's keyword arguments)."""
    specs = parse_layer_sizes(list(config["layer_sizes"]))
    weighted = [s for s in specs if s.kind in ("conv", "full")]
    hidden = config.get("activation", "sigmoid")
    if isinstance(hidden, str):
        hidden = [hidden] * (len(weighted) - 1)
    names = list(hidden) + [config.get("output", "sigmoid")]
    result, k = [], 0
    for spec in specs:
        if spec.kind == "conv":
            result.append(("Conv2d", dict(in_channels=spec.in_shape[0],
                                          out_channels=spec.filters, kernel_size=spec.kernel,
                                          stride=spec.stride, padding=spec.padding)))
        elif spec.kind == "pool":
            result.append(("MaxPool2d", dict(kernel_size=spec.kernel)))
            continue
        elif spec.kind == "drop":
            result.append(("Dropout", dict(p=spec.p)))
            continue
        else:
            if len(spec.in_shape) == 3:
                result.append(("Flatten", {}))
            result.append(("Linear", dict(in_features=spec.in_size,
                                          out_features=spec.out_size)))
        if names[k] in ACTIVATION_MODULES:
            result.append(ACTIVATION_MODULES[names[k]])
        k += 1
    return result


def state_keys(config):
    """``[("0.weight", "0.bias"), …]``, one pair per layer with parameters."""
    return [(f"{k}.weight", f"{k}.bias") for k, (name, _) in enumerate(modules(config))
            if name in ("Conv2d", "Linear")]


def state_dict(net):
    """The network's parameters as the equivalent nn.Sequential's state_dict: a dict of NumPy
    arrays (copies), keys in module order, PyTorch's shapes."""
    result = {}
    for (wkey, bkey), (W, b) in zip(state_keys(net.config()), net.parameters()):
        result[wkey], result[bkey] = np.array(W, dtype=float), np.array(b, dtype=float)
    return result


def load_state_dict(net, state):
    """Set the network's parameters from a state_dict (NumPy arrays, torch tensors or nested
    lists). The keys must be exactly those of :func:`state_keys` (ValueError naming the
    missing and unexpected ones); shapes and values are checked by ``set_parameters``, so
    nothing changes unless all of them fit."""
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict of arrays, got {type(state).__name__}")
    pairs = state_keys(net.config())
    expected = [key for pair in pairs for key in pair]
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    if missing or unexpected:
        raise ValueError(f"state_dict does not fit {net!r}: missing {missing or 'nothing'}, "
                         f"unexpected {unexpected or 'nothing'}")
    shapes = parameter_shapes(list(net.config()["layer_sizes"]))
    arrays = {key: _numpy(state[key]) for key in expected}
    for pair, pair_shapes in zip(pairs, shapes):
        for key, shape in zip(pair, pair_shapes):
            if arrays[key].shape != tuple(shape):
                raise ValueError(f"state_dict[{key!r}] has shape {arrays[key].shape}, the "
                                 f"network needs {tuple(shape)}")
    net.set_parameters([(arrays[w], arrays[b]) for w, b in pairs])  # checks values too
    return net


def _numpy(value):
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


# -- PyTorch -----------------------------------------------------------------------------------

def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("PyTorch is not installed: pip install 'neurons-lab[compare]'") \
            from None
    return torch


def to_torch(net, dtype="float64"):
    """A ``torch.nn.Sequential`` equivalent to ``net`` with its weights, in ``eval()`` mode,
    in ``dtype`` ("float64" by default: outputs equal the network's to rounding)."""
    torch = _torch()
    layers = [getattr(torch.nn, name)(**kwargs) for name, kwargs in modules(net.config())]
    model = torch.nn.Sequential(*layers).to(getattr(torch, str(dtype)))
    model.load_state_dict({key: torch.tensor(value, dtype=getattr(torch, str(dtype)))
                           for key, value in state_dict(net).items()})
    return model.eval()


def describe_torch(module, input_shape=None):
    """The network config (layer_sizes, activation, output) of a torch module made of
    Linear, Conv2d, MaxPool2d, Flatten, Dropout, Identity and activations (nested Sequentials
    are read in order), and its Linear/Conv2d modules in order. ``input_shape`` (C, H, W) is
    needed when the first layer is a Conv2d. ValueError naming the first module without an
    equivalent here."""
    from neurons_lab.interop_torch import describe
    return describe(_torch(), module, input_shape)


def from_torch(module, input_shape=None, *, loss=None, engine="vectorized", l2=0.0):
    """A network of ``engine`` ("vectorized" or "neurons") equivalent to the torch module,
    with its weights. ``loss`` defaults to "cross_entropy" after a Softmax, else "mse"."""
    config, weighted = describe_torch(module, input_shape)
    if loss is None:
        loss = "cross_entropy" if config["output"] == "softmax" else "mse"
    net = build(engine, dict(config, loss=loss, l2=l2))
    net.set_parameters([(_numpy(m.weight), _numpy(m.bias)) for m in weighted])
    return net


# -- files ---------------------------------------------------------------------------------------

def save_state_dict(path, state):
    """Write a state_dict (or a network's) to ``path`` atomically: ``.npz`` (NumPy, no pickle)
    or ``.safetensors`` (needs the safetensors package)."""
    path = Path(path)
    if not isinstance(state, dict):
        state = state_dict(state)
    arrays = {key: np.ascontiguousarray(_numpy(value)) for key, value in state.items()}
    if path.suffix == ".npz":
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return atomic_write(path, buffer.getvalue())
    if path.suffix == ".safetensors":
        save = _safetensors_numpy().save
        return atomic_write(path, save(arrays, metadata={"format": "neurons-lab"}))
    raise ValueError(f"unknown state_dict file type {path.suffix!r} of {str(path)!r}; "
                     f"choose one of {', '.join(SUFFIXES)}")


def _safetensors_numpy():
    """safetensors.numpy, or a one-line ValueError naming the extra that installs it."""
    try:
        import safetensors.numpy
    except ImportError:
        raise ValueError(".safetensors files need the safetensors package: "
                         "pip install 'neurons-lab[safetensors]' (or use .npz)") from None
    return safetensors.numpy


def load_state_dict_file(path):
    """A state_dict read from an ``.npz`` or ``.safetensors`` file, as a dict of float64
    arrays. ValueError (one line) for a missing, corrupt or hostile file; never unpickles."""
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ValueError(f"unknown state_dict file type {path.suffix!r} of {str(path)!r}; "
                         f"choose one of {', '.join(SUFFIXES)}")
    load = _safetensors_numpy().load if path.suffix == ".safetensors" else None  # extra there?
    data = read_bytes(path, MAX_STATE_BYTES, ValueError, "state_dict file")  # bounded, regular
    try:
        if load is None:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                state = {key: archive[key] for key in archive.files}
        else:
            state = load(data)
    except Exception as error:  # zipfile, NumPy and safetensors each raise their own types
        raise ValueError(f"{str(path)!r} is not a readable {path.suffix} state_dict "
                         f"({type(error).__name__}: {error})") from None
    for key, value in state.items():
        if value.dtype.kind != "f":
            raise ValueError(f"{str(path)!r}: {key!r} holds {value.dtype}, not floats")
    return {key: value.astype(float) for key, value in state.items()}
