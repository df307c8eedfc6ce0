"""One fully connected layer as matrices: the tutorial's ``FullConnectedLayer``.

A layer maps the ``in`` outputs of the layer below to its own ``out`` outputs:

* ``W`` has shape ``(out, in)``: ``W[j, i]`` is ``w_ji``, the weight from upstream node i to
  node j; ``b`` has shape ``(out,)``: the bias of node j (the weight of the bias unit).
* A sample ``x`` has shape ``(in,)``; a batch has shape ``(N, in)`` with one sample per row, and
  every array below then has one row per sample.

Signs, as in the rest of the project: ``δ_j = −∂E/∂net_j`` (the article's sign), and
``W_grad``/``b_grad`` hold the true gradient ``∂E/∂W``/``∂E/∂b`` (same sign as PyTorch's
``.grad``). The article stores the negative gradient, so its 式9 ``W ← W + η δ xᵀ`` is
``W −= η · W_grad`` here: the same step.

One training step visits the layer four times, in the order of the Network's phases:
:meth:`~FullConnectedLayer.forward` (式2), :meth:`~FullConnectedLayer.backward` (式8, or the
output layer's δ from :func:`vectorized.losses.output_delta`, 式7),
:meth:`~FullConnectedLayer.calc_gradient` and :meth:`~FullConnectedLayer.update` (式9, 式10).
Every array is a plain attribute; nothing is held back or computed on reading.
"""

import math

import numpy as np

from .activators import OUTPUT_ACTIVATIONS, get_activator, softmax

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


INITS = ("uniform", "xavier", "he")


def init_bound(init, n_in, n_out):
    """Half-width a of U(−a, a) for the weights, and whether biases are drawn too."""
    if init == "uniform":
        return 0.1, True  # the tutorial: every weight and bias in U(−0.1, 0.1)
    if init == "xavier":
        return math.sqrt(6.0 / (n_in + n_out)), False
    if init == "he":
        return math.sqrt(6.0 / n_in), False
    raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")


class FullConnectedLayer:
    """A fully connected layer ``a = f(W·x + b)`` (式2).

    ``activator`` is an activation name ("sigmoid", "relu", ...; "softmax" too, for an output
    layer). ``dtype`` is "float64" (default) or "float32": every array of the layer has it, and
    inputs must already have it (the Network casts them).

    Attributes (None until the phase that sets them has run):

    * ``W`` (out, in), ``b`` (out,): the parameters;
    * ``input`` (in,) or (N, in), ``net`` = W·x + b and ``output`` = f(net), (out,) or (N, out):
      set by :meth:`forward`;
    * ``delta`` (out,) or (N, out): this layer's ``δ = −∂E/∂net``, set by the Network's
      ``calc_delta`` (:meth:`backward` for a hidden layer); :meth:`forward` clears it;
    * ``W_grad`` (out, in), ``b_grad`` (out,): ``∂E/∂W``, ``∂E/∂b`` set by
      :meth:`calc_gradient`, kept after :meth:`update`: the gradient the last step applied.
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
        self.W = np.zeros((self.output_size, self.input_size), dtype=self.dtype)
        self.b = np.zeros(self.output_size, dtype=self.dtype)
        self.input = self.net = self.output = self.delta = None
        self.W_grad = self.b_grad = None

    def initialize(self, rng, init="uniform"):
        """Draw W and b from ``rng`` (a ``random.Random``), in the order docs/conventions.md fixes:
        every weight in the row-major order of W (``W[j][i]``, j downstream, i upstream; a conv
        layer's ``W[f][c][u][v]``) with ``rng.uniform(-a, a)``, then the biases in order
        (uniform init only; xavier/he biases are 0.0, not drawn). fan_in is what one output
        reads (in; C·K·K), fan_out what one input feeds (out; F·K·K). ConvLayer uses this very
        method.

        The arrays are built from these Python floats, so the neurons package, which draws in the
        same order, starts from bit-identical parameters (float64; float32 is then a cast).
        """
        fan_in, fan_out = self.W.size // self.W.shape[0], self.W.size // self.W.shape[1]
        a, draw_bias = init_bound(init, fan_in, fan_out)
        weights = [rng.uniform(-a, a) for _ in range(self.W.size)]
        biases = [rng.uniform(-0.1, 0.1) for _ in range(self.b.size)] if draw_bias else None
        self.W[...] = np.array(weights, dtype=np.float64).reshape(self.W.shape)
        self.b[...] = np.array(biases, dtype=np.float64) if biases is not None else 0.0

    def forward(self, x):
        """式2: ``net = W·x + b``, ``a = f(net)``. ``x``: (in,) or (N, in); returns (out,) or
        (N, out). For rows the same product reads ``net = x·Wᵀ + b``."""
        self.input = x
        self.net = x @ self.W.T + self.b
        self.output = self._f(self.net)
        self.delta = None  # belongs to the previous forward
        return self.output

    def backward(self, delta_above, W_above=None):
        """式8: this hidden layer's ``δ = f'(net) ⊙ W_aboveᵀ·δ_above``, from the δ and weights of
        the layer above (for sigmoid, ``f'(net) = a(1 − a)``). For rows: ``δ_above @ W_above``.

        ``W_aboveᵀ·δ_above`` is the sum ``Σ_k w_kj δ_k`` of 式4, over the nodes k above. Under a
        dropout layer (no weights) ``delta_above`` is what it hands down, ``mask ⊙ δ``, and
        ``W_above`` is None. Sets and returns ``self.delta``, (out,) or (N, out). The output
        layer's δ comes from :func:`vectorized.losses.output_delta` (式7) instead.
        """
        if self.net is None:
            raise RuntimeError("no forward pass to go back through: call forward first")
        error = delta_above if W_above is None else delta_above @ W_above  # Σ_k w_kj δ_k
        self.delta = self._f_prime(self.net, self.output) * error  # 式8
        return self.delta

    def calc_gradient(self, l2=0.0):
        """The gradient of the last forward and δ: ``W_grad = −δ·xᵀ + λW`` (out, in) and
        ``b_grad = −δ`` (out,), the true gradient (the article's 式9/式10 step without η, sign
        flipped). A batch gives the mean over its rows: ``−(1/N) Σ_n δ_n x_nᵀ``, one matrix
        product. No L2 on b."""
        delta, x = self.delta, self.input
        if delta is None:
            raise RuntimeError("no delta for the last forward pass: run calc_delta first")
        if delta.ndim == 1:
            self.W_grad = np.outer(-delta, x)  # ∂E/∂w_ji = −δ_j x_i
            self.b_grad = -delta
        else:  # the mean over the rows of a batch
            scaled = -delta / delta.shape[0]  # −δ/N, one row per sample
            self.W_grad = scaled.T @ x
            self.b_grad = scaled.sum(axis=0)
        if l2:
            self.W_grad += l2 * self.W  # ∂(λ/2 Σ W²)/∂W = λW
        return self.W_grad, self.b_grad

    def update(self, rate):
        """式9, 式10 with the true gradient: ``W −= η · W_grad``, ``b −= η · b_grad`` (the
        article's ``W += η δ xᵀ``, ``b += η δ``). The gradient stays: it is the one applied.
        ConvLayer uses this very method."""
        if self.W_grad is None:
            raise RuntimeError("no gradient to apply: run calc_gradient first")
        self.W -= rate * self.W_grad  # 式9
        self.b -= rate * self.b_grad  # 式10

    def __repr__(self):
        return (f"FullConnectedLayer({self.input_size}, {self.output_size}, "
                f"{self.activator!r}, dtype={self.dtype.name!r})")
