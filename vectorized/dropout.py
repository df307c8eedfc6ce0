"""Inverted dropout (``"dropP"`` in a layer spec), for the output of a fully connected hidden layer.

During training each value is kept with probability ``1 − p`` and divided by ``1 − p`` (so its
expected value is unchanged), or set to 0: ``out = x ⊙ mask`` with ``mask ∈ {0, 1/(1−p)}``.
Outside training it is the identity (``predict``, ``get_gradient`` and ``loss`` never drop), so
nothing needs rescaling at test time. The masks come from a NumPy generator
(``np.random.default_rng``): the same seed gives the same masks.

It has the methods of :class:`~vectorized.layer.FullConnectedLayer` (no parameters, no
activation): its δ is the ``−∂E/∂output`` from the layer above, and ``error_below`` hands
``mask ⊙ δ`` down, which is ``−∂E/∂input`` (a dropped value had no effect on E).
"""

import numpy as np

from .layer import as_dtype


class Dropout:
    """``Dropout(p, seed=None, dtype="float64")``, ``0 ≤ p < 1``; ``seed`` is anything
    ``np.random.default_rng`` takes, a ``np.random.Generator`` included (then used as it is:
    the Network hands all its dropout layers one generator).

    Attributes: ``p``, ``rng`` (the ``np.random.Generator``), ``mask`` (the last training
    forward's mask, same shape as its input; None after a forward outside training), ``input``,
    ``output`` (``net`` is ``output``), ``delta`` (``−∂E/∂output``, set by ``backward``).
    """

    W = b = W_grad = b_grad = None  # no parameters

    def __init__(self, p, seed=None, dtype="float64"):
        p = float(p)
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.rng = np.random.default_rng(seed)
        self.dtype = as_dtype(dtype)
        self.input = self.net = self.output = self.mask = self.delta = None

    def initialize(self, rng, init="uniform"):
        """No parameters: takes nothing from ``rng`` (the masks have their own generator)."""

    def forward(self, x, training=False):
        """``x ⊙ mask`` with a fresh mask when ``training``, else ``x`` itself. ``x``: (n,) or
        (N, n); returns the same shape."""
        self.input = x
        if training and self.p > 0.0:
            keep = self.rng.random(x.shape) >= self.p  # each kept with probability 1 − p
            self.mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.p)
            self.output = x * self.mask
        else:
            self.mask = None
            self.output = x
        self.net = self.output
        self.delta = None  # belongs to the previous forward
        return self.output

    def backward(self, delta_above, W_above=None):
        """δ = −∂E/∂output (no activation: f' = 1): ``W_aboveᵀ·δ_above`` under a fully connected
        layer, or ``delta_above`` itself when ``W_above`` is None. Sets and returns
        ``self.delta``, the shape of the output."""
        if self.output is None:
            raise RuntimeError("no forward pass to go back through: call forward first")
        error = delta_above if W_above is None else delta_above @ W_above
        if error.shape != self.output.shape:
            raise ValueError(f"error has shape {error.shape}, expected {self.output.shape} "
                             "(the shape of the last forward's output)")
        self.delta = error
        return self.delta

    def backward_error(self, error):
        """:meth:`backward` of an error handed down by the layer above (``W_above`` None)."""
        return self.backward(error)

    def error_below(self):
        """``−∂E/∂input = mask ⊙ δ`` (δ itself after a forward outside training)."""
        if self.delta is None:
            raise RuntimeError("no delta for the last forward pass: run calc_delta first")
        return self.delta if self.mask is None else self.delta * self.mask

    def calc_gradient(self, l2=0.0):
        """No parameters: nothing to compute."""

    def update(self, rate):
        """No parameters: nothing to do."""

    def __repr__(self):
        return f"Dropout({self.p}, dtype={self.dtype.name!r})"
