"""Activations for the fast engine: the sigmoid of one sample in one call (SciPy's ``expit``)
and ReLU without ``np.where``.

One sample is a few hundred numbers, and there NumPy's textbook sigmoid
(:func:`vectorized.activators.sigmoid`: ``exp``, ``+ 1``, reciprocal, and a switch for the
overflow warning) costs more in calls than in arithmetic; ``scipy.special.expit`` is the same
formula in one C loop. The two agree to a few ulps. Batches keep NumPy's vectorised exp.

ReLU is ``np.maximum(x, 0)`` and its derivative the mask ``net > 0`` (the textbook's
``np.where`` with a Python float is much slower on float32 maps; docs/fast.md has the figures).
Same numbers for finite inputs (a NaN propagates here, where ``np.where`` turns it into 0).
"""

import importlib.util

import numpy as np

from .. import activators

#: Whether :func:`sigmoid` hands one sample (a 1-D array) to SciPy's ``expit`` (True when SciPy
#: is installed). Set it to False to run NumPy alone (tests run both).
USE_SCIPY_EXPIT = importlib.util.find_spec("scipy") is not None

_expit = None  # scipy.special.expit, imported on first use (SciPy takes ~0.2 s to import)


def sigmoid(x):
    """1 / (1 + e^−x): ``expit`` for one sample when SciPy is there, else the textbook's."""
    global _expit
    if USE_SCIPY_EXPIT and x.ndim == 1:
        if _expit is None:
            from scipy.special import expit as _expit
        return _expit(x)
    return activators.sigmoid(x)


def relu(x):
    """max(x, 0), one ufunc call."""
    return np.maximum(x, x.dtype.type(0))


def relu_prime(net, y):
    """f'(net) as a mask: True where net > 0; ``mask * error`` is the textbook's
    ``1.0 * error`` or ``0.0 * error``."""
    return net > 0.0


def pair(name):
    """``(f, f_prime)`` of activation ``name`` for the fast engine: the sigmoid and ReLU above,
    any other from :mod:`vectorized.activators` (softmax: ``f_prime`` None)."""
    if name == "sigmoid":
        return sigmoid, activators.sigmoid_prime
    if name == "relu":
        return relu, relu_prime
    if name == "softmax":
        return activators.softmax, None
    return activators.get_activator(name, output=True)
