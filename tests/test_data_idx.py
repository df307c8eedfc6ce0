"""The idx reader and load_mnist: round trips, every corrupt case, and the real files."""

import gzip
import hashlib
import struct
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurons_lab.training.mnist import (
    MNIST_FILES,
    DataError,
    MnistData,
    load_mnist,
    read_images,
    read_labels,
)

REAL_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
needs_real_mnist = pytest.mark.skipif(
    not REAL_MNIST.is_dir(), reason=f"real MNIST files not found in {REAL_MNIST}"
)


# --- writing idx files, independently of the code under test ----------------------------------


def images_bytes(images):
    """idx3 bytes for uint8 images of shape (N, rows, cols)."""
    n, rows, cols = images.shape
    return struct.pack(">IIII", 2051, n, rows, cols) + images.astype(np.uint8).tobytes()


def labels_bytes(labels):
    """idx1 bytes for uint8 labels of shape (N,)."""
    return struct.pack(">II", 2049, len(labels)) + np.asarray(labels, np.uint8).tobytes()


def write(path, content, gz):
    """Write ``content`` to ``path`` (+ ".gz" and compressed if gz); return the path."""
    path = Path(str(path) + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(content) if gz else content)
    return path


def random_split(rng, n, rows=28, cols=28):
    return (
        rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8),
        rng.integers(0, 10, size=n, dtype=np.uint8),
    )


def write_mnist_dir(directory, train, test, gz=True):
    """Write the four standard files for (images, labels) pairs into ``directory``."""
    for split, (images, labels) in (("train", train), ("test", test)):
        write(directory / MNIST_FILES[f"{split}_images"], images_bytes(images), gz)
        write(directory / MNIST_FILES[f"{split}_labels"], labels_bytes(labels), gz)
    return directory


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    train, test = random_split(rng, 50), random_split(rng, 20)
    write_mnist_dir(tmp_path, train, test)
    return tmp_path, train, test


# --- round trips ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 30),
    rows=st.integers(1, 12),
    cols=st.integers(1, 12),
    gz=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_idx_round_trip_over_shapes(tmp_path_factory, n, rows, cols, gz, seed):
    rng = np.random.default_rng(seed)
    images, labels = random_split(rng, n, rows, cols)
    folder = tmp_path_factory.mktemp("idx")
    images_path = write(folder / "images-idx3-ubyte", images_bytes(images), gz)
    labels_path = write(folder / "labels-idx1-ubyte", labels_bytes(labels), gz)

    read = read_images(images_path)
    assert read.dtype == np.uint8 and read.shape == (n, rows, cols)
    np.testing.assert_array_equal(read, images)
    read = read_labels(labels_path)
    assert read.dtype == np.uint8 and read.shape == (n,)
    np.testing.assert_array_equal(read, labels)


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_round_trip(tmp_path, gz):
    rng = np.random.default_rng(1)
    train, test = random_split(rng, 37), random_split(rng, 11)
    data = load_mnist(write_mnist_dir(tmp_path, train, test, gz=gz))

    assert isinstance(data, MnistData)
    assert data.image_shape == (28, 28)
    assert data.train_images.shape == (37, 784) and data.test_images.shape == (11, 784)
    for array in (data.train_images, data.train_labels, data.test_images, data.test_labels):
        assert array.dtype == np.uint8
    np.testing.assert_array_equal(data.train_images, train[0].reshape(37, 784))
    np.testing.assert_array_equal(data.train_labels, train[1])
    np.testing.assert_array_equal(data.test_images.reshape(11, 28, 28), test[0])
    np.testing.assert_array_equal(data.test_labels, test[1])
    assert "37 images" in repr(data) and "11 images" in repr(data)


def test_load_mnist_mixes_gz_and_raw_and_reads_non_mnist_sizes(tmp_path):
    rng = np.random.default_rng(2)
    (train_x, train_y), (test_x, test_y) = random_split(rng, 5, 3, 4), random_split(rng, 2, 3, 4)
    write(tmp_path / MNIST_FILES["train_images"], images_bytes(train_x), gz=True)
    write(tmp_path / MNIST_FILES["train_labels"], labels_bytes(train_y), gz=False)
    write(tmp_path / MNIST_FILES["test_images"], images_bytes(test_x), gz=False)
    write(tmp_path / MNIST_FILES["test_labels"], labels_bytes(test_y), gz=True)
    data = load_mnist(str(tmp_path))
    assert data.image_shape == (3, 4)
    np.testing.assert_array_equal(data.train_images, train_x.reshape(5, 12))
    np.testing.assert_array_equal(data.test_labels, test_y)


