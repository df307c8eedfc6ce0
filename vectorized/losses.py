"""Loss functions, array form.

The same losses as :mod:`neurons.losses`. ``y`` (the network's output) and ``t`` (the target
vector) have shape ``(K,)`` for one sample or ``(N, K)`` for a batch (rows are samples). Each loss
``E(y, t)`` returns one value per sample: a 0-d value for a 1-D ``y``, shape ``(N,)`` for a batch;
its gradient ``∂E/∂y`` has the shape of ``y``. Everything works along the last axis.
"""

import numpy as np

from .activators import ACTIVATORS, softmax_backward

# log(y) is evaluated as log(max(y, TINY)), as in neurons.losses. In float32 1e-300 is not
# representable, so the floor becomes the smallest normal float32 there (see _tiny).
TINY = 1e-300


def _tiny(dtype):
    return max(TINY, float(np.finfo(dtype).tiny))


def mse(y, t):
    """E = ½ Σ_k (t_k − y_k)²  (the tutorial's error of one sample)."""
    return 0.5 * np.sum((t - y) ** 2, axis=-1)


def mse_grad(y, t):
    """∂E/∂y_k = y_k − t_k."""
    return y - t


def cross_entropy(y, t):
    """E = −Σ_k t_k log y_k  (y from softmax; terms with t_k = 0 contribute nothing)."""
    logs = np.log(np.maximum(y, _tiny(y.dtype)))
    return -np.sum(np.where(t != 0.0, t * logs, 0.0), axis=-1)


def cross_entropy_grad(y, t):
    """∂E/∂y_k = −t_k / y_k. Only for reporting; with softmax the fused delta is used."""
    return -t / np.maximum(y, _tiny(y.dtype))


def correct_class(t):
    """The target's class: index of its largest entry (first one on ties), per row."""
    return np.argmax(t, axis=-1)


def _hinge_margins(y, t):
    """Margins ``y_k − y_c + 1``, the mask of k ≠ c with a positive margin, and the mask k = c."""
    c = correct_class(t)[..., None]
    y_c = np.take_along_axis(y, c, axis=-1)
    margins = (y - y_c) + 1.0
    is_c = np.arange(y.shape[-1]) == c
    active = (margins > 0.0) & ~is_c
    return margins, active, is_c


def hinge(y, t):
    """Multiclass SVM loss, margin 1: E = Σ_{k≠c} max(0, y_k − y_c + 1), c = argmax t."""
    margins, active, _ = _hinge_margins(y, t)
    return np.sum(np.where(active, margins, 0.0), axis=-1)


def hinge_grad(y, t):
    """∂E/∂y_k = [y_k − y_c + 1 > 0] for k ≠ c;  ∂E/∂y_c = −(number of such k)."""
    _, active, is_c = _hinge_margins(y, t)
    g = active.astype(y.dtype)
    return np.where(is_c, -np.sum(g, axis=-1, keepdims=True), g)


# name: (E, ∂E/∂y)
LOSS_FUNCTIONS = {
    "mse": (mse, mse_grad),
    "cross_entropy": (cross_entropy, cross_entropy_grad),
    "hinge": (hinge, hinge_grad),
}
LOSSES = tuple(LOSS_FUNCTIONS)  # the names, as neurons exports them


def get_loss(name):
    """Return ``(E, dE_dy)`` for a loss name; ValueError if unknown."""
    try:
        return LOSS_FUNCTIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None


def output_delta(activation, loss, net, y, t):
    """式7, for every output activation and loss: the output layer's ``δ = −∂E/∂net`` (one row
    per sample), from its ``net``, its output ``y`` and the target ``t``.

    * an element-wise ``f``: ``δ = f'(net) ⊙ (−∂E/∂y)``. Sigmoid with mse
      (``−∂E/∂y = t − y``) is the article's 式7 itself: ``δ = y(1 − y)(t − y)``;
    * softmax with cross-entropy: ``δ = t − y·Σ_k t_k`` (``t − y`` for a one-hot t). The product
      of the two derivatives, formed directly: ``−∂E/∂y = t/y`` would divide by outputs that
      round to 0;
    * softmax with another loss: the softmax Jacobian applied to ``e = −∂E/∂y``,
      ``δ_j = y_j (e_j − Σ_k e_k y_k)``.
    """
    if activation == "softmax" and loss == "cross_entropy":
        return t - y * np.sum(t, axis=-1, keepdims=True)
    error = -LOSS_FUNCTIONS[loss][1](y, t)  # −∂E/∂y; mse: t − y
    if activation == "softmax":
        return softmax_backward(y, error)
    f_prime = ACTIVATORS[activation][1]
    return f_prime(net, y) * error
