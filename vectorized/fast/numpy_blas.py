"""NumPy's own BLAS, for what ``np.matmul`` cannot say: ``C ← α·A·B + β·C`` into an existing C.

A mini-batch step needs ``W ← (1 − ηλ)·W + (η/N)·δᵀX`` (式9) and the forward pass
``net = X·Wᵀ + b`` (式2). With ``np.matmul`` each is a product into a buffer and then a pass
over the result (``W += step``: reading and writing two arrays the size of W). BLAS's ``?gemm``
adds the product into C as it forms it, scaling by α on the way. SciPy has ``?gemm`` too, but
through its own copy of OpenBLAS: its thread pool and NumPy's then fight over the cores, so this
module calls the library NumPy itself loaded, found by threadpoolctl.

Used only when NumPy's BLAS is OpenBLAS and threadpoolctl is installed (``neurons-lab[fast]``);
:data:`USE_NUMPY_GEMM` False (or :func:`gemm` returning False) means the caller takes the
``np.matmul`` path.
"""

import ctypes
import importlib.util
import os

import numpy as np

#: Whether :func:`gemm` may be used (set False to run NumPy alone; tests run both).
USE_NUMPY_GEMM = importlib.util.find_spec("threadpoolctl") is not None

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112  # CBLAS enums
_library = None  # ({dtype: cblas ?gemm},), or False: not available


def _load():
    """Find NumPy's OpenBLAS (the loaded BLAS whose file lies in NumPy's folder)."""
    global _library
    if _library is None:
        _library = False
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return _library
        folder = os.path.dirname(os.path.dirname(np.__file__))  # site-packages
        for lib in ThreadpoolController().select(internal_api="openblas").lib_controllers:
            if os.path.basename(os.path.dirname(lib.filepath)) in ("numpy", "numpy.libs") \
                    and lib.filepath.startswith(folder):
                _library = _bind(lib)
                break
    return _library


def _bind(lib):
    """The cblas ?gemm functions of one OpenBLAS found by threadpoolctl (whose private
    ``_get_symbol`` knows the library's symbol prefix and suffix), or False."""
    find = getattr(lib, "_get_symbol", None)
    config = find and find("openblas_get_config")
    if config is None:
        return False
    config.restype = ctypes.c_char_p
    index = ctypes.c_int64 if b"USE64BITINT" in config() else ctypes.c_int32  # BLAS integers
    functions = {}
    for dtype, name, real in ((np.float32, "cblas_sgemm", ctypes.c_float),
                              (np.float64, "cblas_dgemm", ctypes.c_double)):
        function = find(name)
        if function is None:
            return False
        function.restype = None
        function.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, index, index, index, real,
                             ctypes.c_void_p, index, ctypes.c_void_p, index, real,
                             ctypes.c_void_p, index]
        functions[np.dtype(dtype)] = function
    return (functions,)


def gemm(alpha, A, trans_a, B, trans_b, beta, C):
    """``C ← α·op(A)·op(B) + β·C`` in place (``op(A) = Aᵀ`` when ``trans_a``), with NumPy's BLAS.
    All three must be C-contiguous arrays of one dtype (float32 or float64) with matching
    shapes; returns False, doing nothing, when they are not or the BLAS is not available."""
    if not USE_NUMPY_GEMM:
        return False
    library = _load()
    if not library:
        return False
    dtype = C.dtype
    function = library[0].get(dtype)
    if (function is None or A.dtype != dtype or B.dtype != dtype or A.ndim != 2 or B.ndim != 2
            or C.ndim != 2 or not (A.flags.c_contiguous and B.flags.c_contiguous
                                   and C.flags.c_contiguous and C.flags.writeable)):
        return False
    m, k = A.shape[::-1] if trans_a else A.shape
    k_b, n = B.shape[::-1] if trans_b else B.shape
    if k != k_b or C.shape != (m, n) or 0 in (m, n, k):
        return False
    function(_ROW_MAJOR, _TRANS if trans_a else _NO_TRANS, _TRANS if trans_b else _NO_TRANS,
             m, n, k, alpha, A.ctypes.data, A.shape[1], B.ctypes.data, B.shape[1], beta,
             C.ctypes.data, n)
    return True

