"""A fully connected layer with a fused training step: :meth:`FullConnectedLayer.sgd_step`.

The textbook layer (:class:`vectorized.layer.FullConnectedLayer`) forms the gradient (a whole
(out, in) matrix), scales it and subtracts it: three passes over (out, in) arrays per step.
``sgd_step`` does the same step (式9, 式10) without forming the gradient. For one sample on a
large layer it holds the step back and adds :data:`DEFERRED_STEPS` of them to W in one matrix
product (:mod:`vectorized.fast.deferred`); on a small layer it adds the step at once, with
BLAS's rank-1 update ``?ger`` when SciPy is installed (:mod:`vectorized.fast.blas`). Reading
``W`` gives the weights with every step added (and adds the held steps to the array: a read can
change the rounding of what follows, which the textbook engine never does).
"""

import numpy as np

from . import activators, blas, numpy_blas
from .deferred import DeferredSteps

#: How many one-sample steps a large layer holds before adding them to W in one matrix product
#: (:mod:`vectorized.fast.deferred`); 0 adds each step at once.
DEFERRED_STEPS = 16

#: Layers whose W takes more bytes than this defer their one-sample steps: a core's L2 cache on
#: the development machine (512 KiB). A W that fits stays in the cache between steps, and adding
#: each step at once is then as fast or faster (docs/fast.md).
DEFER_ABOVE_BYTES = 512 * 1024

#: Layers whose W takes more bytes than this are "large": a batch's products go through ?gemm
#: (:mod:`vectorized.fast.numpy_blas`). A small layer's stay ``np.matmul``, whose call costs
#: less than one through ``ctypes``: on a small layer that difference is most of the product.
LARGE_LAYER_BYTES = 512 * 1024

#: Large layers of these dtypes keep W column-major (Wᵀ row-major in memory): OpenBLAS forms a
#: batch's X·Wᵀ and Xᵀδ faster from it. Not float64: there one sample's ``W·x`` was slower
#: column-major. A small W stays row-major in any case: its ``δ·W`` for the layer below is
#: slower column-major.
COLUMN_MAJOR_DTYPES = (np.dtype(np.float32),)


