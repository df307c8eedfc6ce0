"""One fully connected layer as matrices: the tutorial's ``FullConnectedLayer``.

A layer maps the ``in`` outputs of the layer below to its own ``out`` outputs:

* ``W`` has shape ``(out, in)``: ``W[j, i]`` is ``w_ji``, the weight from upstream node i to
  node j; ``b`` has shape ``(out,)``: the bias of node j (the weight of the bias unit).
* A sample ``x`` has shape ``(in,)``; a batch has shape ``(N, in)`` with one sample per row.

Signs, as in the rest of the project: ``δ_j = −∂E/∂net_j`` (the article's sign), and
``W_grad``/``b_grad`` hold the true gradient ``∂E/∂W``/``∂E/∂b`` (same sign as PyTorch's
``.grad``). The article's 式9 ``W ← W + η δ xᵀ`` is therefore ``W −= η · W_grad`` here.

The layer does not validate values (the :class:`~vectorized.network.Network` does, once per
call); it only checks shapes, so that a misuse gives a clear ValueError.

``backward`` + ``update`` materialise the gradient (a whole ``(out, in)`` matrix), scale it and
then subtract it. Training does not need the gradient itself: :meth:`FullConnectedLayer.sgd_step`
does the same step (式9, 式10) forming ``η·δxᵀ`` once. For one sample on a large layer it holds
the step back and adds :data:`DEFERRED_STEPS` of them to W in one matrix product
(:mod:`vectorized.deferred`); on a small layer it adds the step at once, with BLAS's rank-1
update ``?ger`` when SciPy is installed (``pip install neurons[fast]``, :mod:`vectorized.blas`).
Reading ``W`` always gives the weights with every step added.
"""

import math

import numpy as np

from . import blas
from .activators import OUTPUT_ACTIVATIONS, get_activator, softmax, softmax_backward
from .deferred import DeferredSteps

#: How many one-sample steps a large layer holds before adding them to W in one matrix product
#: (:mod:`vectorized.deferred`); 0 adds each step at once.
DEFERRED_STEPS = 16

#: Layers whose W takes more bytes than this defer their one-sample steps: a core's L2 cache on
#: the development machine (512 KiB). A W that fits stays in the cache between steps, and adding
#: each step at once is as fast or faster (784-300-10 float64: 95 µs deferred, 125 µs not;
#: 784-100-10 float32: 50 µs deferred, 46 µs not; benchmarks/ times both).
DEFER_ABOVE_BYTES = 512 * 1024


DTYPES = ("float64", "float32")


