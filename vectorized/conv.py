"""The CNN article's layers as matrices: ``ConvLayer`` (formula (1)) and ``MaxPoolingLayer``.

Both take a feature map ``(C, H, W)`` or a batch ``(N, C, H, W)`` (NCHW, as PyTorch) and speak
the protocol of :class:`~vectorized.layer.FullConnectedLayer`, so a network runs them in the
same loop:

* ``forward(x)`` → output; keeps ``input``, ``net``, ``output``;
* ``backward_activation(error)``: ``error = −∂E/∂output`` → ``δ = −∂E/∂net``;
* ``backward(delta, l2=0.0, propagate=True)``: sets ``W_grad``/``b_grad`` (the true gradient,
  batch mean, ``+ λW`` on W only) and returns ``−∂E/∂input`` for the layer below (None when
  ``propagate`` is False); ``update(rate)``: ``W −= rate · W_grad``, ``b −= rate · b_grad``.

Signs as everywhere in the project: ``δ = −∂E/∂net`` (the article's sign), gradients with
PyTorch's sign. Convolution is cross-correlation, zero outside the input (DESIGN.md):
``net[f,y,x] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v] · in[c, y·S+u−P, x·S+v−P]`` (formula (1)).
Output sizes round down as in PyTorch: conv ``⌊(H + 2P − K)/S⌋ + 1``, pool ``⌊H/K⌋``.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activators import get_activator
from .layer import as_dtype


def _map_shape(shape, name):
    """``shape`` as a (C, H, W) tuple of ints ≥ 1."""
    shape = tuple(int(n) for n in shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"{name} must be (C, H, W) with sizes at least 1, got {shape}")
    return shape


def _batch(x, shape, what):
    """``x`` as a batch (N, C, H, W) and whether it was one map (C, H, W); ValueError naming the
    expected shape otherwise."""
    if x.shape[-3:] != shape or x.ndim not in (3, 4):
        dims = ", ".join(map(str, shape))
        raise ValueError(f"{what} has shape {x.shape}, expected ({dims}) or (N, {dims})")
    return (x[None], True) if x.ndim == 3 else (x, False)


class ConvLayer:
    """A convolutional layer: ``filter_number`` filters of ``filter_size``×``filter_size``.

    ``ConvLayer(input_shape, filter_number, filter_size, zero_padding=0, stride=1,
    activator="sigmoid", dtype="float64")``; ``input_shape`` is (C, H, W); ``activator`` a
    hidden activation name. Every array has ``dtype``; inputs must already have it (the Network
    casts them). Values are not validated here (the Network checks them once per call).

    Parameters: ``W`` (F, C, K, K), ``b`` (F,). Output (F, OH, OW) per sample with
    ``OH = ⌊(H + 2P − K)/S⌋ + 1`` (likewise OW).

    **Forward as one matrix product (im2col).** Cut every receptive field — the C×K×K input
    values one output pixel sees — out of the zero-padded input and stand it up as one column of
    the patch matrix ``X_n`` of sample n, shape (C·K·K, OH·OW) (rows in (c, u, v) order, columns
    in (y, x) order). Flatten each filter the same way into a row of ``W.reshape(F, C·K·K)``.
    Then formula (1) for every pixel of every map is the fully connected layer's 式2 with a patch
    as x: ``net_n = W · X_n + b`` (F, OH·OW), which is already the (F, OH, OW) maps. Weight
    sharing is exactly this: every column (patch) meets the same W. All N products are one
    ``np.matmul`` over the stack ``X`` (N, C·K·K, OH·OW).

    **Backward is the same trick transposed** (the FC layer's 式8/式9 per patch column):

    * ``W_grad = −(1/N) Σ_n δ_n · X_nᵀ + λW`` — the FC layer's ``−δxᵀ``, summed over every
      position the filter was used at (a shared weight's gradient is the sum over its uses),
      mean over the N samples; ``b_grad = −(1/N) Σ δ``;
    * ``Wᵀ · δ_n`` (C·K·K, OH·OW) is, column by column, ``−∂E/∂patch``; col2im adds every
      column back onto the input pixels its patch was cut from (overlapping windows add up),
      which gives ``−∂E/∂input``: the ``Σ_k w_ki δ_k`` of 式4 for each input pixel.

    Attributes after ``forward``/``backward``: ``input`` (x as given), ``net``, ``output``
    (same leading shape as x), ``W_grad``, ``b_grad``, and ``patches`` (the stack ``X``).
    """

    has_parameters = True

    def __init__(self, input_shape, filter_number, filter_size, zero_padding=0, stride=1,
                 activator="sigmoid", dtype="float64"):
        self.input_shape = _map_shape(input_shape, "input_shape")
        self.filter_number, self.filter_size = int(filter_number), int(filter_size)
        self.zero_padding, self.stride = int(zero_padding), int(stride)
        if self.filter_number < 1 or self.filter_size < 1 or self.stride < 1:
            raise ValueError("filter_number, filter_size and stride must be at least 1, got "
                             f"{filter_number}, {filter_size}, {stride}")
        if not 0 <= self.zero_padding < self.filter_size:
            raise ValueError(f"zero_padding must be in [0, {self.filter_size}), got "
                             f"{zero_padding}")
        C, H, W = self.input_shape
        K, S, P = self.filter_size, self.stride, self.zero_padding
        out_h, out_w = (H + 2 * P - K) // S + 1, (W + 2 * P - K) // S + 1
        if out_h < 1 or out_w < 1:
            raise ValueError(f"a {K}x{K} filter does not fit the {H}x{W} input with padding {P}")
        self.output_shape = (self.filter_number, out_h, out_w)
        self._f, self._f_prime = get_activator(activator)  # hidden activations only
        self.activator = activator
        self.dtype = as_dtype(dtype)
        self.W = np.zeros((self.filter_number, C, K, K), dtype=self.dtype)
        self.b = np.zeros(self.filter_number, dtype=self.dtype)
        self.W_grad = np.zeros_like(self.W)
        self.b_grad = np.zeros_like(self.b)
        self.input = self.net = self.output = self.patches = None

    def initialize(self, rng, init="uniform"):
        """Draw W then b from ``rng`` (a ``random.Random``) in DESIGN.md's order: every weight in
        the row-major order of W (f, c, u, v) with ``rng.uniform(-a, a)``, then the biases (uniform
        init only; xavier/he biases are 0.0, not drawn). ``a`` is 0.1 (uniform),
        ``√(6/(fan_in + fan_out))`` (xavier) or ``√(6/fan_in)`` (he), with fan_in = C·K·K and
        fan_out = F·K·K."""
        F, C, K, _ = self.W.shape
        fan_in, fan_out = C * K * K, F * K * K
        if init == "uniform":
            a = 0.1
        elif init == "xavier":
            a = math.sqrt(6.0 / (fan_in + fan_out))
        elif init == "he":
            a = math.sqrt(6.0 / fan_in)
        else:
            raise ValueError(f"unknown init {init!r}; choose one of uniform, xavier, he")
        weights = [rng.uniform(-a, a) for _ in range(self.W.size)]
        biases = [rng.uniform(-0.1, 0.1) for _ in range(F)] if init == "uniform" else None
        self.W[...] = np.array(weights, dtype=np.float64).reshape(self.W.shape)
        self.b[...] = np.array(biases, dtype=np.float64) if biases is not None else 0.0

    # -- forward -----------------------------------------------------------------------------

    def im2col(self, x):
        """The patch matrices (N, C·K·K, OH·OW) of a batch ``x`` (N, C, H, W): column ``(y, x)``
        of sample n holds ``in[n, c, y·S+u−P, x·S+v−P]`` in (c, u, v) order, zero outside."""
        K, S, P = self.filter_size, self.stride, self.zero_padding
        if P:
            x = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
        # windows[n, c, y, x, u, v] = padded[n, c, y·S+u, x·S+v]: a view, nothing copied yet
        windows = sliding_window_view(x, (K, K), axis=(2, 3))[:, :, ::S, ::S]
        n, (_, out_h, out_w) = x.shape[0], self.output_shape
        return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, -1, out_h * out_w)  # the copy

    def forward(self, x):
        """Formula (1) for every output pixel as 式2 over the patches: ``net_n = W·X_n + b``,
        ``a = f(net)``. ``x``: (C, H, W) or (N, C, H, W); returns (F, OH, OW) or (N, F, OH, OW)."""
        batch, single = _batch(x, self.input_shape, "x")
        self.input = x
        self.patches = self.im2col(batch)
        F = self.filter_number
        net = np.matmul(self.W.reshape(F, -1), self.patches)  # (N, F, OH·OW): 式2 per patch
        net += self.b[:, None]
        net = net.reshape((-1,) + self.output_shape)
        self.net = net[0] if single else net
        self.output = self._f(self.net)
        return self.output

    def backward_activation(self, error):
        """``error = −∂E/∂output`` → ``δ = f'(net) ⊙ error`` (式8's factor; same shape)."""
        return self._f_prime(self.net, self.output) * error

    # -- backward ----------------------------------------------------------------------------

    def _delta_columns(self, delta):
        """δ as (N, F, OH·OW) after checking it has the shape of the last ``net``."""
        if self.net is None or delta.shape != self.net.shape:
            raise ValueError(f"delta has shape {delta.shape}, expected "
                             f"{None if self.net is None else self.net.shape} "
                             "(the shape of the last forward's output)")
        return delta.reshape(-1, self.filter_number, self.patches.shape[2])

    def backward(self, delta, l2=0.0, propagate=True):
        """Given ``δ = −∂E/∂net`` (the shape of the last ``net``): ``W_grad = −(1/N)·Σ δ_n X_nᵀ
        + λW`` (F, C, K, K), ``b_grad = −(1/N)·Σδ`` (F,) — sums over positions, means over
        samples — and returns ``−∂E/∂input`` (the shape of the last ``input``) by col2im of
        ``Wᵀ·δ_n``, or None with ``propagate=False``."""
        columns = self._delta_columns(delta)
        scaled = columns * (-1.0 / columns.shape[0])  # −δ/N
        # 式9 per sample, summed over samples: −(1/N) Σ_n δ_n · X_nᵀ
        W_grad = np.matmul(scaled, self.patches.transpose(0, 2, 1)).sum(axis=0)
        self.W_grad = W_grad.reshape(self.W.shape)
        self.b_grad = scaled.sum(axis=(0, 2))
        if l2:
            self.W_grad += l2 * self.W  # L2 on W only
        return self.weighted_delta(delta) if propagate else None

    def weighted_delta(self, delta):
        """``−∂E/∂input``: ``Wᵀ·δ_n`` (one column of C·K·K values per patch), then col2im."""
        F = self.filter_number
        columns = np.matmul(self.W.reshape(F, -1).T, self._delta_columns(delta))  # 式8 per patch
        return self.col2im(columns, single=delta.ndim == 3)

    def col2im(self, columns, single=False):
        """The transpose of :meth:`im2col`: add each column of ``columns`` (N, C·K·K, OH·OW)
        back onto the input pixels its patch was cut from; returns (N, C, H, W) (or (C, H, W)).
        One strided addition per kernel offset (u, v): K² NumPy operations, none per pixel."""
        C, H, W = self.input_shape
        K, S, P = self.filter_size, self.stride, self.zero_padding
        _, out_h, out_w = self.output_shape
        cols = columns.reshape(-1, C, K, K, out_h, out_w)
        padded = np.zeros((cols.shape[0], C, H + 2 * P, W + 2 * P), dtype=columns.dtype)
        for u in range(K):
            for v in range(K):
                # patch (y, x) used padded[.., y·S+u, x·S+v] as its (u, v) entry
                padded[:, :, u:u + S * out_h:S, v:v + S * out_w:S] += cols[:, :, u, v]
        result = padded[:, :, P:P + H, P:P + W]
        return result[0] if single else result

    def update(self, rate):
        """式9/式10 with the true gradient: ``W −= rate · W_grad``, ``b −= rate · b_grad``."""
        self.W -= rate * self.W_grad
        self.b -= rate * self.b_grad

    def __repr__(self):
        return (f"ConvLayer({self.input_shape}, {self.filter_number}, {self.filter_size}, "
                f"zero_padding={self.zero_padding}, stride={self.stride}, "
                f"activator={self.activator!r}, dtype={self.dtype.name!r})")


class MaxPoolingLayer:
    """K×K max-pooling with stride K: (C, H, W) → (C, ⌊H/K⌋, ⌊W/K⌋); rows and columns beyond the
    last whole window are dropped (PyTorch's rounding). No parameters, no activation.

    ``MaxPoolingLayer(input_shape, pool_size, dtype="float64")``.

    Window (y, x) holds ``in[c, y·K+u, x·K+v]`` for u, v < K, so its (u, v) entries over all
    windows form the strided grid ``in[:, u::K, v::K]``: the maximum is taken over the K² grids,
    one NumPy operation each (no loop over pixels). ``backward`` routes each ``δ`` to the input
    position that won its window; on a tie, the first maximum in row-major (u, v) order
    (DESIGN.md). Every other input gets 0. Attributes: ``input``, ``net`` (= ``output``: no
    activation), ``output``, ``winners`` (K² boolean arrays shaped like the output: ``winners[k]``
    where entry k = u·K + v won its window) and ``argmax`` (the winner's u·K + v, computed from
    ``winners``).
    """

    has_parameters = False
    W = b = W_grad = b_grad = None

    def __init__(self, input_shape, pool_size, dtype="float64"):
        self.input_shape = _map_shape(input_shape, "input_shape")
        self.pool_size = K = int(pool_size)
        C, H, W = self.input_shape
        if K < 1 or H // K < 1 or W // K < 1:
            raise ValueError(
                f"pooling {pool_size}x{pool_size} leaves nothing of the {H}x{W} input")
        self.output_shape = (C, H // K, W // K)
        self.dtype = as_dtype(dtype)
        self.input = self.net = self.output = self.winners = None

    def initialize(self, rng, init="uniform"):
        """Nothing to draw (no parameters): takes nothing from ``rng``."""

    @property
    def argmax(self):
        """The winner's index u·K + v in each window (the shape of the output), from
        ``winners``; None before the first forward. Setting it sets ``winners``."""
        return None if self.winners is None else np.argmax(self.winners, axis=0)

    @argmax.setter
    def argmax(self, value):
        value = np.asarray(value)
        self.winners = np.arange(self.pool_size ** 2).reshape((-1,) + (1,) * value.ndim) == value

    def _grids(self, x):
        """The K² views ``x[..., u::K, v::K]`` (cut to OH×OW) in row-major (u, v) order: grid
        u·K + v holds every window's (u, v) entry."""
        K, (_, out_h, out_w) = self.pool_size, self.output_shape
        return [x[..., u:out_h * K:K, v:out_w * K:K] for u in range(K) for v in range(K)]

    def windows(self, x):
        """Each window's K·K values in row-major order, (..., C, OH, OW, K·K) (for inspection)."""
        return np.stack(self._grids(x), axis=-1)

    def forward(self, x):
        """The maximum of each K×K window. ``x``: (C, H, W) or (N, C, H, W)."""
        _batch(x, self.input_shape, "x")
        grids = self._grids(x)
        out = grids[0].copy()
        for grid in grids[1:]:
            np.maximum(out, grid, out=out)
        # winners[k]: where grid k holds its window's first maximum in row-major order
        winners = np.empty((len(grids),) + out.shape, dtype=bool)
        taken = np.zeros(out.shape, dtype=bool)
        for k, grid in enumerate(grids):
            np.logical_and(grid == out, ~taken, out=winners[k])
            taken |= winners[k]
        self.input, self.winners = x, winners
        self.net = self.output = out
        return out

    def backward_activation(self, error):
        """No activation: ``δ = error``."""
        return error

    def backward(self, delta, l2=0.0, propagate=True):
        """``−∂E/∂input`` (shape of the last input): each window's ``δ`` at its first maximum,
        0 elsewhere. No parameters, so no gradient; ``l2`` is ignored."""
        if self.output is None or delta.shape != self.output.shape:
            raise ValueError(f"delta has shape {delta.shape}, expected "
                             f"{None if self.output is None else self.output.shape} "
                             "(the shape of the last forward's output)")
        if not propagate:
            return None
        result = np.zeros(delta.shape[:-2] + self.input_shape[1:], dtype=delta.dtype)
        for grid, winner in zip(self._grids(result), self.winners):  # grids: views into result
            np.multiply(delta, winner, out=grid)  # δ where this entry won, 0 elsewhere
        return result

    def update(self, rate):
        """No parameters: nothing to do."""

    def __repr__(self):
        return (f"MaxPoolingLayer({self.input_shape}, {self.pool_size}, "
                f"dtype={self.dtype.name!r})")
