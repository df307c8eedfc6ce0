"""A saved network ready to score: a checkpoint's parameters in an engine, with the
preprocessing its run used, for `neurons evaluate` and `neurons vote`.

With ``--center`` the run's mean image is read from the checkpoint (``preprocessing.mean``),
so the network sees test images as it saw its training batches, whatever data it is scored
on. A checkpoint from before the mean was recorded gets it refitted on the run's own training
images (the first ``n_train``, before augmentation), checked against the data's sha256 in the
checkpoint: other data would give another mean and wrong scores, so it is refused.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .checkpoint import load_checkpoint, set_parameters
from .data import COPIES, Preprocessor, fingerprint, shift_augment
from .errors import CheckpointError
from .networks import ENGINES, available_engines, build, input_output_sizes


@dataclass
class SavedNetwork:
    """net: the network with the checkpoint's parameters; transform: uint8 rows → floats as
    in training; path: the checkpoint's JSON file; recipe: the run's recipe ({} if none)."""

    net: object
    transform: Callable
    path: Path
    epoch: int
    recipe: dict
    engine: str


def load_saved(path, *, impl=None, train_images=None, train_labels=None, n_inputs=None,
               source="the data set"):
    """A :class:`SavedNetwork` from a checkpoint folder or epoch-NNNN.json, in engine ``impl``
    (default: the checkpoint's own if installed, else vectorized: the same numbers in any).
    train_images uint8 (N, D), train_labels (N,): the data set's training rows, needed only to
    refit an older centred run's mean (``source`` names them in messages, e.g. "--data-dir D");
    n_inputs: the data's values per sample (another input size is refused). Raises
    CheckpointError naming the checkpoint."""
    checkpoint = load_checkpoint(path)
    where, sizes = checkpoint.path, checkpoint.config["layer_sizes"]
    n_in = input_output_sizes(sizes)[0]  # a valid spec: load_checkpoint checked it
    if n_inputs is not None and n_in != n_inputs:
        raise CheckpointError(f"{where}: the network takes {n_in} inputs per sample, the data "
                              f"set's samples have {n_inputs} ({sizes[0]!r} → …)")
    engine = impl or {module: name for name, module in ENGINES.items()}.get(
        checkpoint.implementation, checkpoint.implementation)  # "vectorized.fast" → "fast"
    engine = engine if engine in available_engines() else "vectorized"
    try:
        net = build(engine, checkpoint.config)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{where}: cannot rebuild its network in the {engine} engine: "
                              f"{error}") from None
    set_parameters(net, checkpoint.parameters, where)
    recipe = checkpoint.trainer.get("recipe") or {}
    mean = _run_mean(checkpoint, recipe, train_images, train_labels, n_in, source) \
        if recipe.get("center") else None
    transform = Preprocessor(mean=mean, dtype=np.dtype(np.float64), n_features=n_in)
    return SavedNetwork(net, transform, where, checkpoint.epoch, dict(recipe), engine)


def _run_mean(checkpoint, recipe, train_images, train_labels, n_in, source):
    """The mean image (n_in,) the run subtracted: recorded, or refitted on verified data."""
    where = checkpoint.path
    recorded = (checkpoint.trainer.get("preprocessing") or {}).get("mean")
    if recorded is not None:
        try:
            mean = np.array(recorded if isinstance(recorded, list) else None, dtype=np.float64)
        except (TypeError, ValueError):
            mean = None
        if mean is None or mean.shape != (n_in,) or not np.all((mean >= 0) & (mean <= 1)):
            raise CheckpointError(f"{where}: preprocessing.mean must list {n_in} mean pixel "
                                  "values in [0, 1]")
        mean.setflags(write=False)
        return mean
    data = checkpoint.trainer.get("data") or {}
    copies = len(COPIES) if recipe.get("augment") == "shift" else 1  # rows per image
    n_train, n_val, digest = data.get("n_train"), data.get("n_validation"), data.get("sha256")
    if (not isinstance(n_train, int) or n_train < copies or n_train % copies
            or not isinstance(n_val, int) or n_val < 0 or not isinstance(digest, str)):
        raise CheckpointError(f"{where}: the run centred its pixels, but its training data's "
                              f"description ({data!r}) is missing or invalid")
    n_fit = n_train // copies
    have = 0 if train_images is None else len(train_images)
    if have < n_fit + n_val or train_labels is None or len(train_labels) < n_fit + n_val:
        raise CheckpointError(f"{where}: the run centred its pixels on the mean of its first "
                              f"{n_fit:,} training images, but {source} has {have:,}")
    x, c = train_images[:n_fit + n_val], np.asarray(train_labels[:n_fit + n_val], np.int64)
    train_x, train_c = x[:n_fit], c[:n_fit]
    if copies > 1:  # the sets fingerprinted were the shifted ones
        side = int(round(x.shape[1] ** 0.5))
        train_x, train_c = shift_augment(train_x, train_c, image_shape=(side, side))
    if fingerprint(train_x, train_c, *((x[n_fit:], c[n_fit:]) if n_val else (None, None))) \
            != digest:
        shifts = " (and their 1-pixel shifts)" if copies > 1 else ""
        raise CheckpointError(
            f"{where}: the run centred its pixels on the mean of its first {n_fit:,} training "
            f"images{shifts}, {n_val:,} more validating (sha256 {digest[:12]}…); the first "
            f"{n_fit + n_val:,} training images and labels of {source} are other data, whose "
            "mean would give wrong scores. This checkpoint predates the recorded mean image: "
            "score it on the data it was trained on")
    return Preprocessor.fit(train_images[:n_fit], center=True).mean
