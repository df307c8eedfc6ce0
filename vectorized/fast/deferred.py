"""One-sample steps kept aside and added to W later, several at once.

One sample's step (式9) adds the rank-1 matrix ``u·xᵀ`` (``u = η·δ``) to W. When W does not fit
in the cache (784-300 in float64: 1.9 MB), that is a read and a write of all of W per sample, on
top of the read that the next forward pass needs: the rank-1 update alone takes longer than
the forward pass. The step need not be written into W at once. After k steps
``W ← f_i·W + u_i·x_iᵀ`` (``f_i = 1 − ηλ``, 1 without L2) the weights are

    W_now = c·W + Σ_i u_i·x_iᵀ = c·W + Uᵀ·X

with U (k, out) holding the u_i scaled by the later f's, X (k, in) the x_i, and c the product of
the f_i. Every use of W_now goes through that sum at O(k·(in + out)) cost instead of a pass over W:

* forward (式2): ``W_now·x = c·(W·x) + Uᵀ·(X·x)``
* the ``Wᵀδ`` of 式8: ``δ·W_now = c·(δ·W) + (δ·Uᵀ)·X``

and every k steps ``W ← c·W + Uᵀ·X`` is one matrix product with W read and written once. The
arithmetic (2·out·in per sample, as before) stays; k − 1 of every k passes over W go away.
The numbers differ from step-by-step updates only in rounding.
"""

import numpy as np

from . import blas


class DeferredSteps:
    """Up to ``capacity`` one-sample steps on a W of ``shape`` (out, in), not yet added to it.
    ``len()`` is the number held, so an instance is true while it holds any."""

    def __init__(self, shape, dtype, capacity):
        out_size, in_size = shape
        self.capacity = capacity
        self.U = np.empty((capacity, out_size), dtype=dtype)  # rows u_i (η·δ_i, decayed since)
        self.X = np.empty((capacity, in_size), dtype=dtype)  # rows x_i
        self.count = 0  # k: steps held
        self.scale = 1.0  # c: product of the L2 factors f_i of the steps held

    def add(self, u, x, decay=1.0):
        """Hold the step ``W_now ← decay·W_now + u·xᵀ`` (u: (out,), x: (in,)). Returns True when
        full: :meth:`apply` must run before the next ``add``."""
        k = self.count
        if decay != 1.0:  # f·(c·W + Uᵀ·X) = (f·c)·W + (f·U)ᵀ·X
            self.scale *= decay
            self.U[:k] *= decay
        self.U[k] = u
        self.X[k] = x  # a copy: the caller may reuse its array
        self.count = k + 1
        return self.count == self.capacity

    def __len__(self):
        return self.count

    def forward(self, x, net):
        """Turn ``net = x·Wᵀ`` ((out,) or (N, out), from the stored W) into ``x·W_nowᵀ``, in
        place."""
        k = self.count
        if self.scale != 1.0:
            net *= self.scale
        net += (x @ self.X[:k].T) @ self.U[:k]  # Uᵀ·(X·x), rows for a batch

    def backward(self, delta, error):
        """Turn ``error = δ·W`` ((in,) or (N, in), from the stored W) into ``δ·W_now``, in
        place."""
        k = self.count
        if self.scale != 1.0:
            error *= self.scale
        error += (delta @ self.U[:k].T) @ self.X[:k]  # (δ·Uᵀ)·X

    def apply(self, W, scratch):
        """``W ← c·W + Uᵀ·X`` in place (W: contiguous (out, in); ``scratch``: an (out, in)
        buffer of W's layout for the NumPy path); nothing is held afterwards."""
        k, U, X = self.count, self.U, self.X
        if k:
            if blas.USE_SCIPY_BLAS:  # one pass over W: BLAS adds the product into it
                blas.product_update(W, self.scale, U[:k].T, X[:k])
            else:
                np.matmul(U[:k].T, X[:k], out=scratch)
                if self.scale != 1.0:
                    W *= self.scale
                W += scratch
        self.discard()

    def discard(self):
        """Forget the held steps (W is being replaced)."""
        self.count = 0
        self.scale = 1.0
