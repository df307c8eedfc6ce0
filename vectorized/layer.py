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
does the same step (式9, 式10) forming ``η·δxᵀ`` once, and for one sample, when SciPy is
installed (``pip install neurons[fast]``), in a single pass as BLAS's rank-1 update ``?ger``;
see :data:`USE_BLAS_GER`.
"""

import importlib.util
import math
import os

import numpy as np

from .activators import OUTPUT_ACTIVATIONS, get_activator, softmax, softmax_backward

#: Whether :meth:`FullConnectedLayer.sgd_step` (one sample) uses BLAS's rank-1 update ``?ger``
#: (True when SciPy is installed). Set it to False to run the plain NumPy path (tests run both).
USE_BLAS_GER = importlib.util.find_spec("scipy") is not None

#: Threads for ``?ger`` (needs threadpoolctl; None: leave BLAS's own setting). SciPy's wheels
#: bring a second copy of OpenBLAS beside NumPy's, with its own thread pool: on a busy 2-core
#: machine the two pools' waiting threads fight over the cores, and a ~50 µs update was
#: measured at several ms. A rank-1 update streams W through memory once, so one thread
#: loses little. Only that second BLAS is limited, and only during the call.
BLAS_GER_THREADS = 1

#: Below this many elements OpenBLAS runs ``?ger`` on one thread anyway (measured with 1 and 2
#: threads: 30×300 takes the same time, 16×784 does not), so no limit is needed there.
_SINGLE_THREADED_BELOW = 2304 * 4

_blas = None  # filled on first use by _load_blas(): SciPy takes ~0.2 s to import


def _load_blas():
    """``({dtype: ?ger}, [(get, set) thread-count functions of each BLAS that SciPy loaded
    beside NumPy's])``."""
    global _blas
    if _blas is None:
        from scipy.linalg.blas import dger, sger

        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # the thread count stays BLAS's own
            second = []
        else:  # NumPy's own BLAS lives in its folder (numpy/ or numpy.libs/)
            numpy_folder = os.path.dirname(np.__file__)
            loaded = ThreadpoolController().select(user_api="blas").lib_controllers
            second = [_thread_count_functions(library) for library in loaded
                      if not library.filepath.startswith(numpy_folder)] if len(loaded) > 1 else []
        _blas = ({np.dtype(np.float64): dger, np.dtype(np.float32): sger}, second)
    return _blas


def _thread_count_functions(library):
    """``(get, set)`` for one BLAS found by threadpoolctl. For OpenBLAS on its own threads,
    its C functions ``openblas_get/set_num_threads`` themselves (looked up by threadpoolctl,
    which knows the library's symbol prefix): threadpoolctl's methods around them cost ≈ 2 µs
    per call, and 6–8 µs per one-sample step on 784-300-10 once the big passes over W have
    evicted them from the cache. Anything else: threadpoolctl's methods."""
    find = getattr(library, "_get_symbol", None)  # threadpoolctl's own (private) lookup
    if (find is not None and getattr(library, "internal_api", None) == "openblas"
            and getattr(library, "threading_layer", None) == "pthreads"):
        get, set_ = find("openblas_get_num_threads"), find("openblas_set_num_threads")
        if get is not None and set_ is not None:
            return get, set_
    return library.get_num_threads, library.set_num_threads


def rank1_update(W, alpha, u, v):
    """``W ← W + α·u·vᵀ`` in place, with BLAS's ``?ger`` (W: C-contiguous (m, n) float64 or
    float32, u: (m,), v: (n,), same dtype). NumPy has no rank-1 update.

    ``?ger`` updates a column-major matrix ``A ← α·x·yᵀ + A``; a row-major W seen as ``Wᵀ``
    is column-major, so it gets ``Wᵀ ← α·v·uᵀ + Wᵀ``: the same numbers.
    """
    ger_by_dtype, thread_counts = _load_blas()
    ger = ger_by_dtype[W.dtype]
    W_T = W.T
    # OpenBLAS runs a small ?ger on one thread anyway: skip the limit and its restore.
    limit = BLAS_GER_THREADS is not None and thread_counts and W.size >= _SINGLE_THREADED_BELOW
    if limit:
        threads = [get() for get, _ in thread_counts]
        for _, set_threads in thread_counts:
            set_threads(BLAS_GER_THREADS)
    try:
        # positional (f2py parses keywords slowly): incx, incy, a, overwrite_x/y/a
        result = ger(alpha, v, u, 1, 1, W_T, 1, 1, 1)
    finally:
        if limit:
            for (_, set_threads), count in zip(thread_counts, threads):
                set_threads(count)
    if result is not W_T:  # SciPy copied instead (W was not C-contiguous): slower, still right
        W[...] = result.T


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
    ``output`` (f(net)), ``W_grad`` (out, in) and ``b_grad`` (out,) (buffers reused between calls;
    None after :meth:`sgd_step`, which never keeps the gradient).
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
        self._grad_buffers = (self.W_grad, self.b_grad)  # backward writes into these
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
        self.net = x @ self.W.T
        self.net += self.b
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
        return delta @ self.W

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
        once. One sample with SciPy installed (:data:`USE_BLAS_GER`) needs no buffer at all:
        BLAS's rank-1 update ``?ger`` adds ``η·δxᵀ`` to W in a single pass (the benchmarks time
        both). The paths differ only in rounding.

        Afterwards ``W_grad`` and ``b_grad`` are None (no gradient was kept; ``update`` refuses
        to run until the next ``backward``). Needs the W before the step for the layer below:
        call :meth:`weighted_delta` first.
        """
        x = self._check_delta(delta)
        W, step = self.W, self._step
        if l2:
            W *= 1.0 - rate * l2  # the λW part of 式9: W ← (1 − ηλ)·W
        if delta.ndim == 1:
            scaled = rate * delta  # η·δ
            if USE_BLAS_GER:
                rank1_update(W, 1.0, scaled, x)  # 式9 as a rank-1 update: W ← W + η·δxᵀ
            else:
                np.multiply.outer(scaled, x, out=step)  # η·δxᵀ
                W += step  # 式9
            self.b += scaled  # 式10 (= b − η·b_grad with b_grad = −δ)
        else:
            scaled = delta * (rate / delta.shape[0])  # (η/N)·δ, one row per sample
            np.matmul(scaled.T, x, out=step)  # (η/N) Σ_n δ_n x_nᵀ: one matrix product
            W += step  # 式9
            self.b += scaled.sum(axis=0)  # 式10
        self.W_grad = self.b_grad = None  # not formed: nothing stale to read

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
