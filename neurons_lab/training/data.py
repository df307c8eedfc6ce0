"""Data for both networks: pixels to floats, class indices to target vectors, two generated
sets that need no download, 1-pixel shifts, and checking and fingerprinting a set. MNIST files
are read by training/mnist.py."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from . import validate
from .mnist import N_CLASSES


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
    return np.where(indices[..., None] == np.arange(n_classes), on, off).astype(dtype)


one_hot = encode_labels  # its defaults, on=1 and off=0, are the one-hot code


def encode_bits(numbers) -> np.ndarray:
    """Numbers 0…255, integers (N,), to float64 (N, 8) (one number → (8,)), least significant
    bit first as the tutorial's ``Normalizer``: element k is 0.9 where bit k is 1, else 0.1."""
    values = np.asarray(numbers)
    if values.dtype.kind not in "iu":
        raise TypeError(f"numbers must be integers, got dtype {values.dtype}")
    if values.size and (values.min() < 0 or values.max() > 255):
        raise ValueError(f"numbers must lie in 0…255, got values from {values.min()} to "
                         f"{values.max()}")
    bits = (values[..., None].astype(np.int64) >> np.arange(8)) & 1
    return np.where(bits == 1, 0.9, 0.1)


def spiral_dataset(points_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """K interleaved spiral arms in the plane, one class per arm (after CS231n's example).

    Arm j holds points (r sin θ, r cos θ) at radius r = 0…1 (evenly spaced), angle
    θ = 2πj/K + 4r + noise·N(0, 1), drawn from ``numpy.random.default_rng(seed)``; no straight
    line separates the arms, one hidden layer of a few dozen units does. Returns (points
    float64 (points_per_class·K, 2), classes int64 (…,)), the classes mixed.
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
    order = rng.permutation(len(classes))
    return points[order], classes[order]


COPIES = ("original", "up", "down", "left", "right")


def shift_augment(images, labels, image_shape):
    """The original images and their four 1-pixel shifts (``--augment shift``, the CNN
    article's step from 99.23 % to 99.37 %): (5N, …) uint8, labels (5N,). Augment the training
    part only, after carving out the validation set (a shifted validation image in the
    training set would flatter the validation figures).

    images: uint8 (N, H·W) or (N, H, W), image_shape = (H, W); the result has the same layout.
    labels: (N,), repeated five times (``np.tile``). Row c·N + i is image i in copy
    COPIES[c]: the first N rows are the original set unchanged. A shift fills the row or
    column it vacates with 0 (black): up is ``out[y, x] = in[y + 1, x]``, last row 0.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if images.dtype != np.uint8:
        raise TypeError(f"images must be uint8 pixels (augment before scaling to floats), "
                        f"got dtype {images.dtype}")
    rows, cols = image_shape
    if images.shape[1:] not in ((rows * cols,), (rows, cols)):
        raise ValueError(f"images of shape {images.shape} are not (N, H·W) or (N, H, W) with "
                         f"(H, W) = image_shape {tuple(image_shape)}")
    if labels.shape != images.shape[:1]:
        raise ValueError(f"labels must have shape ({len(images)},), one per image, got "
                         f"{labels.shape}")
    x = images.reshape(len(images), rows, cols)
    out = np.zeros((len(COPIES),) + x.shape, dtype=np.uint8)
    out[0] = x
    out[1, :, :-1, :] = x[:, 1:, :]  # up
    out[2, :, 1:, :] = x[:, :-1, :]  # down
    out[3, :, :, :-1] = x[:, :, 1:]  # left
    out[4, :, :, 1:] = x[:, :, :-1]  # right
    return out.reshape((len(COPIES) * len(x),) + images.shape[1:]), np.tile(labels, len(COPIES))


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
