"""Data sets for both networks: preprocessing, target coding, generated toy data, and
(re-exported from neurons_lab.training/mnist.py) MNIST from idx files::

    data = load_mnist("path/to/mnist")     # MnistData, images stay uint8 (N, 784)
    prep = Preprocessor.fit(data.train_images, center=True)
    x = prep(data.train_images[:32])       # float64 (32, 784): scaled to [0, 1], train mean removed
    t = encode_labels(data.train_labels[:32], 10, on=0.9, off=0.1)   # float64 (32, 10)

Reading and checking the idx files lives in ``training/mnist.py``, downloading the official
files in ``training/download.py``.

Generated sets need no download and are deterministic for a given seed:
:func:`encode_bits` (the tutorial's 8-bit identity task) and :func:`spiral_dataset` (a 2-D
spiral that a linear model cannot separate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate
from .mnist import (  # noqa: F401  (the public names of training.data)
    MNIST_FILES,
    N_CLASSES,
    DataError,
    MnistData,
    PathLike,
    find_mnist_files,
    load_mnist,
    read_images,
    read_labels,
)

# ---------------------------------------------------------------------------------------------
# Preprocessing: done batch by batch, so the data set itself stays uint8
# ---------------------------------------------------------------------------------------------


def scale_pixels(images, dtype=np.float64) -> np.ndarray:
    """Pixels 0…255 to floats in [0, 1]: ``images / 255``.

    images: uint8 array of any shape, e.g. a batch (B, 784) or one image (784,).
    Returns an array of the same shape in ``dtype`` (float64 or float32).
    Raises TypeError for anything but uint8, so already-scaled data is never divided twice.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(
            f"scale_pixels expects uint8 pixels 0…255, got dtype {images.dtype}"
            + (" (already scaled?)" if images.dtype.kind == "f" else "")
        )
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating-point type, got {dtype}")
    return images.astype(dtype) / dtype.type(255)


@dataclass(frozen=True, eq=False)
class Preprocessor:
    """Scale pixels to [0, 1] and, optionally, subtract the training set's mean image.

    Fit it on the training images only, then apply it to any batch of either split::

        prep = Preprocessor.fit(data.train_images)     # center=True
        x = prep(data.test_images[:100])               # float64 (100, 784)

    mean: float64 (D,), the per-pixel mean of the *scaled* training images, or None when
    fitted with ``center=False`` (then it only scales). dtype: the output dtype.
    """

    mean: np.ndarray | None
    dtype: np.dtype
    n_features: int

    @classmethod
    def fit(cls, train_images, *, center: bool = True, dtype=np.float64) -> Preprocessor:
        """Learn the mean image from ``train_images``: uint8 (N, D), N ≥ 1."""
        train_images = np.asarray(train_images)
        if train_images.dtype != np.uint8:
            raise TypeError(f"train_images must be uint8 pixels, got dtype {train_images.dtype}")
        if train_images.ndim != 2 or len(train_images) == 0:
            raise ValueError(
                f"train_images must have shape (N, D) with N ≥ 1, got {train_images.shape}"
            )
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a floating-point type, got {dtype}")
        mean = None
        if center:
            # Accumulate in float64 without building a float copy of the whole set; the sum of
            # up to 2**45 pixels is exact, and mean(x / 255) == mean(x) / 255.
            mean = train_images.mean(axis=0, dtype=np.float64) / 255.0
            mean.setflags(write=False)
        return cls(mean=mean, dtype=dtype, n_features=train_images.shape[1])

    def __call__(self, images) -> np.ndarray:
        """uint8 (B, D) or (D,) → floats of the same shape: ``images / 255 − mean``."""
        images = np.asarray(images)
        if images.ndim not in (1, 2) or images.shape[-1] != self.n_features:
            raise ValueError(
                f"images must have shape (B, {self.n_features}) or ({self.n_features},) like "
                f"the training images, got {images.shape}"
            )
        scaled = scale_pixels(images, self.dtype)
        if self.mean is not None:
            scaled -= self.mean.astype(self.dtype)
        return scaled


# ---------------------------------------------------------------------------------------------
# Labels: class indices ↔ target vectors
# ---------------------------------------------------------------------------------------------


