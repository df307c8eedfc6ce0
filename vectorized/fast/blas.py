"""In-place weight updates through SciPy's BLAS, which NumPy does not expose.

NumPy can only write a product into a new or scratch array, which the update then adds to W: two
more passes over an (out, in) array. BLAS adds into W itself:

* :func:`rank1_update`: ``W ← W + α·u·vᵀ`` (``?ger``), one sample's step (式9);
* :func:`product_update`: ``W ← β·W + A·B`` (``?gemm``), several deferred steps at once.

Both are optional (``pip install 'neurons-lab[fast]'``); :data:`USE_SCIPY_BLAS` says whether the
layer uses them. They run on one BLAS thread (:data:`BLAS_THREADS`).
"""

import importlib.util
import os

import numpy as np

#: Whether :class:`~vectorized.fast.layer.FullConnectedLayer` updates W with SciPy's BLAS (True when
#: SciPy is installed). Set it to False to run the plain NumPy path (tests run both).
USE_SCIPY_BLAS = importlib.util.find_spec("scipy") is not None

#: Threads for these updates (needs threadpoolctl; None: leave BLAS's own setting). SciPy's
#: wheels bring a second copy of OpenBLAS beside NumPy's, with its own thread pool: on a busy
#: 2-core machine the two pools' waiting threads fight over the cores and a short update can
#: take a hundred times as long. Only that second BLAS is limited, and only during the call.
BLAS_THREADS = 1

#: Below this many elements of W OpenBLAS runs ``?ger`` on one thread anyway (measured with 1
#: and 2 threads: 30×300 takes the same time, 16×784 does not), so no limit is needed there.
_SINGLE_THREADED_BELOW = 2304 * 4

_blas = None  # filled on first use by _load(): SciPy takes ~0.2 s to import


def _load():
    """``({dtype: (?ger, ?gemm)}, [(get, set) thread-count functions of each BLAS that SciPy
    loaded beside NumPy's])``."""
    global _blas
    if _blas is None:
        from scipy.linalg.blas import dgemm, dger, sgemm, sger

        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # the thread count stays BLAS's own
            second = []
        else:  # NumPy's own BLAS lives in its folder (numpy/ or numpy.libs/)
            numpy_folder = os.path.dirname(np.__file__)
            loaded = ThreadpoolController().select(user_api="blas").lib_controllers
            second = [_thread_count_functions(library) for library in loaded
                      if not library.filepath.startswith(numpy_folder)] if len(loaded) > 1 else []
        _blas = ({np.dtype(np.float64): (dger, dgemm), np.dtype(np.float32): (sger, sgemm)},
                 second)
    return _blas


def _thread_count_functions(library):
    """``(get, set)`` for one BLAS found by threadpoolctl. For OpenBLAS on its own threads,
    its C functions ``openblas_get/set_num_threads`` themselves (looked up by threadpoolctl,
    which knows the library's symbol prefix): threadpoolctl's methods around them cost more
    than the call itself on a one-sample step. Anything else: threadpoolctl's methods."""
    find = getattr(library, "_get_symbol", None)  # threadpoolctl's own (private) lookup
    if (find is not None and getattr(library, "internal_api", None) == "openblas"
            and getattr(library, "threading_layer", None) == "pthreads"):
        get, set_ = find("openblas_get_num_threads"), find("openblas_set_num_threads")
        if get is not None and set_ is not None:
            return get, set_
    return library.get_num_threads, library.set_num_threads


def _on_few_threads(size, function, *args):
    """``function(*args)`` with SciPy's BLAS limited to :data:`BLAS_THREADS` meanwhile, unless
    the matrix is so small (``size`` elements) that OpenBLAS uses one thread anyway."""
    thread_counts = _blas[1]
    if BLAS_THREADS is None or not thread_counts or size < _SINGLE_THREADED_BELOW:
        return function(*args)
    threads = [get() for get, _ in thread_counts]
    for _, set_threads in thread_counts:
        set_threads(BLAS_THREADS)
    try:
        return function(*args)
    finally:
        for (_, set_threads), count in zip(thread_counts, threads):
            set_threads(count)


def rank1_update(W, alpha, u, v):
    """``W ← W + α·u·vᵀ`` in place, with BLAS's ``?ger`` (W: C- or F-contiguous (m, n) float64
    or float32, u: (m,), v: (n,), same dtype).

    ``?ger`` updates a column-major matrix ``A ← α·x·yᵀ + A``; a row-major W seen as ``Wᵀ``
    is column-major, so it gets ``Wᵀ ← α·v·uᵀ + Wᵀ``: the same numbers.
    """
    ger = _load()[0][W.dtype][0]
    if W.flags.f_contiguous:  # column-major already (a large fast layer's W): W ← α·u·vᵀ + W
        result = _on_few_threads(W.size, ger, alpha, u, v, 1, 1, W, 1, 1, 1)
        if result is not W:
            W[...] = result
        return
    W_T = W.T
    # positional (f2py parses keywords slowly): incx, incy, a, overwrite_x/y/a
    result = _on_few_threads(W.size, ger, alpha, v, u, 1, 1, W_T, 1, 1, 1)
    if result is not W_T:  # SciPy copied instead (W was not contiguous): slower, still right
        W[...] = result.T


def product_update(W, beta, A, B):
    """``W ← β·W + A·B`` in place, with BLAS's ``?gemm`` (W: C- or F-contiguous (m, n), A:
    (m, k), B: (k, n), all of W's dtype).

    As in :func:`rank1_update`, BLAS sees the column-major ``Wᵀ`` and computes
    ``Wᵀ ← β·Wᵀ + Bᵀ·Aᵀ``, with ``Aᵀ`` passed as A and BLAS's "transpose" flag. No copies when
    B is C-contiguous and A is the transpose of a C-contiguous array (as the deferred steps hold
    them); otherwise SciPy copies them first.
    """
    gemm = _load()[0][W.dtype][1]
    if W.flags.f_contiguous:  # column-major already: W ← β·W + A·(Bᵀ)ᵀ
        result = _on_few_threads(W.size, gemm, 1.0, A, B.T, beta, W, 0, 1, 1)
        if result is not W:
            W[...] = result
        return
    W_T = W.T
    # positional: alpha, a, b, beta, c, trans_a, trans_b, overwrite_c
    result = _on_few_threads(W.size, gemm, 1.0, B.T, A, beta, W_T, 0, 1, 1)
    if result is not W_T:
        W[...] = result.T
