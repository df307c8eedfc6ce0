"""MNIST from idx files: the four standard files (gzipped or raw) in one folder.

    data = load_mnist("path/to/mnist")     # MnistData, images stay uint8 (N, 784)

The sample count always comes from the file header (never assumed to be 60,000), and every
file is checked before use: a truncated, corrupt or mismatched file raises :class:`DataError`
naming the file and what is wrong. Downloading the official files: training/download.py.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

from .errors import DataError

PathLike = Union[str, "os.PathLike[str]"]
__all__ = ["DataError", "MnistData", "find_mnist_files", "load_mnist", "read_images",
           "read_labels", "MNIST_FILES", "N_CLASSES"]


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
