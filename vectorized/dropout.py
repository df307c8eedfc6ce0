"""Inverted dropout (``"dropP"`` in a layer spec), for the output of a fully connected hidden layer.

During training each value is kept with probability ``1 − p`` and divided by ``1 − p`` (so its
expected value is unchanged), or set to 0: ``out = x ⊙ mask`` with ``mask ∈ {0, 1/(1−p)}``.
Outside training it is the identity (``predict``, ``get_gradient`` and ``loss`` never drop), so
nothing needs rescaling at test time. The masks come from ``np.random.default_rng(seed)``: the
same seed gives the same masks.

It speaks the layer protocol of :class:`~vectorized.layer.FullConnectedLayer` (no parameters):
``backward_activation`` is the identity and ``backward`` multiplies ``−∂E/∂output`` by the same
mask, which is ``−∂E/∂input`` (a dropped value had no effect on E).
"""

import numpy as np

from .layer import as_dtype


class Dropout:
    """``Dropout(p, seed=None, dtype="float64")``, ``0 ≤ p < 1``.

    Attributes: ``p``, ``rng`` (the ``np.random.Generator``), ``mask`` (the last training
    forward's mask, same shape as its input; None after a forward outside training), ``input``,
    ``output`` (``net`` is ``output``: no activation).
    """

    has_parameters = False
    W = b = W_grad = b_grad = None

    def __init__(self, p, seed=None, dtype="float64"):
        p = float(p)
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.rng = np.random.default_rng(seed)
        self.dtype = as_dtype(dtype)
        self.input = self.net = self.output = self.mask = None

    def initialize(self, rng, init="uniform"):
        """No parameters: takes nothing from ``rng`` (the masks have their own generator)."""

    def forward(self, x, training=False):
        """``x ⊙ mask`` with a fresh mask when ``training``, else ``x`` itself."""
        self.input = x
        if training and self.p > 0.0:
            keep = self.rng.random(x.shape) >= self.p  # each kept with probability 1 − p
            self.mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.p)
            self.output = x * self.mask
        else:
            self.mask = None
            self.output = x
        self.net = self.output
        return self.output

    def backward_activation(self, error):
        """No activation: ``δ = error``."""
        return error

    def backward(self, delta, l2=0.0, propagate=True):
        """``−∂E/∂input = mask ⊙ δ`` (the identity after a forward outside training)."""
        if self.output is None or delta.shape != self.output.shape:
            raise ValueError(f"delta has shape {delta.shape}, expected "
                             f"{None if self.output is None else self.output.shape} "
                             "(the shape of the last forward's output)")
        if not propagate:
            return None
        return delta if self.mask is None else delta * self.mask

    def update(self, rate):
        """No parameters: nothing to do."""

    def __repr__(self):
        return f"Dropout({self.p}, dtype={self.dtype.name!r})"
