"""Data for both networks: pixels to floats (:class:`Preprocessor`), class indices to target
vectors (:func:`encode_labels`), and two generated sets that need no download and are
deterministic for a given seed: :func:`encode_bits` (the tutorial's 8-bit identity task) and
:func:`spiral_dataset`. MNIST files are read by training/mnist.py (``load_mnist``, importable
from here too).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate
from .mnist import N_CLASSES, DataError, MnistData, load_mnist  # noqa: F401  (read from here)


def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating-point type, got {dtype}")
    return dtype


def scale_pixels(images, dtype=np.float64) -> np.ndarray:
    """Pixels 0…255 to floats in [0, 1]: ``images / 255``, the same shape, in ``dtype``.

    images: uint8 of any shape, e.g. a batch (B, 784) or one image (784,); anything else is a
    TypeError, so already-scaled data is never divided twice.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"scale_pixels expects uint8 pixels 0…255, got dtype {images.dtype}"
                        + (" (already scaled?)" if images.dtype.kind == "f" else ""))
    dtype = _float_dtype(dtype)
    return images.astype(dtype) / dtype.type(255)


@dataclass(frozen=True, eq=False)
class Preprocessor:
    """Scale pixels to [0, 1] and, optionally, subtract the training set's mean image.

    Fit it on the training images only, then apply it batch by batch (the set stays uint8)::

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
            raise ValueError(f"train_images must have shape (N, D) with N ≥ 1, got "
                             f"{train_images.shape}")
        mean = None
        if center:
            # Accumulate in float64 without building a float copy of the whole set; the sum of
            # up to 2**45 pixels is exact, and mean(x / 255) == mean(x) / 255.
            mean = train_images.mean(axis=0, dtype=np.float64) / 255.0
            mean.setflags(write=False)
        return cls(mean=mean, dtype=_float_dtype(dtype), n_features=train_images.shape[1])

    def __call__(self, images) -> np.ndarray:
        """uint8 (B, D) or (D,) → floats of the same shape: ``images / 255 − mean``."""
        images = np.asarray(images)
        if images.ndim not in (1, 2) or images.shape[-1] != self.n_features:
            raise ValueError(f"images must have shape (B, {self.n_features}) or "
                             f"({self.n_features},) like the training images, got {images.shape}")
        scaled = scale_pixels(images, self.dtype)
        if self.mean is not None:
            scaled -= self.mean.astype(self.dtype)
        return scaled


def encode_labels(classes, n_classes: int = N_CLASSES, *, on: float = 1.0, off: float = 0.0,
                  dtype=np.float64) -> np.ndarray:
    """Class indices to target vectors: ``on`` at the class, ``off`` everywhere else.

    One-hot by default; the tutorial's sigmoid targets are ``on=0.9, off=0.1``.
    classes: one integer (→ shape (n_classes,)) or integers of shape (N,) (→ (N, n_classes)),
    each in 0 … n_classes − 1 (any integer dtype, e.g. MNIST's uint8).
    """
    n_classes = validate.integer(n_classes, "n_classes", 1)
    on, off = validate.real(on, "on"), validate.real(off, "off")
    indices = np.asarray(classes)
    if indices.size == 0 and indices.ndim == 1:
        indices = indices.astype(np.int64)  # np.asarray([]) is float64
    if indices.dtype.kind not in "iu":
        raise TypeError(f"classes must be integer class indices, got dtype {indices.dtype}")
    if indices.ndim > 1:
        raise ValueError(f"classes must be one index or a 1-D array, got shape {indices.shape}")
    bad = np.flatnonzero((indices < 0) | (indices >= n_classes))
    if bad.size:
        where = "" if indices.ndim == 0 else f" (at position {bad[0]})"
        raise ValueError(f"class index {indices.reshape(-1)[bad[0]]}{where} is outside "
                         f"0…{n_classes - 1}")
    targets = np.full(indices.shape + (n_classes,), off, dtype=dtype)
    np.put_along_axis(targets, indices[..., None].astype(np.intp), on, axis=-1)
    return targets


one_hot = encode_labels  # its defaults, on=1 and off=0, are the one-hot code


def encode_bits(numbers, *, on: float = 0.9, off: float = 0.1) -> np.ndarray:
    """Numbers 0…255, integers (N,), to float64 (N, 8) (one number → (8,)), least significant
    bit first as the tutorial's ``Normalizer``: element k is ``on`` where bit k is 1, else
    ``off``."""
    values = np.asarray(numbers)
    if values.dtype.kind not in "iu":
        raise TypeError(f"numbers must be integers, got dtype {values.dtype}")
    if values.size and (values.min() < 0 or values.max() > 255):
        raise ValueError(f"numbers must lie in 0…255, got values from {values.min()} to "
                         f"{values.max()}")
    on, off = validate.real(on, "on"), validate.real(off, "off")
    bits = (values[..., None].astype(np.int64) >> np.arange(8)) & 1
    return np.where(bits == 1, on, off).astype(np.float64)


def spiral_dataset(points_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2,
                   seed: int = 0, shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """K interleaved spiral arms in the plane, one class per arm (after CS231n's example).

    Arm j holds points (r sin θ, r cos θ) at radius r = 0…1 (evenly spaced), angle
    θ = 2πj/K + 4r + noise·N(0, 1), drawn from ``numpy.random.default_rng(seed)``; no straight
    line separates the arms, one hidden layer of a few dozen units does. ``shuffle`` mixes
    the classes. Returns (points float64 (points_per_class·K, 2), classes int64 (…,)).
    """
    points_per_class = validate.integer(points_per_class, "points_per_class", 1)
    n_classes = validate.integer(n_classes, "n_classes", 2)
    noise = validate.real(noise, "noise", low=0)
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, points_per_class), n_classes)
    classes = np.repeat(np.arange(n_classes, dtype=np.int64), points_per_class)
    angle = 2 * np.pi * classes / n_classes + 4.0 * radius + noise * rng.standard_normal(
        len(classes))
    points = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    if shuffle:
        order = rng.permutation(len(classes))
        points, classes = points[order], classes[order]
    return points, classes
