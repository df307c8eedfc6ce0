"""Activation functions, array form.

The same functions as :mod:`neurons.activators`, applied element-wise to a whole layer at once:
``x`` is a layer's weighted input ``net`` of shape ``(out,)`` for one sample or ``(N, out)`` for a
batch (rows are samples). Each activator is a pair ``(f, f_prime)``: ``y = f(net)`` (式2) and
``f_prime(net, y)``, the derivative ``f'(net)`` that the delta equations (式7, 式8) multiply in.
Every function keeps the dtype of its input (float32 stays float32).

``softmax`` is not element-wise: it lives in :func:`softmax`, its backward in
:func:`softmax_backward`, and it is only allowed as the output layer's activation.
"""

import numpy as np

# SELU constants (Klambauer et al., 2017); the same numbers as neurons.activators.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


def _where(condition, if_true, if_false, like):
    """np.where with the dtype of ``like`` (np.where of two Python floats gives float64)."""
    return np.where(condition, if_true, if_false).astype(like.dtype, copy=False)


def sigmoid(x):
    """1 / (1 + e^−x), the textbook form.

    Where e^−x overflows (x < −709 in float64, −88 in float32) it becomes inf and the result is
    0 (the true value is below the smallest normal number); NumPy's overflow warning is
    therefore silenced. (Python's math.exp raises instead, which is why neurons splits by the
    sign of x.)
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def sigmoid_prime(net, y):
    """y(1 − y): the tutorial's form (式3, 式4)."""
    return y * (1.0 - y)


def tanh(x):
    return np.tanh(x)


def tanh_prime(net, y):
    return 1.0 - y * y


def relu(x):
    return np.where(x > 0.0, x, 0.0)


def relu_prime(net, y):
    return _where(net > 0.0, 1.0, 0.0, net)


def leaky_relu(x):
    return np.where(x > 0.0, x, LEAKY_SLOPE * x)


def leaky_relu_prime(net, y):
    return _where(net > 0.0, 1.0, LEAKY_SLOPE, net)


def identity(x):
    return x


def identity_prime(net, y):
    return np.ones_like(net)


def elu(x):
    # expm1 of min(x, 0): the branch not taken never overflows.
    return np.where(x > 0.0, x, ELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


def elu_prime(net, y):
    return _where(net > 0.0, 1.0, y + ELU_ALPHA, net)


def softplus(x):
    """log(1 + e^x) = max(x, 0) + log(1 + e^−|x|), stable for large |x|."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def softplus_prime(net, y):
    return sigmoid(net)


def selu(x):
    return SELU_SCALE * np.where(x > 0.0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


def selu_prime(net, y):
    return _where(net > 0.0, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA, net)


# name: (f(net), f'(net) given net and y)
ACTIVATORS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "identity": (identity, identity_prime),
    "elu": (elu, elu_prime),
    "softplus": (softplus, softplus_prime),
    "selu": (selu, selu_prime),
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


def softmax(x):
    """y_j = e^(net_j − m) / Σ_k e^(net_k − m), m = max_k net_k, per row (the shift keeps exp
    finite)."""
    exps = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def softmax_backward(y, error):
    """The softmax Jacobian applied to an output error ``e = −∂E/∂y``, per row:
    ``δ_j = y_j (e_j − Σ_k e_k y_k)``, i.e. ``δ = −∂E/∂net``."""
    return y * (error - np.sum(error * y, axis=-1, keepdims=True))
