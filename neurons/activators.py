"""Activation functions, scalar form.

Each activator maps a node's weighted input ``net`` to its output ``y = f(net)`` and gives the
derivative ``f'(net)``, which the delta equations (式3, 式4) multiply in. ``derivative`` receives
both ``net`` and ``y`` so each function can use whichever is cheaper and exact: the sigmoid's
``y(1 - y)`` is the tutorial's form.

``softmax`` is not element-wise; it lives in :func:`softmax` and is only allowed as an output.
"""

import math

# SELU constants (Klambauer et al., 2017).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


def _sigmoid(x):
    # Split by sign so exp never overflows.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), stable for large |x|.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _elu(x):
    return x if x > 0.0 else ELU_ALPHA * math.expm1(x)


def _selu(x):
    return SELU_SCALE * (x if x > 0.0 else SELU_ALPHA * math.expm1(x))


# name: (f(net), f'(net) given net and y)
ACTIVATORS = {
    "sigmoid": (_sigmoid, lambda net, y: y * (1.0 - y)),
    "tanh": (math.tanh, lambda net, y: 1.0 - y * y),
    "relu": (lambda x: x if x > 0.0 else 0.0, lambda net, y: 1.0 if net > 0.0 else 0.0),
    "leaky_relu": (
        lambda x: x if x > 0.0 else LEAKY_SLOPE * x,
        lambda net, y: 1.0 if net > 0.0 else LEAKY_SLOPE,
    ),
    "identity": (lambda x: x, lambda net, y: 1.0),
    "elu": (_elu, lambda net, y: 1.0 if net > 0.0 else y + ELU_ALPHA),
    "softplus": (_softplus, lambda net, y: _sigmoid(net)),
    "selu": (_selu, lambda net, y: SELU_SCALE if net > 0.0 else y + SELU_SCALE * SELU_ALPHA),
}

HIDDEN_ACTIVATIONS = tuple(ACTIVATORS)
OUTPUT_ACTIVATIONS = HIDDEN_ACTIVATIONS + ("softmax",)


def get_activator(name, *, output=False):
    """Return ``(f, f_prime)`` for an element-wise activation name; ValueError if unknown."""
    if isinstance(name, str) and name in ACTIVATORS:
        return ACTIVATORS[name]
    allowed = OUTPUT_ACTIVATIONS if output else HIDDEN_ACTIVATIONS
    where = "output" if output else "hidden"
    if name == "softmax" and not output:
        raise ValueError("activation 'softmax' is only allowed as the output layer's activation")
    raise ValueError(f"unknown {where} activation {name!r}; choose one of {', '.join(allowed)}")


def softmax(nets):
    """y_j = e^(net_j - m) / Σ_k e^(net_k - m), m = max(net): the shift keeps exp finite."""
    m = max(nets)
    exps = [math.exp(x - m) for x in nets]
    total = sum(exps)
    return [e / total for e in exps]