def test_images_are_writable_copies(mnist_dir):
    data = load_mnist(mnist_dir[0])
    data.train_images[0, 0] = 7  # a learner may edit a sample without a read-only surprise
    assert data.train_images[0, 0] == 7


def test_gzip_content_without_gz_name_is_read(tmp_path):
    images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(gzip.compress(images_bytes(images)))
    np.testing.assert_array_equal(read_images(path), images)


# --- corrupt files ----------------------------------------------------------------------------

GOOD_IMAGES = images_bytes(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))
GOOD_LABELS = labels_bytes([3, 9])

BAD_IMAGES = {
    "truncated data": (GOOD_IMAGES[:-1], "1 bytes are missing"),
    "extra data": (GOOD_IMAGES + b"\0\0", "2 bytes too many"),
    "truncated header": (GOOD_IMAGES[:10], "truncated header"),
    "empty file": (b"", "truncated header"),
    "wrong magic": (b"\x00\x00\x08\x04" + GOOD_IMAGES[4:], "wrong magic number 2052"),
    "labels magic": (GOOD_LABELS, "magic number of labels"),
    "little-endian header": (
        struct.pack("<IIII", 2051, 2, 3, 4) + GOOD_IMAGES[16:],
        "wrong magic number",
    ),
    "wrong dims": (struct.pack(">IIII", 2051, 2, 4, 4) + GOOD_IMAGES[16:], "2 images of 4×4"),
    "zero-sized images": (struct.pack(">IIII", 2051, 2, 0, 4), "0×4"),
}
BAD_LABELS = {
    "truncated data": (GOOD_LABELS[:-1], "1 bytes are missing"),
    "truncated header": (GOOD_LABELS[:5], "truncated header"),
    "wrong magic": (GOOD_IMAGES, "magic number of images"),
    "count too high": (struct.pack(">II", 2049, 3) + bytes([3, 9]), "promises 3 labels"),
    "label above 9": (labels_bytes([3, 10, 12]), "label #1 = 10"),
}


CORRUPT_FILES = (  # (reader, file name, content, words the message must hold)
    [(read_images, "train-images-idx3-ubyte") + BAD_IMAGES[case] for case in sorted(BAD_IMAGES)]
    + [(read_labels, "t10k-labels-idx1-ubyte") + BAD_LABELS[case] for case in sorted(BAD_LABELS)]
)
CORRUPT_IDS = ([f"images: {case}" for case in sorted(BAD_IMAGES)]
               + [f"labels: {case}" for case in sorted(BAD_LABELS)])


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
@pytest.mark.parametrize("reader,name,content,expected", CORRUPT_FILES, ids=CORRUPT_IDS)
def test_corrupt_file_raises_data_error_naming_it(tmp_path, reader, name, content, expected, gz):
    path = write(tmp_path / name, content, gz)
    with pytest.raises(DataError, match=name) as error:
        reader(path)
    assert expected in str(error.value)


def test_size_message_gives_promise_and_holding(tmp_path):
    header = struct.pack(">IIII", 2051, 5000, 28, 28)
    path = write(tmp_path / "train-images-idx3-ubyte", header + bytes(1_000_000), gz=True)
    with pytest.raises(DataError) as error:
        read_images(path)
    message = str(error.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert "5,000 images of 28×28" in message
    assert "3,920,000 bytes" in message
    assert "1,000,016 bytes" in message
    assert "truncated" in message


def test_gz_name_but_not_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(GOOD_IMAGES)  # valid idx, but not compressed
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz.*not gzip"):
        read_images(path)


def test_truncated_gzip_stream(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(GOOD_IMAGES)[:-12])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz.*truncated"):
        read_images(path)


def test_corrupt_gzip_stream(tmp_path):
    compressed = bytearray(gzip.compress(GOOD_IMAGES * 50))
    compressed[-6] ^= 0xFF  # the stored length/CRC no longer matches
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(bytes(compressed))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz.*corrupt gzip"):
        read_images(path)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="nowhere-idx3-ubyte.*no such file"):
        read_images(tmp_path / "nowhere-idx3-ubyte")


# --- load_mnist: directory problems and mismatches --------------------------------------------