class FullConnectedLayer:
    """A fully connected layer ``a = f(W·x + b)`` (式2) with the fused step :meth:`sgd_step`.

    ``FullConnectedLayer(input_size, output_size, activator="sigmoid", dtype="float64")``; W
    (out, in) and b (out,) start at zero (the Network copies the textbook's). ``W`` is a
    property that adds any held steps when read. ``W_grad`` and ``b_grad`` are always None: no
    gradient is formed."""

    W_grad = b_grad = None

    def __init__(self, input_size, output_size, activator="sigmoid", dtype="float64"):
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.activator, self.dtype = activator, np.dtype(dtype)
        self.activate, self.derivative = activators.pair(activator)
        self._W = np.zeros((self.output_size, self.input_size), dtype=self.dtype)
        self.b = np.zeros(self.output_size, dtype=self.dtype)
        self._large = self._W.nbytes > LARGE_LAYER_BYTES
        if self._large and self.dtype in COLUMN_MAJOR_DTYPES:
            self._W = np.asfortranarray(self._W)
        self._deferred = None  # DeferredSteps, made on the first deferred step
        self._step = np.empty_like(self._W)  # scratch of W's layout: η·δxᵀ, Uᵀ·X
        self._ones = np.ones(0, dtype=self.dtype)  # (N,) ones: a batch's column sums of δ
        self.input = self.net = self.output = self.delta = None

    @property
    def W(self):
        """The weights (out, in), ``W[j, i] = w_ji``, with every step added: held steps are
        added to the array when it is read. An array kept from an earlier read lags behind by
        the steps held since (at most :data:`DEFERRED_STEPS`)."""
        self._apply_held()
        return self._W

    @W.setter
    def W(self, value):
        value = np.asarray(value)
        if value.shape != self._W.shape:
            raise ValueError(f"W must have shape {self._W.shape}, got {value.shape}")
        if self._deferred is not None:
            self._deferred.discard()
        if value is not self._W:
            self._W[...] = value

    def weights(self):
        """W with the held steps added, without adding them to the array (so reading it does
        not change the rounding of later steps): the array itself when nothing is held."""
        deferred = self._deferred
        if not deferred:
            return self._W
        k = deferred.count
        return deferred.scale * self._W + deferred.U[:k].T @ deferred.X[:k]

    def _apply_held(self):
        """Add any held steps to the W array: ``W ← c·W + Uᵀ·X``, one matrix product."""
        deferred = self._deferred
        if deferred:  # holds steps
            deferred.apply(self._W, self._step)

    def forward(self, x):
        """式2 with the held steps' share: ``net = c·(W·x) + Uᵀ·(X·x)``, plus b. ``x``: (in,)
        or (N, in)."""
        self.input = x
        deferred = self._deferred
        if x.ndim == 2 and self._large and not deferred:  # b first, then ?gemm adds X·Wᵀ
            net = np.empty((x.shape[0], self.output_size), dtype=self.dtype)
            net[...] = self.b
            W = self._W  # X·Wᵀ, from W as stored (column-major: Wᵀ is row-major)
            if not (numpy_blas.gemm(1.0, x, False, W.T, False, 1.0, net) if W.flags.f_contiguous
                    else numpy_blas.gemm(1.0, x, False, W, True, 1.0, net)):
                net = x @ W.T + self.b
        else:
            net = x @ self._W.T
            if deferred:
                deferred.forward(x, net)
            net += self.b
        self.net = net
        self.output = self.activate(net)
        self.delta = None
        return self.output

    def weighted_delta(self, delta):
        """``Wᵀ·δ`` (for a batch ``δ @ W``): the ``Σ_k w_ki δ_k`` of 式8 for the layer below,
        with the held steps' share. Call it before this layer's own step."""
        W = self._W
        if delta.ndim == 2 and W.flags.f_contiguous and 16 * delta.shape[0] <= W.shape[0]:
            # the same product as (Wᵀ·δᵀ)ᵀ from Wᵀ row-major, which OpenBLAS forms faster, made
            # row-major again (the layer below wants it so). The copy costs more than it saves
            # when out is small beside N, hence the condition
            error = np.ascontiguousarray((W.T @ delta.T).T)
        else:
            error = delta @ W
        deferred = self._deferred
        if deferred:
            deferred.backward(delta, error)
        return error

    def hidden_delta(self, error):
        """式8's other factor: ``δ = f'(net) ⊙ error`` for ``error = Wᵀ·δ`` from above."""
        if self.activator == "sigmoid":  # y(1 − y)·error with one temporary array
            y = self.output
            delta = 1.0 - y
            delta *= y
            delta *= error
            self.delta = delta
        else:
            self.delta = self.derivative(self.net, self.output) * error
        return self.delta

    def sgd_step(self, delta, rate, l2=0.0):
        """``calc_gradient(l2)`` then ``update(rate)`` for this layer's ``δ`` (out,) or (N, out),
        without forming the gradient. In the article's sign:

        * 式9 with L2: ``W ← (1 − ηλ)·W + η·δxᵀ`` (a batch: the mean ``(1/N) Σ_n δ_n x_nᵀ``);
        * 式10: ``b ← b + η·δ`` (a batch: the mean of the rows of δ).

        η goes into δ first (a short vector), so ``η·δxᵀ`` is formed once and added once: one
        pass over W instead of three. For one sample a layer larger than
        :data:`DEFER_ABOVE_BYTES` holds the step back; a smaller one adds it at once (``?ger``
        with SciPy, else through a buffer). Needs the W before the step for the layer below:
        call :meth:`weighted_delta` first.
        """
        x = self.input
        if x is None or delta.shape != self.net.shape:
            raise ValueError(f"delta has shape {delta.shape}, expected "
                             f"{None if self.net is None else self.net.shape}")
        self.delta = delta
        decay = 1.0 - rate * l2  # the λW part of 式9: W ← (1 − ηλ)·W
        if delta.ndim == 1:
            scaled = rate * delta  # η·δ
            if DEFERRED_STEPS and self._W.nbytes > DEFER_ABOVE_BYTES:
                self._defer(scaled, x, decay)  # 式9, held back
            else:
                W = self.W  # with any held steps added
                if l2:
                    W *= decay
                if blas.USE_SCIPY_BLAS:  # 式9 as a rank-1 update: W ← W + η·δxᵀ
                    blas.rank1_update(W, 1.0, scaled, x)
                else:
                    np.einsum("j,i->ji", scaled, x, out=self._step)  # η·δxᵀ
                    W += self._step
            self.b += scaled  # 式10
        else:
            W, scale = self.W, rate / delta.shape[0]  # η/N
            # 式9 as one ?gemm into W: W ← (1 − ηλ)·W + (η/N) Σ_n δ_n x_nᵀ (or its transpose)
            if not (self._large and (
                    numpy_blas.gemm(scale, x, True, delta, False, decay, W.T)
                    if W.flags.f_contiguous
                    else numpy_blas.gemm(scale, delta, True, x, False, decay, W))):
                if l2:
                    W *= decay
                scaled = delta * scale  # (η/N)·δ, one row per sample
                np.matmul(scaled.T, x, out=self._step)  # (η/N) Σ_n δ_n x_nᵀ
                W += self._step
            ones = self._ones
            if ones.shape[0] != delta.shape[0]:
                ones = self._ones = np.ones(delta.shape[0], dtype=self.dtype)
            self.b += scale * (ones @ delta)  # 式10: Σ_n δ_n as a BLAS product (faster than sum)

    def _defer(self, u, x, decay):
        """Hold the step ``W ← decay·W + u·xᵀ``; add the held steps to W when there are
        :data:`DEFERRED_STEPS` of them."""
        deferred = self._deferred
        if deferred is None or deferred.capacity != DEFERRED_STEPS:  # first time, or resized
            self._apply_held()
            deferred = self._deferred = DeferredSteps(self._W.shape, self.dtype, DEFERRED_STEPS)
        if deferred.add(u, x, decay):  # full
            self._apply_held()
