"""Input validation shared by the neurons package: clear errors, raised before anything changes.

Each message names the argument, what was expected and what was given; vectorized raises the
same exception type for the same mistake.
"""

import math
from collections.abc import Mapping
from numbers import Integral, Real


def as_vector(values, length, what, expected):
    """Return ``values`` as a list of ``length`` finite floats.

    ``what`` names the argument in the message (e.g. "sample"), ``expected`` says where the
    length comes from (e.g. "the input layer"). TypeError for anything but a sequence of
    real numbers (strings, numeric strings, bools and dicts included), ValueError for a wrong
    length or a NaN/infinity.
    """
    _check_sequence(values, what)
    shape = getattr(values, "shape", None)  # an array (NumPy's): 1-D, as in vectorized
    if shape is not None and len(shape) != 1:
        raise ValueError(f"{what} must be 1-D with {length} values, got shape {tuple(shape)}")
    if len(values) != length:
        raise ValueError(f"{what} has {len(values)} values, {expected} has {length}")
    out = [_as_float(v, what) for v in values]
    if not all(map(math.isfinite, out)):
        raise ValueError(f"{what} contains non-finite values (NaN or inf)")
    return out


def as_rows(values, what):
    """A list of the rows of ``values`` (a sequence of samples or labels), not yet checked."""
    _check_sequence(values, what)
    return list(values)


def _check_sequence(values, what):
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must contain numbers, got a string")
    if isinstance(values, Mapping):  # iterating a dict would give its keys
        raise TypeError(f"{what} must contain numbers, got a {type(values).__name__}")
    if not hasattr(values, "__len__") or not hasattr(values, "__getitem__"):
        raise TypeError(f"{what} must contain numbers, got {values!r}")


def _as_float(v, what):
    """A real number as a float; TypeError for bools, strings (even "1.5") and the rest."""
    if isinstance(v, bool) or not isinstance(v, Real):
        raise TypeError(f"{what} must contain numbers, got {v!r} ({type(v).__name__})")
    return float(v)


def as_positive_int(value, what, minimum=1):
    """An int ≥ minimum (bools refused: True is not a layer size)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{what} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value}")
    return int(value)


def as_finite_float(value, what, *, positive=False, non_negative=False):
    """A finite real number, optionally > 0 or ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    if positive and value <= 0.0:
        raise ValueError(f"{what} must be > 0, got {value}")
    if non_negative and value < 0.0:
        raise ValueError(f"{what} must be >= 0, got {value}")
    return value


def check_layer_sizes(layer_sizes):
    """At least two layers, each an int ≥ 1 (``layer_sizes``: a tuple, in order)."""
    sizes = tuple(as_positive_int(s, "layer_sizes entry") for s in layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least two layers (input, output), got {sizes}")
    return sizes
