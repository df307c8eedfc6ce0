"""Input validation shared by the neurons package: clear errors, raised before anything changes."""

import math
from numbers import Integral, Real


def as_vector(values, length, what, expected):
    """Return ``values`` as a list of ``length`` finite floats.

    ``what`` names the argument in the message (e.g. "sample"), ``expected`` says where the
    length comes from (e.g. "the input layer"). TypeError for non-numbers, ValueError for a
    wrong length or a NaN/infinity.
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{what} must be a sequence of numbers, not {type(values).__name__}")
    if len(values) != length:
        raise ValueError(f"{what} has {len(values)} values, {expected} has {length}")
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        bad = next(v for v in values if not _is_number(v))
        raise TypeError(f"{what} must hold numbers, found {bad!r}") from None
    if not all(map(math.isfinite, out)):
        k = next(k for k, v in enumerate(out) if not math.isfinite(v))
        raise ValueError(f"{what}[{k}] is {out[k]}: values must be finite")
    return out


def _is_number(v):
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return not isinstance(v, (str, bytes))


def as_positive_int(value, what, minimum=1):
    """An int ≥ minimum (bools refused: True is not a layer size)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{what} must be an integer, not {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value}")
    return int(value)


def as_finite_float(value, what, *, positive=False, non_negative=False):
    """A finite real number, optionally > 0 or ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a number, not {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    if positive and value <= 0.0:
        raise ValueError(f"{what} must be greater than 0, got {value}")
    if non_negative and value < 0.0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return value


def check_layer_sizes(layer_sizes):
    """At least two layers, each an int ≥ 1; returns a tuple."""
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__iter__"):
        raise TypeError(f"layer_sizes must be a list of integers, not {layer_sizes!r}")
    sizes = tuple(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes needs at least two layers (input and output), got {list(sizes)}"
        )
    return tuple(as_positive_int(s, f"layer_sizes[{k}]") for k, s in enumerate(sizes))
