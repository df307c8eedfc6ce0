"""Loss functions, array form.

The same losses as :mod:`neurons.losses`. ``y`` (the network's output) and ``t`` (the target
vector) have shape ``(K,)`` for one sample or ``(N, K)`` for a batch (rows are samples). Each loss
``E(y, t)`` returns one value per sample: a 0-d value for a 1-D ``y``, shape ``(N,)`` for a batch;
its gradient ``∂E/∂y`` has the shape of ``y``. Everything works along the last axis.
"""

import numpy as np

# log(y) is evaluated as log(max(y, TINY)), as in neurons.losses. In float32 1e-300 is not
# representable, so the floor becomes the smallest normal float32 there (see _tiny).
TINY = 1e-300


def _tiny(dtype):
    return max(TINY, float(np.finfo(dtype).tiny))


def mse(y, t):
    """E = ½ Σ_k (t_k − y_k)²  (the tutorial's error of one sample)."""
    d = t - y
    if d.ndim == 1:  # one dot product: NumPy's reductions cost several µs of overhead each
        return 0.5 * (d @ d)
    return 0.5 * np.einsum("ni,ni->n", d, d)


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


def softmax_cross_entropy_delta(y, t):
    """Fused softmax + cross-entropy output delta, per row: ``δ_j = t_j − y_j Σ_k t_k``
    (= ``t_j − y_j`` for a one-hot target); ``δ = −∂E/∂net``."""
    return t - y * np.sum(t, axis=-1, keepdims=True)


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


LOSSES = {
    "mse": (mse, mse_grad),
    "cross_entropy": (cross_entropy, cross_entropy_grad),
    "hinge": (hinge, hinge_grad),
}

LOSS_NAMES = tuple(LOSSES)


def get_loss(name):
    """Return ``(E, dE_dy)`` for a loss name; ValueError if unknown."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
