"""Argument checks shared by the Network classes: each raises a TypeError or ValueError that
names the argument and what was wrong, before anything changes."""

import math
import numbers

import numpy as np


def check_int(value, name, minimum):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_real(value, name, *, positive=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if not positive and value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def as_array(value, name, dtype):
    """``value`` as an array of ``dtype``: TypeError unless it holds plain numbers (no strings,
    objects, bools or complex), ValueError if ragged or not finite. No copy when it already is
    an array of that dtype."""
    if not isinstance(value, np.ndarray):
        if isinstance(value, (str, bytes)):
            raise TypeError(f"{name} must contain numbers, got a string")
        try:
            value = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{name} is not a rectangular array of numbers ({error})") from None
    if value.dtype != dtype:
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must contain numbers, got values of dtype {value.dtype}")
        with np.errstate(over="ignore"):  # beyond float32's range gives inf: caught below
            value = value.astype(dtype)
    if not np.isfinite(value).all():
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return value


def check_rows(array, name, width, what, *, batch=True):
    """Check a (width,) sample or a (N, width) batch; ``what`` names the layer."""
    if array.ndim == 1 or not batch:
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D with {width} values, got shape {array.shape}")
        if array.shape[0] != width:
            raise ValueError(f"{name} has {array.shape[0]} values, {what} has {width}")
    elif array.ndim == 2:
        if array.shape[1] != width:
            raise ValueError(f"{name} rows have {array.shape[1]} values, {what} has {width}")
    else:
        raise ValueError(
            f"{name} must be a sample ({width},) or a batch (N, {width}), got shape {array.shape}"
        )


def check_name(value, name, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(allowed)}")
    return value


def check_activations(activation, n_hidden, allowed):
    """The hidden layers' activations as a list of ``n_hidden`` names, from one name or a list
    of one name per hidden layer."""
    if isinstance(activation, str):
        check_name(activation, "hidden activation", allowed)
        return [activation] * n_hidden
    if isinstance(activation, (list, tuple)):
        hidden = list(activation)
        if len(hidden) != n_hidden:
            raise ValueError(f"activation has {len(hidden)} names, the network has "
                             f"{n_hidden} hidden layers")
        for name in hidden:
            check_name(name, "hidden activation", allowed)
        return hidden
    raise TypeError(f"activation must be a name or a list of names, got {activation!r}")
