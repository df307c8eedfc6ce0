"""K×K max-pooling as array operations: ``MaxPoolingLayer`` (the CNN article's pooling layer),
and the shape helpers the feature-map layers share.

It has the methods of :class:`~vectorized.layer.FullConnectedLayer` (see
:mod:`vectorized.conv`): ``forward``, ``backward``/``backward_error`` (its δ: it has no
activation, so δ is the error handed down), ``error_below`` (δ routed to each window's winner),
and ``calc_gradient``/``update``, which do nothing (no parameters).
"""

import numpy as np

from .layer import as_dtype


def map_shape(shape, name):
    """``shape`` as a (C, H, W) tuple of ints ≥ 1."""
    shape = tuple(int(n) for n in shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"{name} must be (C, H, W) with sizes at least 1, got {shape}")
    return shape


def as_batch(x, shape, what):
    """``x`` as a batch (N, C, H, W) and whether it was one map (C, H, W); ValueError naming the
    expected shape otherwise."""
    if x.shape[-3:] != shape or x.ndim not in (3, 4):
        dims = ", ".join(map(str, shape))
        raise ValueError(f"{what} has shape {x.shape}, expected ({dims}) or (N, {dims})")
    return (x[None], True) if x.ndim == 3 else (x, False)


class MaxPoolingLayer:
    """K×K max-pooling with stride K: (C, H, W) → (C, ⌊H/K⌋, ⌊W/K⌋); rows and columns beyond the
    last whole window are dropped (PyTorch's rounding). No parameters, no activation.

    ``MaxPoolingLayer(input_shape, pool_size, dtype="float64")``.

    Window (y, x) holds ``in[c, y·K+u, x·K+v]`` for u, v < K, so its (u, v) entries over all
    windows form the strided grid ``in[:, u::K, v::K]``: the maximum is taken over the K² grids,
    one NumPy operation each (no loop over pixels). ``error_below`` routes each ``δ`` to the input
    position that won its window; on a tie, the first maximum in row-major (u, v) order
    (docs/design.md). Every other input gets 0. Attributes: ``input``, ``net`` (= ``output``: no
    activation), ``output``, ``delta`` (= −∂E/∂output), ``winners`` (K² boolean arrays shaped
    like the output: ``winners[k]`` where entry k = u·K + v won its window) and ``argmax`` (the
    winner's u·K + v, computed from ``winners``).
    """

    W = b = W_grad = b_grad = None

    def __init__(self, input_shape, pool_size, dtype="float64"):
        self.input_shape = map_shape(input_shape, "input_shape")
        self.pool_size = K = int(pool_size)
        C, H, W = self.input_shape
        if K < 1 or H // K < 1 or W // K < 1:
            raise ValueError(
                f"pooling {pool_size}x{pool_size} leaves nothing of the {H}x{W} input")
        self.output_shape = (C, H // K, W // K)
        self.dtype = as_dtype(dtype)
        self.input = self.net = self.output = self.delta = self.winners = None

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
        as_batch(x, self.input_shape, "x")
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
        self.delta = None  # belongs to the previous forward
        return out

    def backward(self, delta_above, W_above):
        """δ under a fully connected layer (which read the pooled maps flattened row-major):
        ``δ = W_aboveᵀ·δ_above`` unflattened to the output's shape (no activation: f' = 1).
        Sets and returns ``self.delta``."""
        if self.output is None:
            raise RuntimeError("no forward pass to go back through: call forward first")
        return self.backward_error((delta_above @ W_above).reshape(self.output.shape))

    def backward_error(self, error):
        """``δ = error`` (no activation), the ``−∂E/∂output`` handed down by the layer above, the
        shape of the output. Sets and returns ``self.delta``."""
        if self.output is None or error.shape != self.output.shape:
            raise ValueError(f"error has shape {error.shape}, expected "
                             f"{None if self.output is None else self.output.shape} "
                             "(the shape of the last forward's output)")
        self.delta = error
        return self.delta

    def error_below(self):
        """``−∂E/∂input`` (the shape of the last input): each window's ``δ`` at its first
        maximum, 0 elsewhere (the other inputs did not change the output)."""
        delta = self.delta
        if delta is None:
            raise RuntimeError("no delta for the last forward pass: run calc_delta first")
        result = np.zeros(delta.shape[:-2] + self.input_shape[1:], dtype=delta.dtype)
        for grid, winner in zip(self._grids(result), self.winners):  # grids: views into result
            np.multiply(delta, winner, out=grid)  # δ where this entry won, 0 elsewhere
        return result

    def calc_gradient(self, l2=0.0):
        """No parameters: nothing to compute."""

    def update(self, rate):
        """No parameters: nothing to do."""

    def __repr__(self):
        return (f"MaxPoolingLayer({self.input_shape}, {self.pool_size}, "
                f"dtype={self.dtype.name!r})")
