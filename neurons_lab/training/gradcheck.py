"""Numerical gradient check (式6) for either network, through the shared API only.

    ∂E/∂w ≈ (E(w + ε) − E(w − ε)) / 2ε      (central differences: error O(ε²))

E is the total being minimised for one sample: ``loss(predict(x), t) + λ/2 Σ W²``.
Every parameter is perturbed in turn with ``set_parameters``, so this is for small networks
(cost grows with the square of the parameter count).
"""

import math
from dataclasses import dataclass

from neurons_lab.training.networks import as_lists, flatten

# Gradients smaller than this are compared absolutely: a central difference cannot resolve
# them relatively (round-off of E is about 1e-16·E / ε).
FLOOR = 1e-3


def total_loss(net, label, sample):
    """E(x, t) + λ/2 Σ W² — the function whose gradient get_gradient returns."""
    e = float(net.loss(net.predict(sample), label))
    if net.l2:
        e += 0.5 * net.l2 * sum(w * w for W, _ in as_lists(net.parameters())
                                for w in flatten(W))
    return e


def numerical_gradient(net, label, sample, eps=1e-5):
    """[(dW, db), …] as nested lists shaped like the parameters (a conv W is 4 deep), by
    central differences. Parameters are restored."""
    original = as_lists(net.parameters())
    work = as_lists(original)

    def central(nested):  # each number of ``nested``, a part of ``work``, perturbed in turn
        grads = []
        for i, w in enumerate(nested):
            if isinstance(w, list):
                grads.append(central(w))
                continue
            nested[i] = w + eps
            net.set_parameters(work)
            plus = total_loss(net, label, sample)
            nested[i] = w - eps
            net.set_parameters(work)
            minus = total_loss(net, label, sample)
            nested[i] = w
            grads.append((plus - minus) / (2.0 * eps))
        return grads

    try:
        return [(central(W), central(b)) for W, b in work]
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

    A gradient of the wrong shape (a layer, row or entry missing or extra) is a disagreement
    (error inf), never a shorter comparison.
    """
    analytic = as_lists(net.get_gradient(label, sample))
    numeric = numerical_gradient(net, label, sample, eps)
    if len(analytic) != len(numeric):
        return [LayerReport(k, math.inf, math.inf) for k in range(1, len(numeric) + 1)]
    return [LayerReport(k, _worst(aW, nW, floor), _worst(ab, nb, floor))
            for k, ((aW, ab), (nW, nb)) in enumerate(zip(analytic, numeric), start=1)]


def _worst(analytic, numeric, floor):
    """Largest relative error over two nested lists; inf when their shapes differ."""
    if _shape(analytic) != _shape(numeric):
        return math.inf
    return max((abs(a - n) / max(abs(a), abs(n), floor)
                for a, n in zip(flatten(analytic), flatten(numeric))), default=0.0)


def _shape(nested):
    """The lengths of every list in ``nested`` (to notice a missing row or entry)."""
    if not isinstance(nested, list):
        return None
    return [len(nested)] + [_shape(item) for item in nested]