def as_dtype(dtype):
    """np.dtype for "float64" / "float32" (or the NumPy types); ValueError for anything else."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        result = None
    if dtype is None or result is None or result.name not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    return result


class FullConnectedLayer:
    """A fully connected layer ``a = f(W·x + b)`` (式2).

    ``activator`` is an activation name ("sigmoid", "relu", ...; "softmax" too, for an output
    layer). ``dtype`` is "float64" (default) or "float32": every array of the layer has it, and
    inputs must already have it (the Network casts them).

    ``W`` (out, in) and ``b`` (out,) are the parameters; W is always current (reading it adds
    any deferred steps first, see :meth:`sgd_step`). Attributes after ``forward``/``backward``:
    ``input`` (the x it was given), ``net`` (W·x + b), ``output`` (f(net)), ``W_grad`` (out, in)
    and ``b_grad`` (out,) (buffers reused between calls; None after :meth:`sgd_step`, which never
    keeps the gradient).
    """

    def __init__(self, input_size, output_size, activator="sigmoid", dtype="float64"):
        self.input_size = int(input_size)
        self.output_size = int(output_size)
        if self.input_size < 1 or self.output_size < 1:
            raise ValueError(
                f"layer sizes must be at least 1, got {input_size} -> {output_size}"
            )
        if activator == "softmax":
            self._f, self._f_prime = softmax, None
        elif isinstance(activator, str) and activator in OUTPUT_ACTIVATIONS:
            self._f, self._f_prime = get_activator(activator, output=True)
        else:
            raise ValueError(
                f"unknown activation {activator!r}; choose one of {', '.join(OUTPUT_ACTIVATIONS)}"
            )
        self.activator = activator
        self.dtype = as_dtype(dtype)
        shape = (self.output_size, self.input_size)
        self._W = np.zeros(shape, dtype=self.dtype)  # W without the deferred steps
        self._deferred = None  # DeferredSteps, made on the first deferred step
        self.b = np.zeros(self.output_size, dtype=self.dtype)
        self.W_grad = np.zeros(shape, dtype=self.dtype)
        self.b_grad = np.zeros(self.output_size, dtype=self.dtype)
        self._grad_buffers = (self.W_grad, self.b_grad)  # backward writes into these
        self._step = np.empty(shape, dtype=self.dtype)  # scratch: rate·W_grad, λW, η·δxᵀ, Uᵀ·X
        self.input = self.net = self.output = None

    @property
    def W(self):
        """The weights (out, in), ``W[j, i] = w_ji``, with every step added: deferred steps are
        added to the array when it is read. Writing into it (``layer.W[...] = ...``) is fine.
        Read it again after training: an array kept from an earlier read lags behind by the
        steps held since (at most :data:`DEFERRED_STEPS`)."""
        self._apply_held()
        return self._W

    def _apply_held(self):
        """Add any held steps to the W array: ``W ← c·W + Uᵀ·X``, one matrix product."""
        deferred = self._deferred
        if deferred:  # holds steps
            deferred.apply(self._W, self._step)

    @W.setter
    def W(self, value):
        value = np.asarray(value)
        if value.shape != self._W.shape:
            raise ValueError(f"W must have shape {self._W.shape}, got {value.shape}")
        if self._deferred is not None:
            self._deferred.discard()
        self._W[...] = value

    def initialize(self, rng, init="uniform"):
        """Draw W and b from ``rng`` (a ``random.Random``), in the order docs/conventions.md fixes:
        all weights row by row (``W[j][i]``, j downstream, i upstream) with ``rng.uniform(-a, a)``,
        then the biases in j order (uniform init only; xavier/he biases are 0.0, not drawn).

        The arrays are built from these Python floats, so the neurons package, which draws in the
        same order, starts from bit-identical parameters (float64; float32 is then a cast).
        """
        n_in, n_out = self.input_size, self.output_size
        if init == "uniform":
            a = 0.1
        elif init == "xavier":
            a = math.sqrt(6.0 / (n_in + n_out))
        elif init == "he":
            a = math.sqrt(6.0 / n_in)
        else:
            raise ValueError(f"unknown init {init!r}; choose one of uniform, xavier, he")
        weights = [rng.uniform(-a, a) for _ in range(n_out * n_in)]
        biases = [rng.uniform(-0.1, 0.1) for _ in range(n_out)] if init == "uniform" else None
        self.W[...] = np.array(weights, dtype=np.float64).reshape(n_out, n_in)
        self.b[...] = np.array(biases, dtype=np.float64) if biases is not None else 0.0

    # -- forward -----------------------------------------------------------------------------

    def forward(self, x):
        """式2: ``net = W·x + b``, ``a = f(net)``. ``x``: (in,) or (N, in); returns (out,) or
        (N, out). As a matrix product for rows: ``net = x @ Wᵀ + b``."""
        if x.shape[-1:] != (self.input_size,) or x.ndim > 2:
            raise ValueError(f"x has shape {x.shape}, expected ({self.input_size},) or (N, "
                             f"{self.input_size})")
        self.input = x
        self.net = net = x @ self._W.T
        deferred = self._deferred
        if deferred:
            deferred.forward(x, net)  # the held steps' share of W·x
        net += self.b
        self.output = self._f(self.net)
        return self.output

    def backward_activation(self, error):
        """The activation's backward: turn ``error = −∂E/∂a`` (same shape as ``output``) into this
        layer's ``δ = −∂E/∂net``.

        Element-wise activations: ``δ = f'(net) ⊙ error`` (式8's ``a(1−a)`` factor for sigmoid;
        with ``error = t − y`` for mse this is 式7). Softmax: the Jacobian,
        ``δ_j = y_j (error_j − Σ_k error_k y_k)``.
        """
        if self._f_prime is None:
            return softmax_backward(self.output, error)
        return self._f_prime(self.net, self.output) * error

    # -- backward ----------------------------------------------------------------------------

    def backward(self, delta, l2=0.0, propagate=True):
        """Given this layer's ``δ = −∂E/∂net`` ((out,) or (N, out), from the last ``forward``):

        * ``W_grad = −δ xᵀ + λW`` (式9 without the rate, sign of the true gradient; the mean of
          −δ_n x_nᵀ over the batch rows) and ``b_grad = −δ`` (式10; batch mean). No L2 on b.
        * returns ``Wᵀ·δ`` — for a batch ``δ @ W``, shape (in,) or (N, in) — which is
          ``−∂E/∂x``: the sum ``Σ_k w_ki δ_k`` of 式4/式8 *before* the layer below multiplies its
          own ``f'(net)`` (its ``backward_activation`` does that). With ``propagate=False``
          (the first layer: input-layer deltas are never needed) it returns None.
        """
        x = self._check_delta(delta)
        self.W_grad, self.b_grad = W_grad, b_grad = self._grad_buffers
        if delta.ndim == 1:
            # ∂E/∂w_ji = −δ_j x_i  (the 'ji' names the weight w_ji)
            np.einsum("j,i->ji", -delta, x, out=W_grad)
            np.negative(delta, out=b_grad)
        else:
            # mean over the N rows: −(1/N) Σ_n δ_n x_nᵀ = (−δ/N)ᵀ · X, one matrix product
            scaled = delta * (-1.0 / delta.shape[0])
            np.dot(scaled.T, x, out=W_grad)
            np.sum(scaled, axis=0, out=b_grad)
        if l2:
            np.multiply(self.W, l2, out=self._step)
            W_grad += self._step
        return self.weighted_delta(delta) if propagate else None

    def weighted_delta(self, delta):
        """``Wᵀ·δ`` (for a batch ``δ @ W``): ``Σ_k w_ki δ_k`` of 式4/式8, i.e. ``−∂E/∂x``, which
        the layer below turns into its own δ with its ``backward_activation``. Uses the current
        W: call it before this layer's step."""
        error = delta @ self._W
        deferred = self._deferred
        if deferred:
            deferred.backward(delta, error)  # the held steps' share of Wᵀ·δ
        return error

    def update(self, rate):
        """式9/式10 with the true gradient: ``W −= rate · W_grad``, ``b −= rate · b_grad``."""
        if self.W_grad is None:
            raise RuntimeError("no gradient to apply: the last step (sgd_step) did not keep "
                               "one; call backward first")
        np.multiply(self.W_grad, rate, out=self._step)
        self.W -= self._step
        self.b -= rate * self.b_grad

    def sgd_step(self, delta, rate, l2=0.0):
        """One gradient step: ``backward(delta, l2, propagate=False)`` followed by
        ``update(rate)``, done without keeping the gradient.

        ``delta``: this layer's ``δ = −∂E/∂net`` for the last ``forward``, (out,) for one sample
        x (in,) or (N, out) for a batch X (N, in). In the article's sign the step is

        * 式9 with L2: ``W ← W − η(−δxᵀ + λW) = (1 − ηλ)·W + η·δxᵀ`` (a batch: the mean
          ``(1/N) Σ_n δ_n x_nᵀ`` in place of ``δxᵀ``);
        * 式10: ``b ← b + η·δ`` (a batch: the mean of the rows of δ).

        Why a separate method: ``backward`` + ``update`` write the (out, in) gradient, scale it
        by η into a second buffer, then subtract that from W: three passes over (out, in)
        arrays. Here η goes into δ first (a short vector), so ``η·δxᵀ`` is formed once and added
        once. For one sample:

        * a layer whose W is larger than :data:`DEFER_ABOVE_BYTES` holds the step back
          (:mod:`vectorized.deferred`): ``forward`` and ``weighted_delta`` include the held
          steps, and every :data:`DEFERRED_STEPS` steps they go into W as one matrix product,
          one pass over W instead of one per sample;
        * a smaller layer adds ``η·δxᵀ`` at once: with SciPy installed
          (:data:`vectorized.blas.USE_SCIPY_BLAS`) in a single pass as BLAS's rank-1 update
          ``?ger``, otherwise through a buffer.

        The paths differ only in rounding (the benchmarks time each).

        Afterwards ``W_grad`` and ``b_grad`` are None (no gradient was kept; ``update`` refuses
        to run until the next ``backward``). Needs the W before the step for the layer below:
        call :meth:`weighted_delta` first.
        """
        x = self._check_delta(delta)
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
                    np.multiply.outer(scaled, x, out=self._step)  # η·δxᵀ
                    W += self._step  # 式9
            self.b += scaled  # 式10 (= b − η·b_grad with b_grad = −δ)
        else:
            W, step = self.W, self._step  # with any held steps added
            if l2:
                W *= decay
            scaled = delta * (rate / delta.shape[0])  # (η/N)·δ, one row per sample
            np.matmul(scaled.T, x, out=step)  # (η/N) Σ_n δ_n x_nᵀ: one matrix product
            W += step  # 式9
            self.b += scaled.sum(axis=0)  # 式10
        self.W_grad = self.b_grad = None  # not formed: nothing stale to read

    def _defer(self, u, x, decay):
        """Hold the step ``W ← decay·W + u·xᵀ``; add the held steps to W when there are
        :data:`DEFERRED_STEPS` of them."""
        deferred = self._deferred
        if deferred is None or deferred.capacity != DEFERRED_STEPS:  # first time, or resized
            self._apply_held()  # what an old DeferredSteps holds
            deferred = self._deferred = DeferredSteps(self._W.shape, self.dtype, DEFERRED_STEPS)
        if deferred.add(u, x, decay):  # full
            self._apply_held()

    def _check_delta(self, delta):
        """The input of the last forward, after checking ``delta`` has its output's shape."""
        if self.input is None or delta.shape != self.net.shape:
            raise ValueError(f"delta has shape {delta.shape}, expected "
                             f"{None if self.output is None else self.output.shape} "
                             "(the shape of the last forward's output)")
        return self.input

    def __repr__(self):
        return (f"FullConnectedLayer({self.input_size}, {self.output_size}, "
                f"{self.activator!r}, dtype={self.dtype.name!r})")
