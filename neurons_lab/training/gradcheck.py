"""Numerical gradient check (式6) for either network, through the shared API only.

    ∂E/∂w ≈ (E(w + ε) − E(w − ε)) / 2ε      (central differences: error O(ε²))

E is the total being minimised for one sample: ``loss(predict(x), t) + λ/2 Σ W²``.
Every parameter is perturbed in turn with ``set_parameters``, so this is for small networks
(cost grows with the square of the parameter count).
"""

import math
from dataclasses import dataclass

import numpy as np

from neurons_lab.training.networks import as_lists

# Gradients smaller than this are compared absolutely: a central difference cannot resolve
# them relatively (round-off of E is about 1e-16·E / ε).
FLOOR = 1e-3


def numerical_gradient(net, label, sample, eps=1e-5):
    """[(dW, db), …] as nested lists shaped like the parameters (a conv W is 4 deep), by
    central differences. Parameters are restored."""
    original = as_lists(net.parameters())
    work = [np.array(p) for pair in original for p in pair]  # W1, b1, W2, b2, …
    grads = [np.zeros_like(p) for p in work]

    def loss():  # E(x, t) + λ/2 Σ W²: what get_gradient differentiates
        net.set_parameters([(W.tolist(), b.tolist()) for W, b in zip(work[::2], work[1::2])])
        e = float(net.loss(net.predict(sample), label))
        if net.l2:
            e += 0.5 * net.l2 * sum(float(np.sum(np.square(W))) for W, _ in net.parameters())
        return e

    try:
        for p, grad in zip(work, grads):
            for i in np.ndindex(p.shape):  # each number perturbed in turn
                w = p[i]
                p[i] = w + eps
                plus = loss()
                p[i] = w - eps
                minus = loss()
                p[i] = w
                grad[i] = (plus - minus) / (2.0 * eps)
        return [(dW.tolist(), db.tolist()) for dW, db in zip(grads[::2], grads[1::2])]
    finally:
        net.set_parameters(original)


@dataclass
class LayerReport:
    layer: int          # 1 = the weights into the first hidden (or output) layer
    worst_weight: float  # largest relative error |a − n| / max(|a|, |n|, floor) over W
    worst_bias: float    # the same over b

    @property
    def worst(self):
        return max(self.worst_weight, self.worst_bias)


def check_gradient(net, label, sample, eps=1e-5, floor=FLOOR):
    """Compare get_gradient with the numerical gradient; one LayerReport per layer.

    A gradient of the wrong shape (a layer, row or entry missing or extra) or holding NaN is a
    disagreement (error inf), never a shorter comparison.
    """
    analytic = as_lists(net.get_gradient(label, sample))
    numeric = numerical_gradient(net, label, sample, eps)
    if len(analytic) != len(numeric):
        return [LayerReport(k, math.inf, math.inf) for k in range(1, len(numeric) + 1)]
    return [LayerReport(k, _worst(aW, nW, floor), _worst(ab, nb, floor))
            for k, ((aW, ab), (nW, nb)) in enumerate(zip(analytic, numeric), start=1)]


def _worst(analytic, numeric, floor):
    """Largest relative error of two nested lists; inf when their shapes differ."""
    a, n = np.asarray(analytic), np.asarray(numeric)
    if a.shape != n.shape:
        return math.inf
    error = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
    return float(np.nan_to_num(error.max(initial=0.0), nan=math.inf))
