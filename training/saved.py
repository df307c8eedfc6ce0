"""A saved network ready to score: a checkpoint's parameters in an engine, with the
preprocessing its run used, for `neurons evaluate` and `neurons vote`.

The preprocessing comes from the run's recipe in the checkpoint (``--center``, ``--augment``)
and its data description (how many training samples): with ``--center`` the mean image is
fitted again on the same training images (the first ``n_train`` of the training file, before
augmentation), so the network sees test images exactly as it saw its training batches. A
parameters-only checkpoint (no trainer state) gets pixels scaled to [0, 1], not centred.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .checkpoint import load_checkpoint, set_parameters
from .data import Preprocessor
from .errors import CheckpointError, UsageError
from .networks import ENGINES, available_engines, build

AUGMENT_COPIES = {"shift": 5}  # --augment name → training rows per original image


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


def engine_of(implementation):
    """The --impl name of a checkpoint's engine ("vectorized.fast" → "fast")."""
    for name, module in ENGINES.items():
        if module == implementation:
            return name
    return implementation


def input_size(first):
    """Inputs of a layer_sizes' first entry: 784, or "1x28x28" → 784."""
    if isinstance(first, str):
        size = 1
        for part in first.lower().split("x"):
            size *= int(part)
        return size
    return int(first)


def load_saved(path, *, impl=None, train_images=None, n_inputs=None):
    """A :class:`SavedNetwork` from a checkpoint folder or epoch-NNNN.json.

    impl: the engine to run it in (default: the checkpoint's own, if installed, else
    vectorized); the parameters are the same numbers in any engine. train_images: uint8
    (N, D) training images of the data set, needed when the run centred its pixels.
    n_inputs: the data's values per sample; a network with another input size is refused.
    Raises CheckpointError/UsageError naming the checkpoint.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"checkpoint {path}: no such file or folder")
    checkpoint = load_checkpoint(path)
    where = checkpoint.path
    sizes = checkpoint.config.get("layer_sizes") or []
    try:
        n_in = input_size(sizes[0])
    except (ValueError, IndexError, TypeError):
        raise CheckpointError(f"{where}: unreadable layer sizes {sizes!r}") from None
    if n_inputs is not None and n_in != n_inputs:
        raise CheckpointError(f"{where}: the network takes {n_in} inputs per sample, the data "
                              f"set's samples have {n_inputs} ({sizes[0]!r} → …)")
    engine = impl or engine_of(checkpoint.implementation)
    if engine not in available_engines():
        engine = "vectorized"
    try:
        net = build(engine, checkpoint.config)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{where}: cannot rebuild its network in the {engine} engine: "
                              f"{error}") from None
    set_parameters(net, checkpoint.parameters, where)
    recipe = checkpoint.trainer.get("recipe") or {}
    transform = _transform(recipe, checkpoint.trainer.get("data") or {}, train_images, n_in,
                           where)
    return SavedNetwork(net, transform, where, checkpoint.epoch, dict(recipe), engine)


def _transform(recipe, data, train_images, n_in, where):
    if not recipe.get("center"):
        return Preprocessor(mean=None, dtype=np.dtype(np.float64), n_features=n_in)
    copies = AUGMENT_COPIES.get(recipe.get("augment"), 1)
    n_train = data.get("n_train")
    if not isinstance(n_train, int) or n_train < copies or n_train % copies:
        raise CheckpointError(f"{where}: the run centred its pixels, but its number of "
                              f"training samples ({n_train!r}) is missing or invalid")
    n_train //= copies
    if train_images is None or len(train_images) < n_train:
        have = 0 if train_images is None else len(train_images)
        raise CheckpointError(f"{where}: the run centred its pixels on the mean of its first "
                              f"{n_train:,} training images, but the data set has {have:,}")
    return Preprocessor.fit(train_images[:n_train], center=True)
