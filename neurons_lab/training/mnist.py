"""MNIST from idx files: the four standard files (gzipped or raw) in one folder.

    data = load_mnist("path/to/mnist")     # MnistData, images stay uint8 (N, 784)

The sample count always comes from the file header (never assumed to be 60,000), and every
file is checked before use: a truncated, corrupt or mismatched file raises :class:`DataError`
naming the file and what is wrong. Downloading the official files: training/download.py.
"""

from __future__ import annotations

import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

from .errors import DataError
from .files import open_regular
from .validate import fits_in_memory

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


SLACK = 1 << 20  # bytes read past the promised size, to say how many too many (up to this)


class _Stream:
    """The bytes of a regular file, gunzipped when it starts with the gzip magic, read on
    demand: ``read(n)`` never decompresses much more than ``n`` bytes (a bomb stays a file)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = open_regular(path, DataError, "MNIST file")
        self.file = os.fdopen(self.fd, "rb")
        start = self.file.read(2)
        self.compressed = start == _GZIP_MAGIC
        if not self.compressed and path.name.endswith(".gz"):
            self.file.close()
            raise DataError(
                f"{path}: the name ends in .gz but the file is not gzip-compressed "
                f"(it starts with bytes {start.hex(' ') or 'nothing: the file is empty'})")
        self.pending = start
        self.inflate = zlib.decompressobj(wbits=31) if self.compressed else None
        self.compressed_bytes = 0
        self.ended = not self.compressed

    def _more(self, limit: int) -> bytes:
        """Up to ``limit`` more bytes (b"" at the end of the data)."""
        if not self.compressed:
            data = self.pending + self.file.read(max(0, limit - len(self.pending)))
            self.pending = b""
            return data
        while True:
            if self.inflate.unconsumed_tail:
                source = self.inflate.unconsumed_tail
            elif self.pending:
                source, self.pending = self.pending, b""
            else:
                source = self.file.read(1 << 16)
                self.compressed_bytes += len(source)
                if not source:
                    return b""
            try:
                out = self.inflate.decompress(source, limit)
            except zlib.error as error:
                raise DataError(f"{self.path}: corrupt gzip data ({error})") from None
            if self.inflate.eof:
                self.ended = True
                rest = self.inflate.unused_data
                if rest.strip(b"\0"):  # another gzip member follows (gzip -c a b > c)
                    self.inflate, self.pending = zlib.decompressobj(wbits=31), rest
                    self.ended = False
            if out:
                return out

    def read_into(self, buffer) -> int:
        """Fill ``buffer`` (a writable byte view) as far as the data goes; bytes written."""
        done = 0
        while done < len(buffer):
            chunk = self._more(min(len(buffer) - done, 1 << 22))
            if not chunk:
                break
            buffer[done:done + len(chunk)] = chunk
            done += len(chunk)
        return done

    def count_rest(self, limit: int) -> int:
        """How many bytes remain, counting at most ``limit`` + 1."""
        return self.read_into(memoryview(bytearray(limit + 1)))

    def close(self):
        self.file.close()


def _read_idx(path: Path, magic: int, ndim: int) -> tuple[tuple[int, ...], np.ndarray]:
    """The dimensions an idx file's header promises and its data, uint8 (product of them,),
    checked: magic number, and exactly the promised number of bytes (never more is read)."""
    stream = _Stream(path)
    try:
        header_size = 4 + 4 * ndim
        header = bytearray(header_size)
        got = stream.read_into(memoryview(header))
        dims = _parse_header(path, bytes(header[:got]), magic, ndim)
        if magic == IMAGES_MAGIC and (dims[1] == 0 or dims[2] == 0):
            raise DataError(f"{path}: the header gives images of {dims[1]}×{dims[2]} pixels")
        n_bytes = math.prod(dims)
        promised = (f"{dims[0]:,} images of {dims[1]}×{dims[2]}" if magic == IMAGES_MAGIC
                    else f"{dims[0]:,} labels")
        where = f"{path}: the header promises {promised} ({n_bytes:,} bytes after the " \
                f"{header_size}-byte header, {header_size + n_bytes:,} in all)"
        if not stream.compressed:
            size = os.fstat(stream.fd).st_size
            if size != header_size + n_bytes:
                _wrong_size(where, header_size, n_bytes, size - header_size, False)
        fits_in_memory(n_bytes, where)
        data = np.empty(n_bytes, dtype=np.uint8)
        held = stream.read_into(memoryview(data))
        if held == n_bytes:
            held += stream.count_rest(SLACK)
        if held != n_bytes:
            _wrong_size(where, header_size, n_bytes, held, stream.compressed)
        if not stream.ended:
            raise DataError(f"{path}: the gzip stream is truncated ({stream.compressed_bytes:,} "
                            "compressed bytes end before the end-of-stream marker): the file "
                            "was cut short, e.g. by an interrupted download")
        return dims, data
    finally:
        stream.close()


def _parse_header(path: Path, data: bytes, magic: int, ndim: int) -> tuple[int, ...]:
    """Check the idx magic number and return the dimensions the header promises."""
    header_size = 4 + 4 * ndim
    what = _MAGIC_NAMES[magic]
    if len(data) >= 4:
        found = int.from_bytes(data[:4], "big")
        if found != magic:
            reason = (f"that is the magic number of {_MAGIC_NAMES[found]}"
                      if found in _MAGIC_NAMES else "not an idx file of unsigned bytes")
            raise DataError(f"{path}: wrong magic number {found} (0x{found:08x}); expected "
                            f"{magic} (0x{magic:08x}) for {what}: {reason}")
    if len(data) < header_size:
        raise DataError(f"{path}: truncated header: the file holds {len(data):,} bytes, an idx "
                        f"header for {what} needs {header_size}")
    return tuple(int.from_bytes(data[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))


def _wrong_size(where: str, header_size: int, n_bytes: int, held: int, compressed: bool):
    """The file holds another number of bytes than its header promises."""
    if held < n_bytes:
        problem = f"{n_bytes - held:,} bytes are missing: truncated"
    elif held - n_bytes > SLACK:
        problem = f"more than {SLACK:,} bytes too many"
    else:
        problem = f"{held - n_bytes:,} bytes too many"
    holds = f"{header_size + held:,}" if held - n_bytes <= SLACK else "more"
    raise DataError(f"{where} but the file holds {holds} bytes"
                    f"{' once decompressed' if compressed else ''}; {problem}")


def read_images(path: PathLike) -> np.ndarray:
    """Read an idx3 images file (gzipped or raw).

    Returns a uint8 array of shape (N, rows, cols), with N, rows and cols taken from the header.
    Raises DataError naming the file if it is missing or not a regular file, not gzip despite
    a .gz name, has the wrong magic number, zero-sized images, or not exactly the number of
    bytes promised (decompression stops just past that number: a bomb is never expanded).
    """
    path = Path(path)
    (count, rows, cols), pixels = _read_idx(path, IMAGES_MAGIC, ndim=3)
    return pixels.reshape(count, rows, cols)


def read_labels(path: PathLike, n_classes: int = N_CLASSES) -> np.ndarray:
    """Read an idx1 labels file (gzipped or raw).

    Returns a uint8 array of shape (N,), N taken from the header, every value in
    0 … n_classes − 1. Raises DataError naming the file if it is missing, corrupt, has the
    wrong magic number, not exactly the number of bytes promised, or a label out of range.
    """
    path = Path(path)
    _, labels = _read_idx(path, LABELS_MAGIC, ndim=1)
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
