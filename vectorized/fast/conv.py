"""Conv, pooling and dropout layers for ``vectorized.fast``, on maps stored batch-last.

The textbook layers (:mod:`vectorized.conv`, :mod:`vectorized.pool`) keep a batch as
(N, C, H, W) and take one product per sample. Here every map is (C, H, W, N): sample n's pixel
(c, y, x) is ``maps[c, y, x, n]``. Then the patches of the whole batch form one matrix
(C·K·K, OH·OW·N), and each of the layer's three products is one matrix product:

* forward (formula (1) as 式2): ``net = W·patches + b``, (F, C·K·K) @ (C·K·K, OH·OW·N), which is
  already the next layer's (F, OH, OW, N) map;
* the gradient and step (式9): ``W ← (1 − ηλ)·W + (η/N)·δ·patchesᵀ``, one ``?gemm`` into W;
* the error handed down (式8's ``Wᵀδ``): ``Wᵀ·δ``, then col2im adds each (u, v) block back.

Copying patches in and adding them back (im2col, col2im) moves (C, OH, OW·N) blocks whose rows
are OW·N numbers long, not OW. The same sums as the textbook's in another order: the results
differ by rounding only.
"""

import numpy as np

from . import activators, numpy_blas


class ConvLayer:
    """``ConvLayer(input_shape, filter_number, filter_size, zero_padding=0, stride=1,
    activator="relu", dtype="float64")`` on (C, H, W, N) maps. W (F, C, K, K) and b (F,) start
    at zero (the Network copies the textbook's)."""

    W_grad = b_grad = None

    def __init__(self, input_shape, filter_number, filter_size, zero_padding=0, stride=1,
                 activator="relu", dtype="float64"):
        C, H, W = self.input_shape = tuple(input_shape)
        F, K, S, P = filter_number, filter_size, stride, zero_padding
        self.filter_number, self.filter_size, self.stride, self.zero_padding = F, K, S, P
        self.output_shape = (F, (H + 2 * P - K) // S + 1, (W + 2 * P - K) // S + 1)
        self.activator, self.dtype = activator, np.dtype(dtype)
        self.activate, self.derivative = activators.pair(activator)
        self.W = np.zeros((F, C, K, K), dtype=self.dtype)
        self.b = np.zeros(F, dtype=self.dtype)
        self.input = self.patches = self.net = self.output = self.delta = None
        self._ones = np.ones(0, dtype=self.dtype)
        self.relu_in_pool = False  # set by the Network: the pooling layer above applies ReLU

    def im2col(self, maps):
        """The patches (C·K·K, OH·OW·N) of maps (C, H, W, N): row (c, u, v), column (y, x, n)
        holds ``maps[c, y·S+u−P, x·S+v−P, n]`` (zero outside), one block copy per (u, v)."""
        (C, _, _), (_, OH, OW) = self.input_shape, self.output_shape
        K, S, P, n = self.filter_size, self.stride, self.zero_padding, maps.shape[-1]
        if P:
            maps = np.pad(maps, ((0, 0), (P, P), (P, P), (0, 0)))
        patches = self.patches
        if patches is None or patches.shape[-1] != OH * OW * n:
            patches = self.patches = np.empty((C * K * K, OH * OW * n), dtype=self.dtype)
        blocks = patches.reshape(C, K, K, OH, OW, n)
        for u in range(K):
            for v in range(K):
                blocks[:, u, v] = maps[:, u:u + S * OH:S, v:v + S * OW:S]
        return patches

    def forward(self, maps):
        """Formula (1) for every output pixel of the batch, ``a = f(W·patches + b)``:
        (C, H, W, N) → (F, OH, OW, N)."""
        self.input = maps
        patches = self.im2col(maps)
        F, n = self.filter_number, maps.shape[-1]
        net = np.empty((F, patches.shape[1]), dtype=self.dtype)
        net[...] = self.b[:, None]
        if not numpy_blas.gemm(1.0, self.W.reshape(F, -1), False, patches, False, 1.0, net):
            net = self.W.reshape(F, -1) @ patches + self.b[:, None]
        self.net = net.reshape(self.output_shape + (n,))
        self.output = self.net if self.relu_in_pool else self.activate(self.net)
        self.delta = None
        return self.output

    def hidden_delta(self, error):
        """式8's other factor: ``δ = f'(net) ⊙ error``, error (F, OH, OW, N) from above (with
        ``relu_in_pool``, the pooling layer has applied f' already)."""
        self.delta = error if self.relu_in_pool else self.derivative(self.net, self.output) * error
        return self.delta

    def error_below(self):
        """``−∂E/∂input`` (C, H, W, N): ``Wᵀ·δ`` per patch, then :meth:`col2im`. Call it
        before this layer's step (it needs W before the step)."""
        F = self.filter_number
        return self.col2im(self.W.reshape(F, -1).T @ self.delta.reshape(F, -1))

    def col2im(self, columns):
        """The transpose of :meth:`im2col`: each column (C·K·K,) of ``columns`` added back onto
        the pixels its patch was cut from; returns (C, H, W, N)."""
        (C, H, W), (_, OH, OW) = self.input_shape, self.output_shape
        K, S, P = self.filter_size, self.stride, self.zero_padding
        n = columns.shape[1] // (OH * OW)
        blocks = columns.reshape(C, K, K, OH, OW, n)
        padded = np.zeros((C, H + 2 * P, W + 2 * P, n), dtype=self.dtype)
        for u in range(K):
            for v in range(K):
                padded[:, u:u + S * OH:S, v:v + S * OW:S] += blocks[:, u, v]
        return padded[:, P:P + H, P:P + W] if P else padded

    def sgd_step(self, delta, rate, l2=0.0):
        """式9, 式10 for δ (F, OH, OW, N), without forming the gradient:
        ``W ← (1 − ηλ)·W + (η/N)·Σ δ·patchesᵀ`` (one ``?gemm`` into W), ``b ← b + (η/N)·Σ δ``."""
        F, n = self.filter_number, delta.shape[-1]
        columns = delta.reshape(F, -1)
        scale, decay = rate / n, 1.0 - rate * l2
        W = self.W.reshape(F, -1)
        if not numpy_blas.gemm(scale, columns, False, self.patches, True, decay, W):
            W *= decay
            W += scale * (columns @ self.patches.T)
        ones = self._ones
        if ones.shape[0] != columns.shape[1]:
            ones = self._ones = np.ones(columns.shape[1], dtype=self.dtype)
        self.b += scale * (columns @ ones)  # 式10: Σ δ as a BLAS product


class MaxPoolingLayer:
    """K×K max-pooling, stride K, on (C, H, W, N) maps; δ goes to the first maximum of each
    window in row-major order, as in the textbook's :class:`vectorized.pool.MaxPoolingLayer`.

    ``relu=True`` (set by the Network above a ReLU conv layer, whose ``relu_in_pool`` it sets)
    pools the conv layer's net and applies ReLU to the K² times fewer maxima: max and ReLU
    commute, and where the two choose different winners (a window whose maximum is ≤ 0) ReLU's
    derivative is 0 either way, so the numbers are the textbook's exactly."""

    W = b = W_grad = b_grad = None

    def __init__(self, input_shape, pool_size, dtype="float64"):
        C, H, W = self.input_shape = tuple(input_shape)
        self.pool_size = K = pool_size
        self.output_shape = (C, H // K, W // K)
        self.dtype = np.dtype(dtype)
        self.input = self.output = self.delta = self.winners = None
        self.relu = False

    def _grids(self, maps):
        """The K² views ``maps[:, u::K, v::K]`` (cut to OH×OW) in row-major (u, v) order."""
        K, (_, OH, OW) = self.pool_size, self.output_shape
        return [maps[:, u:OH * K:K, v:OW * K:K] for u in range(K) for v in range(K)]

    def forward(self, maps):
        grids = self._grids(maps)
        out = grids[0].copy()
        for grid in grids[1:]:
            np.maximum(out, grid, out=out)
        winners = np.empty((len(grids),) + out.shape, dtype=bool)  # first maximum of each window
        taken = np.zeros(out.shape, dtype=bool)
        for k, grid in enumerate(grids):
            np.equal(grid, out, out=winners[k])
            winners[k] &= ~taken
            taken |= winners[k]
        if self.relu:
            np.maximum(out, out.dtype.type(0), out=out)
        self.input, self.winners, self.output = maps, winners, out
        return out

    def hidden_delta(self, error):
        self.delta = error  # no activation
        return error

    def error_below(self):
        delta = self.delta * (self.output > 0.0) if self.relu else self.delta  # ReLU's f'
        result = np.zeros(self.input_shape + delta.shape[-1:], dtype=delta.dtype)
        for grid, winner in zip(self._grids(result), self.winners):
            np.multiply(delta, winner, out=grid)
        return result


class Dropout:
    """Inverted dropout on (N, n) rows, drawing its masks from the textbook network's
    ``dropout_rng`` exactly as :class:`vectorized.dropout.Dropout` does (so the masks agree)."""

    W = b = W_grad = b_grad = None

    def __init__(self, p, rng, dtype="float64"):
        self.p, self.rng, self.dtype = p, rng, np.dtype(dtype)
        self.input = self.output = self.mask = self.delta = None

    def forward(self, x):
        self.input = x
        if self.p == 0.0:  # the textbook draws no mask then
            self.output = x
            return x
        keep = self.rng.random(x.shape) >= self.p
        self.mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.p)
        self.output = x * self.mask
        return self.output

    def hidden_delta(self, error):
        self.delta = error
        return error

    def error_below(self):
        return self.delta if self.p == 0.0 else self.delta * self.mask