def test_missing_directory_names_it_and_the_expected_files(tmp_path):
    missing = tmp_path / "no-such-dir"
    with pytest.raises(DataError, match="does not exist") as error:
        load_mnist(missing)
    message = str(error.value)
    assert str(missing) in message
    assert all(name in message for name in MNIST_FILES.values())


def test_a_file_instead_of_a_directory(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is not a directory"):
        load_mnist(tmp_path / "file")


def test_missing_files_are_all_listed(mnist_dir):
    directory = mnist_dir[0]
    (directory / "t10k-images-idx3-ubyte.gz").unlink()
    (directory / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError) as error:
        load_mnist(directory)
    message = str(error.value)
    assert "lacks train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz];" in message
    assert "expected the four files" in message


def test_gz_is_preferred_but_raw_accepted(mnist_dir):
    directory, _, (_, test_labels) = mnist_dir
    gz = directory / "t10k-labels-idx1-ubyte.gz"
    (directory / "t10k-labels-idx1-ubyte").write_bytes(labels_bytes(test_labels[::-1]))
    np.testing.assert_array_equal(load_mnist(directory).test_labels, test_labels)
    gz.unlink()
    np.testing.assert_array_equal(load_mnist(directory).test_labels, test_labels[::-1])


def test_image_and_label_counts_must_match(mnist_dir):
    directory, _, (test_images, test_labels) = mnist_dir
    write(directory / MNIST_FILES["test_labels"], labels_bytes(test_labels[:-1]), gz=True)
    with pytest.raises(DataError) as error:
        load_mnist(directory)
    message = str(error.value)
    assert "t10k-images-idx3-ubyte.gz holds 20 images" in message
    assert "t10k-labels-idx1-ubyte.gz holds 19 labels" in message


def test_train_and_test_image_sizes_must_match(mnist_dir):
    directory, (train_images, _), _ = mnist_dir
    small = np.zeros((len(train_images), 14, 14), np.uint8)
    write(directory / MNIST_FILES["train_images"], images_bytes(small), gz=True)
    with pytest.raises(DataError, match="14×14 pixels but .*28×28"):
        load_mnist(directory)


def test_empty_split_is_refused(mnist_dir):
    directory = mnist_dir[0]
    write(directory / MNIST_FILES["train_images"], images_bytes(np.zeros((0, 28, 28))), True)
    write(directory / MNIST_FILES["train_labels"], labels_bytes([]), True)
    with pytest.raises(DataError, match="holds no images"):
        load_mnist(directory)


def test_a_bad_file_in_the_directory_is_named(mnist_dir):
    directory = mnist_dir[0]
    path = directory / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz"):
        load_mnist(directory)


# --- the real files beside the checkout -------------------------------------------------------

README_MD5 = {
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    "train-images-idx3-ubyte.gz": "86cdf6704dadc654e231abcefb0fb4cf",
    "train-labels-idx1-ubyte.gz": "375e5ffeab42a5d13d81367316fe221c",
}


@needs_real_mnist
def test_real_files_match_the_readme_checksums():
    for name, md5 in README_MD5.items():
        assert hashlib.md5((REAL_MNIST / name).read_bytes()).hexdigest() == md5, name
        assert md5 in (REAL_MNIST / "README.md").read_text(), name


@needs_real_mnist
def test_real_files_load_with_counts_from_the_headers():
    start = time.perf_counter()
    data = load_mnist(REAL_MNIST)
    elapsed = time.perf_counter() - start
    assert data.train_images.shape == (5_000, 784)
    assert data.train_labels.shape == (5_000,)
    assert data.test_images.shape == (10_000, 784)
    assert data.test_labels.shape == (10_000,)
    assert data.image_shape == (28, 28)
    # The README: 500 training images per digit; the official test set's known class counts.
    np.testing.assert_array_equal(np.bincount(data.train_labels, minlength=10), [500] * 10)
    np.testing.assert_array_equal(
        np.bincount(data.test_labels, minlength=10),
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    )
    assert data.train_images.max() == 255 and data.train_images.min() == 0
    assert elapsed < 2.0, f"loading took {elapsed:.2f} s"


@needs_real_mnist
def test_no_test_image_is_in_the_training_subset():
    data = load_mnist(REAL_MNIST)
    train = {row.tobytes() for row in data.train_images}
    assert not any(row.tobytes() in train for row in data.test_images)