def encode_labels(
    classes, n_classes: int = N_CLASSES, *, on: float = 1.0, off: float = 0.0, dtype=np.float64
) -> np.ndarray:
    """Class indices to target vectors: ``on`` at the class, ``off`` everywhere else.

    One-hot by default; the tutorial's sigmoid targets are ``on=0.9, off=0.1``.
    classes: one integer (→ shape (n_classes,)) or integers of shape (N,) (→ (N, n_classes)),
    each in 0 … n_classes − 1 (any integer dtype, e.g. MNIST's uint8).
    """
    n_classes = validate.integer(n_classes, "n_classes", 1)
    on, off = validate.real(on, "on"), validate.real(off, "off")
    indices = np.asarray(classes)
    if indices.size == 0 and indices.ndim == 1:
        indices = indices.astype(np.int64)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"classes must be integer class indices, got dtype {indices.dtype}")
    if indices.ndim > 1:
        raise ValueError(f"classes must be one index or a 1-D array, got shape {indices.shape}")
    bad = np.flatnonzero((indices < 0) | (indices >= n_classes))
    if bad.size:
        value = indices.reshape(-1)[bad[0]]
        where = "" if indices.ndim == 0 else f" (at position {bad[0]})"
        raise ValueError(f"class index {value}{where} is outside 0…{n_classes - 1}")
    targets = np.full(indices.shape + (n_classes,), off, dtype=dtype)
    np.put_along_axis(targets, indices[..., None].astype(np.intp), on, axis=-1)
    return targets


def one_hot(classes, n_classes: int = N_CLASSES, dtype=np.float64) -> np.ndarray:
    """Class indices to one-hot vectors: ``encode_labels(classes, n_classes, on=1, off=0)``."""
    return encode_labels(classes, n_classes, on=1.0, off=0.0, dtype=dtype)


# ---------------------------------------------------------------------------------------------
# Generated data sets
# ---------------------------------------------------------------------------------------------

N_BITS = 8


def encode_bits(numbers, *, on: float = 0.9, off: float = 0.1) -> np.ndarray:
    """Numbers 0…255 to 8-element vectors, least significant bit first (as the tutorial's
    ``Normalizer``): bit k of the number is element k, ``on`` for 1 and ``off`` for 0.

    numbers: integers of shape (N,) → float64 (N, 8); one integer → (8,).
    """
    values = np.asarray(numbers)
    if values.dtype.kind not in "iu":
        raise TypeError(f"numbers must be integers, got dtype {values.dtype}")
    if values.size and (values.min() < 0 or values.max() > 255):
        raise ValueError(
            f"numbers must lie in 0…255, got values from {values.min()} to {values.max()}"
        )
    on, off = validate.real(on, "on"), validate.real(off, "off")
    bits = (values[..., None].astype(np.int64) >> np.arange(N_BITS)) & 1
    return np.where(bits == 1, on, off).astype(np.float64)


def spiral_dataset(
    points_per_class: int = 100,
    n_classes: int = 3,
    *,
    noise: float = 0.2,
    seed: int = 0,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """K interleaved spiral arms in the plane, one class per arm (after CS231n's example).

    Arm j holds points at radius r = 0…1 (evenly spaced) and angle
    2πj/K + 4r + noise·N(0, 1), i.e. (r sin θ, r cos θ). No straight line separates the arms;
    one hidden layer of a few dozen units does. Everything is drawn from
    ``numpy.random.default_rng(seed)``; ``shuffle`` mixes the classes (the trainer does not
    shuffle, and an arm-by-arm order trains badly).
    Returns (points float64 (points_per_class·K, 2), classes int64 (points_per_class·K,)).
    """
    points_per_class = validate.integer(points_per_class, "points_per_class", 1)
    n_classes = validate.integer(n_classes, "n_classes", 2)
    noise = validate.real(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise must be ≥ 0, got {noise}")
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, points_per_class), n_classes)
    classes = np.repeat(np.arange(n_classes, dtype=np.int64), points_per_class)
    angle = (
        2 * np.pi * classes / n_classes + 4.0 * radius + noise * rng.standard_normal(len(classes))
    )
    points = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    if shuffle:
        order = rng.permutation(len(classes))
        points, classes = points[order], classes[order]
    return points, classes
