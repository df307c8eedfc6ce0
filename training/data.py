"""Data sets for both networks: MNIST from idx files, two generated toy sets, preprocessing.

MNIST comes as four idx files (gzipped or raw) in one directory::

    data = load_mnist("path/to/mnist")     # MnistData, images stay uint8 (N, 784)
    prep = Preprocessor.fit(data.train_images, center=True)
    x = prep(data.train_images[:32])       # float64 (32, 784): scaled to [0, 1], train mean removed
    t = encode_labels(data.train_labels[:32], 10, on=0.9, off=0.1)   # float64 (32, 10)

The sample count always comes from the file header (never assumed to be 60,000), and every
file is checked before use: a truncated, corrupt or mismatched file raises :class:`DataError`
naming the file and what is wrong. Downloading the official files lives in
``training/download.py``.

Generated sets need no download and are deterministic for a given seed:
:func:`bits_dataset` (the tutorial's 8-bit identity task) and :func:`spiral_dataset`
(a 2-D spiral that a linear model cannot separate).
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

PathLike = Union[str, "os.PathLike[str]"]


class DataError(ValueError):
    """A data file or directory is missing, truncated, corrupt or inconsistent."""


# ---------------------------------------------------------------------------------------------
# idx files
# ---------------------------------------------------------------------------------------------

# The idx header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
# then one big-endian uint32 per dimension. MNIST images are idx3 (count, rows, cols), labels
# idx1 (count).
IMAGES_MAGIC = 0x00000803  # 2051
LABELS_MAGIC = 0x00000801  # 2049
_MAGIC_NAMES = {IMAGES_MAGIC: "images (idx3)", LABELS_MAGIC: "labels (idx1)"}
_GZIP_MAGIC = b"\x1f\x8b"

# The four files of the standard layout, without the optional ".gz".
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

N_CLASSES = 10


def _read_bytes(path: Path) -> tuple[bytes, bool]:
    """The file's content, decompressed if it is gzip, and whether it was; DataError if bad."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read the file ({error.strerror or error})") from error
    if raw[:2] != _GZIP_MAGIC:
        if path.name.endswith(".gz"):
            raise DataError(
                f"{path}: the name ends in .gz but the file is not gzip-compressed "
                f"(it starts with bytes {raw[:4].hex(' ') or 'nothing: the file is empty'})"
            )
        return raw, False
    try:
        return gzip.decompress(raw), True
    except EOFError:
        raise DataError(
            f"{path}: the gzip stream is truncated ({len(raw):,} compressed bytes end before "
            f"the end-of-stream marker): the file was cut short, e.g. by an interrupted download"
        ) from None
    except (OSError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise DataError(f"{path}: corrupt gzip data ({error})") from None


def _parse_header(path: Path, data: bytes, magic: int, ndim: int) -> tuple[int, ...]:
    """Check the idx magic number and return the dimensions the header promises."""
    header_size = 4 + 4 * ndim
    what = _MAGIC_NAMES[magic]
    if len(data) >= 4:
        found = int.from_bytes(data[:4], "big")
        if found != magic:
            if found in _MAGIC_NAMES:
                reason = f"that is the magic number of {_MAGIC_NAMES[found]}"
            else:
                reason = "not an idx file of unsigned bytes"
            raise DataError(
                f"{path}: wrong magic number {found} (0x{found:08x}); expected {magic} "
                f"(0x{magic:08x}) for {what}: {reason}"
            )
    if len(data) < header_size:
        raise DataError(
            f"{path}: truncated header: the file holds {len(data):,} bytes, an idx header "
            f"for {what} needs {header_size}"
        )
    return tuple(int.from_bytes(data[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))


def _check_size(
    path: Path, data: bytes, compressed: bool, header_size: int, promised: str, n_bytes: int
) -> None:
    """The file must hold exactly the header plus the bytes the header promises."""
    if len(data) == header_size + n_bytes:
        return
    held = len(data) - header_size
    problem = (
        f"{n_bytes - held:,} bytes are missing: truncated"
        if held < n_bytes
        else f"{held - n_bytes:,} bytes too many"
    )
    raise DataError(
        f"{path}: the header promises {promised} ({n_bytes:,} bytes after the {header_size}-byte "
        f"header, {header_size + n_bytes:,} in all) but the file holds {len(data):,} bytes"
        f"{' once decompressed' if compressed else ''}; "
        f"{problem}"
    )


def read_images(path: PathLike) -> np.ndarray:
    """Read an idx3 images file (gzipped or raw).

    Returns a uint8 array of shape (N, rows, cols), with N, rows and cols taken from the header.
    Raises DataError naming the file if it is missing, not gzip despite a .gz name, has the
    wrong magic number, zero-sized images, or not exactly the number of bytes promised.
    """
    path = Path(path)
    data, compressed = _read_bytes(path)
    count, rows, cols = _parse_header(path, data, IMAGES_MAGIC, ndim=3)
    if rows == 0 or cols == 0:
        raise DataError(f"{path}: the header gives images of {rows}×{cols} pixels")
    promised = f"{count:,} images of {rows}×{cols}"
    _check_size(path, data, compressed, 16, promised, count * rows * cols)
    # frombuffer reads the bytes in place; copy() makes the array writable and lets the
    # decompressed bytes go.
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16)
    return pixels.reshape(count, rows, cols).copy()


def read_labels(path: PathLike, n_classes: int = N_CLASSES) -> np.ndarray:
    """Read an idx1 labels file (gzipped or raw).

    Returns a uint8 array of shape (N,), N taken from the header, every value in
    0 … n_classes − 1. Raises DataError naming the file if it is missing, corrupt, has the
    wrong magic number, not exactly the number of bytes promised, or a label out of range.
    """
    path = Path(path)
    data, compressed = _read_bytes(path)
    (count,) = _parse_header(path, data, LABELS_MAGIC, ndim=1)
    _check_size(path, data, compressed, 8, f"{count:,} labels", count)
    labels = np.frombuffer(data, dtype=np.uint8, offset=8).copy()
    bad = np.flatnonzero(labels >= n_classes)
    if bad.size:
        first = int(bad[0])
        raise DataError(
            f"{path}: {bad.size:,} labels are outside 0…{n_classes - 1}; the first is label "
            f"#{first} = {labels[first]}"
        )
    return labels


# ---------------------------------------------------------------------------------------------
# MNIST directory
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MnistData:
    """MNIST's two splits, as read from the files.

    train_images: uint8 (N_train, rows·cols), one flattened image per row, pixels 0…255
    train_labels: uint8 (N_train,), class indices 0…9
    test_images:  uint8 (N_test, rows·cols)
    test_labels:  uint8 (N_test,)
    image_shape:  (rows, cols), (28, 28) for MNIST; ``images[i].reshape(image_shape)``
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    image_shape: tuple[int, int]

    def __repr__(self) -> str:
        rows, cols = self.image_shape
        return (
            f"MnistData(train: {len(self.train_images):,} images, "
            f"test: {len(self.test_images):,} images, {rows}×{cols} pixels, uint8)"
        )


def find_mnist_files(directory: PathLike) -> dict[str, Path]:
    """Locate the four standard files in ``directory``.

    Returns {"train_images": path, "train_labels": …, "test_images": …, "test_labels": …}.
    Each file may be named ``name`` or ``name.gz`` (the .gz is taken if both exist).
    Raises DataError if the directory or any file is missing, listing what is expected.
    """
    directory = Path(directory)
    expected = ", ".join(f"{name}[.gz]" for name in MNIST_FILES.values())
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise DataError(
            f"MNIST directory {directory} {what}; it should hold the four files {expected}"
        )
    found, missing = {}, []
    for key, name in MNIST_FILES.items():
        for candidate in (directory / f"{name}.gz", directory / name):
            if candidate.is_file():
                found[key] = candidate
                break
        else:
            missing.append(f"{name}[.gz]")
    if missing:
        raise DataError(
            f"MNIST directory {directory} lacks {', '.join(missing)}; "
            f"expected the four files {expected} (each gzipped or raw)"
        )
    return found


def load_mnist(directory: PathLike) -> MnistData:
    """Read MNIST (or any data set in the same four-file idx layout) from ``directory``.

    Images come back flattened to uint8 (N, rows·cols), labels uint8 (N,); nothing is
    converted to floats (see :class:`Preprocessor` for that, batch by batch). The counts come
    from the headers. Raises DataError if a file is missing or bad, if a split has different
    numbers of images and labels, or if the two splits' images differ in size.
    """
    paths = find_mnist_files(directory)
    splits = {}
    for split in ("train", "test"):
        images_path, labels_path = paths[f"{split}_images"], paths[f"{split}_labels"]
        images = read_images(images_path)
        labels = read_labels(labels_path)
        if len(images) != len(labels):
            raise DataError(
                f"{images_path} holds {len(images):,} images but {labels_path} holds "
                f"{len(labels):,} labels; they must match one to one"
            )
        if len(images) == 0:
            raise DataError(f"{images_path} holds no images (its header gives a count of 0)")
        splits[split] = images, labels
    (train_images, train_labels), (test_images, test_labels) = splits["train"], splits["test"]
    if train_images.shape[1:] != test_images.shape[1:]:
        raise DataError(
            f"{paths['train_images']} holds images of {'×'.join(map(str, train_images.shape[1:]))}"
            f" pixels but {paths['test_images']} holds "
            f"{'×'.join(map(str, test_images.shape[1:]))}"
        )
    rows, cols = train_images.shape[1:]
    return MnistData(
        train_images=train_images.reshape(len(train_images), rows * cols),
        train_labels=train_labels,
        test_images=test_images.reshape(len(test_images), rows * cols),
        test_labels=test_labels,
        image_shape=(rows, cols),
    )


# ---------------------------------------------------------------------------------------------
# Preprocessing: done batch by batch, so the data set itself stays uint8
# ---------------------------------------------------------------------------------------------


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


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
    n_classes = _check_int(n_classes, "n_classes", 1)
    on, off = _check_real(on, "on"), _check_real(off, "off")
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


def predicted_class(outputs):
    """The class an output vector votes for: the index of its largest value (first on ties).

    outputs: shape (n_classes,) (e.g. ``net.predict(sample)``, list or array) → int;
    shape (B, n_classes) → int64 array (B,). Raises ValueError for non-finite outputs,
    which would otherwise pick an arbitrary class.
    """
    values = np.asarray(outputs, dtype=np.float64)
    if values.ndim not in (1, 2) or values.shape[-1] == 0:
        raise ValueError(
            f"outputs must have shape (n_classes,) or (B, n_classes), got {values.shape}"
        )
    finite = np.isfinite(values)
    if not finite.all():
        where = np.argwhere(~finite)[0]
        raise ValueError(
            f"outputs hold a non-finite value {values[tuple(where)]} at index {tuple(where)}"
        )
    classes = np.argmax(values, axis=-1)
    return int(classes) if values.ndim == 1 else classes.astype(np.int64)


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
    on, off = _check_real(on, "on"), _check_real(off, "off")
    bits = (values[..., None].astype(np.int64) >> np.arange(N_BITS)) & 1
    return np.where(bits == 1, on, off).astype(np.float64)


def decode_bits(vectors, *, on: float = 0.9, off: float = 0.1):
    """8-element vectors back to numbers: each element counts as 1 if it is nearer ``on``
    than ``off``. Shape (8,) → int; (N, 8) → int64 (N,)."""
    values = np.asarray(vectors, dtype=np.float64)
    if values.ndim not in (1, 2) or values.shape[-1] != N_BITS:
        raise ValueError(f"vectors must have shape (8,) or (N, 8), got {values.shape}")
    threshold = (_check_real(on, "on") + _check_real(off, "off")) / 2
    bits = values > threshold if on > off else values < threshold
    numbers = (bits.astype(np.int64) << np.arange(N_BITS)).sum(axis=-1)
    return int(numbers) if values.ndim == 1 else numbers


def bits_dataset(
    count: int | None = None, *, seed: int = 0, on: float = 0.9, off: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's 8-bit identity task (an 8-3-8 network learns to copy its input).

    count=None gives all 256 numbers 0…255 in order; a count draws that many numbers
    uniformly (with replacement) from ``numpy.random.default_rng(seed)``.
    Returns (inputs, targets), both float64 (count, 8) as :func:`encode_bits` makes them;
    targets equal inputs (separate arrays). ``decode_bits`` turns vectors back into numbers.
    """
    if count is None:
        numbers = np.arange(2**N_BITS)
    else:
        count = _check_int(count, "count", 0)
        numbers = np.random.default_rng(seed).integers(0, 2**N_BITS, size=count)
    inputs = encode_bits(numbers, on=on, off=off)
    return inputs, inputs.copy()


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
    points_per_class = _check_int(points_per_class, "points_per_class", 1)
    n_classes = _check_int(n_classes, "n_classes", 2)
    noise = _check_real(noise, "noise")
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
