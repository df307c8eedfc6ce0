"""The CNN article's layers as matrices: ``ConvLayer`` (formula (1)) and ``MaxPoolingLayer``.

Both take a feature map ``(C, H, W)`` or a batch ``(N, C, H, W)`` (NCHW, as PyTorch) and have
the methods of :class:`~vectorized.layer.FullConnectedLayer`, so the Network runs them in the
same four phases:

* ``forward(x)`` → output; keeps ``input``, ``net``, ``output`` (式2's place: formula (1));
* the layer's δ (式8's place), from the layer above: ``backward(delta_above, W_above)`` when
  that layer is fully connected (it read these maps flattened), else
  ``backward_error(error)`` with the ``error = −∂E/∂output`` that layer handed down;
* ``error_below()``: what this layer hands down, ``−∂E/∂input`` from its δ (the ``Wᵀδ`` of
  式8 for the layer below);
* ``calc_gradient(l2)``: ``W_grad``, ``b_grad`` (the true gradient, batch mean, ``+ λW`` on W
  only); ``update(rate)``: ``W −= rate · W_grad``, ``b −= rate · b_grad`` (式9, 式10).

Signs as everywhere in the project: ``δ = −∂E/∂net`` (the article's sign), gradients with
PyTorch's sign. Convolution is cross-correlation, zero outside the input (docs/design.md):
``net[f,y,x] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v] · in[c, y·S+u−P, x·S+v−P]`` (formula (1)).
Output sizes round down as in PyTorch: conv ``⌊(H + 2P − K)/S⌋ + 1``, pool ``⌊H/K⌋``.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activators import get_activator
from .layer import as_dtype
from .pool import MaxPoolingLayer, as_batch, map_shape

__all__ = ["ConvLayer", "MaxPoolingLayer"]


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

    Attributes (None until the phase that sets them has run): ``input`` (x as given), ``net``,
    ``output`` (F, OH, OW) or (N, F, OH, OW) and ``patches`` (the stack ``X``), set by
    ``forward``; ``delta`` (the shape of ``net``), set by ``backward``/``backward_error``;
    ``W_grad`` (F, C, K, K), ``b_grad`` (F,), set by ``calc_gradient``.
    """


    def __init__(self, input_shape, filter_number, filter_size, zero_padding=0, stride=1,
                 activator="sigmoid", dtype="float64"):
        self.input_shape = map_shape(input_shape, "input_shape")
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
        self.W_grad = self.b_grad = None
        self.input = self.net = self.output = self.delta = self.patches = None

    def initialize(self, rng, init="uniform"):
        """Draw W then b from ``rng`` (a ``random.Random``) (docs/design.md): every weight in
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
        batch, single = as_batch(x, self.input_shape, "x")
        self.input = x
        self.patches = self.im2col(batch)
        F = self.filter_number
        net = np.matmul(self.W.reshape(F, -1), self.patches)  # (N, F, OH·OW): 式2 per patch
        net += self.b[:, None]
        net = net.reshape((-1,) + self.output_shape)
        self.net = net[0] if single else net
        self.output = self._f(self.net)
        self.delta = None  # belongs to the previous forward
        return self.output

    # -- backward ----------------------------------------------------------------------------

    def backward(self, delta_above, W_above):
        """式8 under a fully connected layer (which read these maps flattened row-major):
        ``δ = f'(net) ⊙ W_aboveᵀ·δ_above``, the product unflattened to the shape of ``net``.
        ``delta_above``: (out,) or (N, out); ``W_above``: (out, F·OH·OW). Sets and returns
        ``self.delta``, (F, OH, OW) or (N, F, OH, OW)."""
        if self.net is None:
            raise RuntimeError("no forward pass to go back through: call forward first")
        return self.backward_error((delta_above @ W_above).reshape(self.net.shape))

    def backward_error(self, error):
        """``δ = f'(net) ⊙ error`` for ``error = −∂E/∂output`` handed down by the layer above
        (its ``error_below()``), the shape of ``net``. Sets and returns ``self.delta``."""
        if self.net is None or error.shape != self.net.shape:
            raise ValueError(f"error has shape {error.shape}, expected "
                             f"{None if self.net is None else self.net.shape} "
                             "(the shape of the last forward's output)")
        self.delta = self._f_prime(self.net, self.output) * error
        return self.delta

    def _delta_columns(self):
        """δ as (N, F, OH·OW): one row of positions per filter, like the patches' columns."""
        if self.delta is None:
            raise RuntimeError("no delta for the last forward pass: run calc_delta first")
        return self.delta.reshape(-1, self.filter_number, self.patches.shape[2])

    def calc_gradient(self, l2=0.0):
        """The FC layer's ``−δxᵀ`` with the patches as x, summed over positions (a shared
        weight's gradient is the sum over its uses), mean over samples:
        ``W_grad = −(1/N)·Σ_n δ_n X_nᵀ + λW`` (F, C, K, K), ``b_grad = −(1/N)·Σ δ`` (F,).
        No L2 on b."""
        columns = self._delta_columns()
        scaled = columns * (-1.0 / columns.shape[0])  # −δ/N
        # 式9 per sample, summed over samples: −(1/N) Σ_n δ_n · X_nᵀ
        W_grad = np.matmul(scaled, self.patches.transpose(0, 2, 1)).sum(axis=0)
        self.W_grad = W_grad.reshape(self.W.shape)
        self.b_grad = scaled.sum(axis=(0, 2))
        if l2:
            self.W_grad += l2 * self.W  # ∂(λ/2 Σ W²)/∂W = λW
        return self.W_grad, self.b_grad

    def error_below(self):
        """``−∂E/∂input`` for the layer below (the shape of the last ``input``): ``Wᵀ·δ_n``, one
        column of C·K·K values per patch (式8's ``Wᵀδ`` per patch), then col2im adds each
        column back onto the pixels its patch was cut from."""
        F = self.filter_number
        columns = np.matmul(self.W.reshape(F, -1).T, self._delta_columns())  # Wᵀδ per patch
        return self.col2im(columns, single=self.delta.ndim == 3)

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
        """式9, 式10 with the true gradient: ``W −= rate · W_grad``, ``b −= rate · b_grad`` (the
        article's ``W += η δ xᵀ``). The gradient stays: it is the one applied."""
        if self.W_grad is None:
            raise RuntimeError("no gradient to apply: run calc_gradient first")
        self.W -= rate * self.W_grad  # 式9
        self.b -= rate * self.b_grad  # 式10

    def __repr__(self):
        return (f"ConvLayer({self.input_shape}, {self.filter_number}, {self.filter_size}, "
                f"zero_padding={self.zero_padding}, stride={self.stride}, "
                f"activator={self.activator!r}, dtype={self.dtype.name!r})")
