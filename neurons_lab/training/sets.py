"""Checking a set of samples (features, classes) against a network, and fingerprinting sets."""

import hashlib

import numpy as np


def check_set(features, classes, name, trainer):
    """(features, classes) checked: lengths, class values, and what ``trainer.transform`` and
    ``trainer.encode`` make of the first row. ``name`` is "features/classes". (None, None)
    passes; one of the two without the other is refused."""
    f_name, c_name = name.split("/")
    if (features is None) != (classes is None):
        raise ValueError(f"give both {f_name} and {c_name}, or neither")
    if features is None:
        return None, None
    features, classes = np.asarray(features), np.asarray(classes)
    if classes.ndim != 1 or classes.dtype.kind not in "iu":
        raise TypeError(f"{c_name} must be a 1-D array of integer class indices, "
                        f"got dtype {classes.dtype} shape {classes.shape}")
    if len(features) != len(classes):
        raise ValueError(f"{f_name} has {len(features)} rows but {c_name} has "
                         f"{len(classes)} entries")
    if len(classes) == 0:
        raise ValueError(f"{f_name} is empty")
    n_in, n_out = trainer.n_in, trainer.n_out
    x = np.asarray(trainer.transform(features[[0]]))
    if x.shape != (1, n_in):
        raise ValueError(f"transform({f_name}[[0]]) has shape {x.shape}, the network needs "
                         f"(1, {n_in}): one row of {n_in} inputs per sample")
    if x.dtype.kind != "f":
        raise TypeError(f"transform({f_name}[[0]]) gives dtype {x.dtype}: it must give "
                        "floats (a uint8 batch must be converted, e.g. scaled to [0, 1])")
    t = np.asarray(trainer.encode(classes[[0]]))
    if t.shape != (1, n_out):
        raise ValueError(f"encode({c_name}[[0]]) has shape {t.shape}, the network needs "
                         f"(1, {n_out}): one target of {n_out} values per sample")
    low, high = int(classes.min()), int(classes.max())
    if low < 0 or high >= n_out:
        raise ValueError(f"{c_name} holds classes {low}…{high}, the network's output "
                         f"layer has {n_out} nodes (classes 0…{n_out - 1})")
    return features, classes


def fingerprint(*arrays):
    """sha256 of arrays' dtypes, shapes and bytes (None entries skipped)."""
    h = hashlib.sha256()
    for array in arrays:
        if array is not None:
            h.update(str((array.dtype.str, array.shape)).encode())
            h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()
