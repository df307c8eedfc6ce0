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
"""

import math

import numpy as np

from .activators import OUTPUT_ACTIVATIONS, get_activator, softmax, softmax_backward

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

    Attributes after ``forward``/``backward``: ``input`` (the x it was given), ``net`` (W·x + b),
    ``output`` (f(net)), ``W_grad`` (out, in) and ``b_grad`` (out,) (buffers reused between calls).
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
        self.W = np.zeros(shape, dtype=self.dtype)
        self.b = np.zeros(self.output_size, dtype=self.dtype)
        self.W_grad = np.zeros(shape, dtype=self.dtype)
        self.b_grad = np.zeros(self.output_size, dtype=self.dtype)
        self._step = np.empty(shape, dtype=self.dtype)  # scratch for rate·W_grad and λW
        self.input = self.net = self.output = None

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
        self.net = x @ self.W.T + self.b
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
        x = self.input
        if x is None or delta.shape != self.net.shape:
            raise ValueError(f"delta has shape {delta.shape}, expected {self.output.shape} "
                             "(the shape of the last forward's output)")
        if delta.ndim == 1:
            # ∂E/∂w_ji = −δ_j x_i  (the 'ji' names the weight w_ji)
            np.einsum("j,i->ji", -delta, x, out=self.W_grad)
            np.negative(delta, out=self.b_grad)
        else:
            # mean over the N rows: −(1/N) Σ_n δ_n x_nᵀ = (−δ/N)ᵀ · X, one matrix product
            scaled = delta * (-1.0 / delta.shape[0])
            np.dot(scaled.T, x, out=self.W_grad)
            np.sum(scaled, axis=0, out=self.b_grad)
        if l2:
            np.multiply(self.W, l2, out=self._step)
            self.W_grad += self._step
        return delta @ self.W if propagate else None

    def update(self, rate):
        """式9/式10 with the true gradient: ``W −= rate · W_grad``, ``b −= rate · b_grad``."""
        np.multiply(self.W_grad, rate, out=self._step)
        self.W -= self._step
        self.b -= rate * self.b_grad

    def __repr__(self):
        return (f"FullConnectedLayer({self.input_size}, {self.output_size}, "
                f"{self.activator!r}, dtype={self.dtype.name!r})")
