"""Reading a torch module as this project's network spec (for :func:`interop.from_torch` and
the torch path of ``check``). Every refusal names the module and what has no equivalent."""

import math

SPEC_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu",
                    "LeakyReLU": "leaky_relu", "ELU": "elu", "Softplus": "softplus",
                    "SELU": "selu", "Softmax": "softmax"}


def leaves(torch, module):
    """The modules of a (nested) Sequential in order, or a single module as itself."""
    if isinstance(module, torch.nn.Sequential):
        return [leaf for child in module for leaf in leaves(torch, child)]
    return [module]


def _pair(value, what, where):
    if isinstance(value, (tuple, list)):
        if len(set(value)) != 1:
            raise ValueError(f"{where}: a non-square {what} {tuple(value)} has no equivalent "
                             "here (square only)")
        value = value[0]
    if isinstance(value, str):
        raise ValueError(f"{where}: {what}={value!r} has no equivalent here (give a number)")
    return int(value)


def _activation(torch, leaf, where):
    name = type(leaf).__name__
    settings = {
        "LeakyReLU": ("negative_slope", 0.01), "ELU": ("alpha", 1.0), "Softplus": ("beta", 1.0),
    }
    if name in settings:
        attribute, value = settings[name]
        if getattr(leaf, attribute) != value:
            raise ValueError(f"{where}: {name} with {attribute}={getattr(leaf, attribute)} has "
                             f"no equivalent here ({attribute}={value} only)")
    if name == "Softplus" and leaf.threshold < 37:  # below, e^-x is not lost in 1 + e^-x
        raise ValueError(f"{where}: Softplus(threshold={leaf.threshold}) is linear above "
                         f"{leaf.threshold}; the project's softplus is exact (threshold ≥ 37)")
    if name == "Softmax" and leaf.dim not in (-1, 1):
        raise ValueError(f"{where}: Softmax(dim={leaf.dim}) has no equivalent (dim=-1 or 1)")
    return SPEC_ACTIVATIONS[name]


def describe(torch, module, input_shape=None):
    """``(config, weighted)``: layer_sizes/activation/output of the equivalent network, and
    the module's Linear and Conv2d layers in order."""
    nn = torch.nn
    layer_sizes, activations, weighted, shape = [], [], [], None
    if input_shape is not None:
        shape = tuple(int(v) for v in input_shape)
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}")
        layer_sizes.append("x".join(map(str, shape)))
    waiting = False  # a conv/linear layer whose activation may follow
    for k, leaf in enumerate(leaves(torch, module)):
        where = f"module {k} ({leaf!r})"
        name = type(leaf).__name__
        if isinstance(leaf, (nn.Linear, nn.Conv2d)):
            if leaf.bias is None:
                raise ValueError(f"{where}: a layer without bias has no equivalent here")
            if waiting:
                activations.append("identity")
            waiting = True
            weighted.append(leaf)
        if isinstance(leaf, nn.Linear):
            if shape is None:
                shape = (leaf.in_features,)
                layer_sizes.append(leaf.in_features)
            if math.prod(shape) != leaf.in_features:
                raise ValueError(f"{where}: takes {leaf.in_features} values, gets "
                                 f"{math.prod(shape)}")
            shape = (leaf.out_features,)
            layer_sizes.append(leaf.out_features)
        elif isinstance(leaf, nn.Conv2d):
            if shape is None:
                raise ValueError(f"{where}: the first layer is a convolution: give "
                                 "input_shape=(C, H, W) (a module does not record image sizes)")
            if len(shape) != 3 or shape[0] != leaf.in_channels:
                raise ValueError(f"{where}: takes {leaf.in_channels} channels, gets shape "
                                 f"{shape}")
            if leaf.groups != 1 or _pair(leaf.dilation, "dilation", where) != 1 \
                    or leaf.padding_mode != "zeros":
                raise ValueError(f"{where}: groups, dilation and padding modes other than "
                                 "zeros have no equivalent here")
            K, S = _pair(leaf.kernel_size, "kernel", where), _pair(leaf.stride, "stride", where)
            P = _pair(leaf.padding, "padding", where)
            H, W = ((n + 2 * P - K) // S + 1 for n in shape[1:])
            shape = (leaf.out_channels, H, W)
            layer_sizes.append(f"conv{leaf.out_channels}x{K}" + (f"s{S}" if S != 1 else "")
                               + (f"p{P}" if P else ""))
        elif isinstance(leaf, nn.MaxPool2d):
            K = _pair(leaf.kernel_size, "kernel", where)
            S = K if leaf.stride is None else _pair(leaf.stride, "stride", where)
            if S != K or _pair(leaf.padding, "padding", where) != 0 or leaf.ceil_mode \
                    or _pair(leaf.dilation, "dilation", where) != 1:
                raise ValueError(f"{where}: only K×K max-pooling with stride K, no padding, "
                                 "no dilation, floor mode has an equivalent here")
            if shape is None or len(shape) != 3:
                raise ValueError(f"{where}: pooling needs a feature map before it")
            shape = (shape[0], shape[1] // K, shape[2] // K)
            layer_sizes.append(f"pool{K}")
            waiting = _close(activations, waiting)
        elif isinstance(leaf, nn.Dropout):
            layer_sizes.append(f"drop{leaf.p!r}")
            waiting = _close(activations, waiting)
        elif name in SPEC_ACTIVATIONS:
            if not waiting:
                raise ValueError(f"{where}: an activation not right after a Linear or Conv2d "
                                 "has no equivalent here")
            activations.append(_activation(torch, leaf, where))
            waiting = False
        elif isinstance(leaf, nn.Flatten):
            if (leaf.start_dim, leaf.end_dim) != (1, -1):
                raise ValueError(f"{where}: only Flatten() (start_dim=1) has an equivalent")
        elif not isinstance(leaf, (nn.Identity, nn.Linear, nn.Conv2d)):
            raise ValueError(f"{where}: {name} has no equivalent in this project "
                             "(Linear, Conv2d, MaxPool2d, Flatten, Dropout and the activations "
                             f"{', '.join(SPEC_ACTIVATIONS)})")
    if waiting:
        activations.append("identity")
    if not weighted:
        raise ValueError("the module has no Linear or Conv2d layer")
    if not isinstance(weighted[-1], nn.Linear):
        raise ValueError("the last layer with weights must be a Linear (the output layer)")
    if "softmax" in activations[:-1]:
        raise ValueError("Softmax in a hidden layer has no equivalent (output layer only)")
    return {"layer_sizes": layer_sizes, "activation": activations[:-1],
            "output": activations[-1]}, weighted


def _close(activations, waiting):
    """A layer without an activation module before pooling or dropout: identity."""
    if waiting:
        activations.append("identity")
    return False
