"""1-pixel shift augmentation: every shift checked element by element on a 3×4 image, the
order of the copies, labels, dtype, both layouts, and bad input."""

import numpy as np
import pytest

from neurons_lab.training.data import COPIES, shift_augment

# 3 rows × 4 columns (not square, so a transposed shift cannot pass), no zero pixel
IMAGE = np.array([[1, 2, 3, 4],
                  [5, 6, 7, 8],
                  [9, 10, 11, 12]], dtype=np.uint8)
EXPECTED = {
    "original": IMAGE,
    "up": [[5, 6, 7, 8],
           [9, 10, 11, 12],
           [0, 0, 0, 0]],
    "down": [[0, 0, 0, 0],
             [1, 2, 3, 4],
             [5, 6, 7, 8]],
    "left": [[2, 3, 4, 0],
             [6, 7, 8, 0],
             [10, 11, 12, 0]],
    "right": [[0, 1, 2, 3],
              [0, 5, 6, 7],
              [0, 9, 10, 11]],
}


@pytest.mark.parametrize("c, direction", list(enumerate(COPIES)))
def test_each_shift_element_by_element(c, direction):
    out, _ = shift_augment(IMAGE[None], [0], image_shape=(3, 4))
    assert out.dtype == np.uint8 and out.shape == (5, 3, 4)
    assert out[c].tolist() == np.asarray(EXPECTED[direction]).tolist()


@pytest.mark.parametrize("direction", ["up", "down", "left", "right"])
def test_a_wrapping_shift_would_be_caught(direction):
    # np.roll moves the picture but wraps the edge around instead of filling it with 0
    axis, step = {"up": (0, -1), "down": (0, 1), "left": (1, -1), "right": (1, 1)}[direction]
    rolled = np.roll(IMAGE, step, axis=axis)
    assert rolled.tolist() != np.asarray(EXPECTED[direction]).tolist()
    vacated = rolled != np.asarray(EXPECTED[direction])
    assert vacated.sum() == (4 if axis == 0 else 3)  # exactly the vacated row or column


def test_shift_augment_order_labels_and_dtype():
    images = np.stack([IMAGE, IMAGE[::-1]])          # N = 2
    labels = np.array([7, 3], dtype=np.uint8)
    out, out_labels = shift_augment(images, labels, (3, 4))
    assert out.dtype == np.uint8 and out.shape == (10, 3, 4)
    assert out_labels.tolist() == [7, 3] * 5 and out_labels.dtype == np.uint8
    flipped = shift_augment(images[1:], labels[1:], (3, 4))[0]
    for c, direction in enumerate(COPIES):          # row c·N + i = image i in copy c
        assert out[2 * c].tolist() == np.asarray(EXPECTED[direction]).tolist()
        assert out[2 * c + 1].tolist() == flipped[c].tolist()
    assert np.array_equal(out[:2], images)           # the originals first, unchanged


def test_shift_augment_keeps_a_flat_layout():
    flat = np.arange(2 * 784, dtype=np.uint8).reshape(2, 784) % 251
    out, _ = shift_augment(flat, [0, 1], image_shape=(28, 28))
    assert out.shape == (10, 784)
    square, _ = shift_augment(flat.reshape(2, 28, 28), [0, 1], (28, 28))
    assert np.array_equal(out, square.reshape(10, 784))
    # read as 4 × 3 the same bytes shift differently: the shape matters
    flat = IMAGE.reshape(1, 12)
    assert not np.array_equal(shift_augment(flat, [0], (4, 3))[0],
                              shift_augment(flat, [0], (3, 4))[0])


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="must be uint8"):
        shift_augment(IMAGE[None].astype(float), [1], (3, 4))
    with pytest.raises(ValueError, match=r"\(1, 12\) are not .* image_shape \(5, 5\)"):
        shift_augment(IMAGE.reshape(1, 12), [1], (5, 5))
    with pytest.raises(ValueError, match=r"image_shape \(4, 3\)"):
        shift_augment(IMAGE[None], [1], (4, 3))
    with pytest.raises(ValueError, match=r"labels must have shape \(1,\)"):
        shift_augment(IMAGE[None], [1, 2], (3, 4))
