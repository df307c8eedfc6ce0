"""MNIST from idx files: ``load_mnist(folder)`` reads the four standard files (gzipped or raw).

The sample count comes from each file's header (never assumed to be 60,000), and
decompression stops just past the size the header promises: a gzip bomb is never expanded.
Downloading: training/download.py.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataError
from .files import open_regular
from .validate import fits_in_memory

# The idx header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
# then one big-endian uint32 per dimension: images idx3 (count, rows, cols), labels idx1 (count).
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801  # 2051, 2049
_KINDS = {IMAGES_MAGIC: "images (idx3)", LABELS_MAGIC: "labels (idx1)"}

# The four files of the standard layout, without the optional ".gz".
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
N_CLASSES = 10
SLACK = 1 << 20  # bytes read past the promised size, to say how many too many (up to this)


def _read_into(file, buffer, path) -> int:
    """Fill ``buffer`` (a writable byte view) from ``file`` as far as the data goes, 4 MiB at
    a time (so a gzip stream is decompressed no further); returns the bytes written."""
    done = 0
    try:
        while done < len(buffer) and (got := file.readinto(buffer[done:done + (1 << 22)])):
            done += got
    except EOFError:
        raise DataError(f"{path}: the gzip stream is truncated (it ends before its end marker): "
                        "the file was cut short, e.g. by an interrupted download") from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise DataError(f"{path}: corrupt gzip data ({error})") from None
    return done


def _read_idx(path: Path, magic: int) -> tuple[tuple[int, ...], np.ndarray]:
    """The dimensions an idx file's header promises and its data, uint8 (their product,),
    checked: magic number, and exactly the promised number of bytes (never more is read)."""
    kind, ndim = _KINDS[magic], 3 if magic == IMAGES_MAGIC else 1
    header_size = 4 + 4 * ndim
    with os.fdopen(open_regular(path, DataError, "MNIST file"), "rb") as raw:
        start = raw.peek(2)[:2]
        compressed = start == b"\x1f\x8b"
        if not compressed and path.name.endswith(".gz"):
            raise DataError(f"{path}: the name ends in .gz but the file is not gzip-compressed "
                            f"(it starts with bytes {start.hex(' ') or 'nothing: it is empty'})")
        file = gzip.GzipFile(fileobj=raw) if compressed else raw
        header = bytearray(header_size)
        got = _read_into(file, memoryview(header), path)
        found = int.from_bytes(header[:4], "big")
        if got >= 4 and found != magic:
            reason = (f"that is the magic number of {_KINDS[found]}" if found in _KINDS
                      else "not an idx file of unsigned bytes")
            raise DataError(f"{path}: wrong magic number {found} (0x{found:08x}); expected "
                            f"{magic} (0x{magic:08x}) for {kind}: {reason}")
        if got < header_size:
            raise DataError(f"{path}: truncated header: the file holds {got:,} bytes, an idx "
                            f"header for {kind} needs {header_size}")
        dims = tuple(int.from_bytes(header[4 * k:4 * k + 4], "big") for k in range(1, ndim + 1))
        if 0 in dims[1:]:
            raise DataError(f"{path}: the header gives images of {dims[1]}×{dims[2]} pixels")
        n_bytes = math.prod(dims)
        promised = f"{dims[0]:,} images of {dims[1]}×{dims[2]}" if ndim == 3 else \
            f"{dims[0]:,} labels"
        where = (f"{path}: the header promises {promised} ({n_bytes:,} bytes after the "
                 f"{header_size}-byte header, {header_size + n_bytes:,} in all)")
        # a raw file's size is known before anything is allocated; a gzip stream is counted
        held = None if compressed else os.fstat(raw.fileno()).st_size - header_size
        if held in (None, n_bytes):
            fits_in_memory(n_bytes, where)
            data = np.empty(n_bytes, dtype=np.uint8)
            held = _read_into(file, memoryview(data), path)
            if held == n_bytes:  # and nothing after it? (counted up to SLACK + 1)
                held += _read_into(file, memoryview(bytearray(SLACK + 1)), path)
    if held != n_bytes:
        extra = held - n_bytes
        problem = (f"{-extra:,} bytes are missing: truncated" if extra < 0 else
                   f"more than {SLACK:,} bytes too many" if extra > SLACK else
                   f"{extra:,} bytes too many")
        holds = "more" if extra > SLACK else f"{header_size + held:,}"
        raise DataError(f"{where} but the file holds {holds} bytes"
                        f"{' once decompressed' if compressed else ''}; {problem}")
    return dims, data


def read_images(path) -> np.ndarray:
    """An idx3 images file (gzipped or raw) → uint8 (N, rows, cols), the sizes from its header.
    DataError naming the file if it is missing, not a regular file, not gzip despite a .gz
    name, corrupt, of another kind, or not exactly the number of bytes its header promises."""
    (count, rows, cols), pixels = _read_idx(Path(path), IMAGES_MAGIC)
    return pixels.reshape(count, rows, cols)


def read_labels(path) -> np.ndarray:
    """An idx1 labels file (gzipped or raw) → uint8 (N,), each in 0 … 9; DataError naming the
    file for the faults of :func:`read_images`, or a label out of range."""
    _, labels = _read_idx(Path(path), LABELS_MAGIC)
    bad = np.flatnonzero(labels >= N_CLASSES)
    if bad.size:
        raise DataError(f"{path}: {bad.size:,} labels are outside 0…{N_CLASSES - 1}; the first "
                        f"is label #{bad[0]} = {labels[bad[0]]}")
    return labels


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
        return (f"MnistData(train: {len(self.train_images):,} images, test: "
                f"{len(self.test_images):,} images, {'×'.join(map(str, self.image_shape))} "
                "pixels, uint8)")


def load_mnist(directory) -> MnistData:
    """MNIST (or any data set in the same four-file idx layout) from ``directory``, each file
    named ``name`` or ``name.gz`` (the .gz taken if both are there), as :class:`MnistData`
    (uint8: training.data.Preprocessor makes floats of a batch). DataError if the folder or a
    file is missing or bad, a split's image and label counts differ, or the two splits'
    images differ in size."""
    directory = Path(directory)
    expected = ", ".join(f"{name}[.gz]" for name in MNIST_FILES.values())
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise DataError(f"MNIST directory {directory} {what}; it should hold the four files "
                        f"{expected}")
    paths = {key: next((p for p in (directory / f"{name}.gz", directory / name) if p.is_file()),
                       None) for key, name in MNIST_FILES.items()}
    missing = [f"{MNIST_FILES[key]}[.gz]" for key, path in paths.items() if path is None]
    if missing:
        raise DataError(f"MNIST directory {directory} lacks {', '.join(missing)}; expected the "
                        f"four files {expected} (each gzipped or raw)")
    read, shape = {}, {}
    for split in ("train", "test"):
        images_path, labels_path = paths[f"{split}_images"], paths[f"{split}_labels"]
        images, labels = read_images(images_path), read_labels(labels_path)
        if len(images) != len(labels):
            raise DataError(f"{images_path} holds {len(images):,} images but {labels_path} "
                            f"holds {len(labels):,} labels; they must match one to one")
        if len(images) == 0:
            raise DataError(f"{images_path} holds no images (its header gives a count of 0)")
        read[f"{split}_images"], read[f"{split}_labels"] = images.reshape(len(images), -1), labels
        shape[split] = images.shape[1:]
    if shape["train"] != shape["test"]:
        train, test = ("×".join(map(str, shape[split])) for split in ("train", "test"))
        raise DataError(f"{paths['train_images']} holds images of {train} pixels but "
                        f"{paths['test_images']} holds {test}")
    return MnistData(**read, image_shape=shape["train"])
