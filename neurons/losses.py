"""Loss functions of one sample, scalar form.

Each loss gives ``E(y, t)`` and ``∂E/∂y_k``; the output layer's delta (式3, generalised) is
``δ_j = −∂E/∂net_j``, built from these in :mod:`neurons.node`. ``y`` is the network's output,
``t`` the target vector (one-hot, or the tutorial's 0.9/0.1 encoding).
"""

import math

# log(y) is evaluated as log(max(y, TINY)): never log(0), and no change for any y a float
# softmax can produce short of underflow.
TINY = 1e-300


def mse(y, t):
    """E = ½ Σ_k (t_k − y_k)²  (the tutorial's error of one sample)."""
    # d·d, not d**2: on overflow ** raises OverflowError where · gives inf, as NumPy does.
    return 0.5 * sum((tk - yk) * (tk - yk) for yk, tk in zip(y, t))


def mse_grad(y, t):
    """∂E/∂y_k = y_k − t_k."""
    return [yk - tk for yk, tk in zip(y, t)]


def cross_entropy(y, t):
    """E = −Σ_k t_k log y_k  (y from softmax; terms with t_k = 0 contribute nothing)."""
    return -sum(tk * math.log(max(yk, TINY)) for yk, tk in zip(y, t) if tk != 0.0)


def cross_entropy_grad(y, t):
    """∂E/∂y_k = −t_k / y_k. Only used for reporting; with softmax the fused form is used."""
    return [-tk / max(yk, TINY) for yk, tk in zip(y, t)]


def correct_class(t):
    """The target's class: index of its largest entry (first one on ties)."""
    best = 0
    for k in range(1, len(t)):
        if t[k] > t[best]:
            best = k
    return best


def hinge(y, t):
    """Multiclass SVM loss, margin 1: E = Σ_{k≠c} max(0, y_k − y_c + 1), c = argmax t."""
    c = correct_class(t)
    return sum(max(0.0, yk - y[c] + 1.0) for k, yk in enumerate(y) if k != c)


def hinge_grad(y, t):
    """∂E/∂y_k = [y_k − y_c + 1 > 0] for k ≠ c;  ∂E/∂y_c = −(number of such k)."""
    c = correct_class(t)
    g = [1.0 if k != c and yk - y[c] + 1.0 > 0.0 else 0.0 for k, yk in enumerate(y)]
    g[c] = -sum(g)
    return g


# name: (E, ∂E/∂y)
LOSS_FUNCTIONS = {
    "mse": (mse, mse_grad),
    "cross_entropy": (cross_entropy, cross_entropy_grad),
    "hinge": (hinge, hinge_grad),
}
LOSSES = tuple(LOSS_FUNCTIONS)  # the names, as vectorized exports them


def get_loss(name):
    """Return ``(E, dE_dy)`` for a loss name; ValueError if unknown."""
    try:
        return LOSS_FUNCTIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
