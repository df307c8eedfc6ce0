"""1-pixel shift augmentation: every shift checked element by element on a 3×4 image, the
order of the copies, labels, dtype, the on-demand view and the trainer's batch order."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurons_lab.training.augment import (
    COPIES,
    ShiftAugmented,
    shift,
    shift_augment,
    shuffled_batches,
)

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


@pytest.mark.parametrize("direction", COPIES)
def test_each_shift_element_by_element(direction):
    out = shift(IMAGE[None], direction)
    assert out.dtype == np.uint8 and out.shape == (1, 3, 4)
    assert out[0].tolist() == np.asarray(EXPECTED[direction]).tolist()


@pytest.mark.parametrize("direction", ["up", "down", "left", "right"])
def test_a_wrapping_shift_would_be_caught(direction):
    # np.roll moves the picture but wraps the edge around instead of filling it with 0
    axis, step = {"up": (0, -1), "down": (0, 1), "left": (1, -1), "right": (1, 1)}[direction]
    rolled = np.roll(IMAGE, step, axis=axis)
    assert rolled.tolist() != np.asarray(EXPECTED[direction]).tolist()
    vacated = rolled != np.asarray(EXPECTED[direction])
    assert vacated.sum() == (4 if axis == 0 else 3)  # exactly the vacated row or column


def test_flattened_rows_are_shifted_as_images():
    flat = IMAGE.reshape(1, 12)
    assert shift(flat, "left", image_shape=(3, 4)).tolist() == \
        [np.asarray(EXPECTED["left"]).ravel().tolist()]
    # read as 4 × 3 the same bytes shift differently: the shape matters
    assert shift(flat, "left", image_shape=(4, 3)).tolist() != \
        shift(flat, "left", image_shape=(3, 4)).tolist()


def test_shift_augment_order_labels_and_dtype():
    images = np.stack([IMAGE, IMAGE[::-1]])          # N = 2
    labels = np.array([7, 3], dtype=np.uint8)
    out, out_labels = shift_augment(images, labels)
    assert out.dtype == np.uint8 and out.shape == (10, 3, 4)
    assert out_labels.tolist() == [7, 3] * 5 and out_labels.dtype == np.uint8
    for c, direction in enumerate(COPIES):          # row c·N + i = image i in copy c
        assert out[2 * c].tolist() == np.asarray(EXPECTED[direction]).tolist()
        assert out[2 * c + 1].tolist() == shift(images[1:], direction)[0].tolist()
    assert np.array_equal(out[:2], images)           # the originals first, unchanged


def test_shift_augment_keeps_a_flat_layout():
    flat = np.arange(2 * 784, dtype=np.uint8).reshape(2, 784) % 251
    out, _ = shift_augment(flat, [0, 1], image_shape=(28, 28))
    assert out.shape == (10, 784)
    square, _ = shift_augment(flat.reshape(2, 28, 28), [0, 1])
    assert np.array_equal(out, square.reshape(10, 784))


@st.composite
def image_sets(draw):
    shape = draw(st.tuples(st.integers(1, 12), st.integers(1, 5), st.integers(1, 5)))
    images = draw(hnp.arrays(np.uint8, shape))
    return images, np.arange(shape[0]) % 10


@given(image_sets(), st.data())
def test_the_on_demand_view_gives_the_stored_rows(case, data):
    images, labels = case
    stored, stored_labels = shift_augment(images, labels)
    view = ShiftAugmented(images, labels)
    assert len(view) == len(stored) and view.shape == stored.shape
    rows = data.draw(hnp.arrays(np.int64, st.integers(0, 20),
                                elements=st.integers(-len(stored), len(stored) - 1)))
    assert np.array_equal(view[rows], stored[rows])
    assert np.array_equal(view[3:-2], stored[3:-2])
    i = data.draw(st.integers(-len(stored), len(stored) - 1))
    assert np.array_equal(view[i], stored[i])
    assert np.array_equal(np.asarray(view), stored)
    assert np.array_equal(view.labels, stored_labels)


def test_batches_follow_the_trainers_permutation():
    rng_images = np.random.default_rng(5).integers(0, 256, (7, 784)).astype(np.uint8)
    labels = np.arange(7)
    stored, stored_labels = shift_augment(rng_images, labels, image_shape=(28, 28))
    view = ShiftAugmented(rng_images, labels, image_shape=(28, 28))
    order = np.random.default_rng(42).permutation(35)  # what the trainer draws for epoch 1
    batches = list(shuffled_batches(view, view.labels, 8, np.random.default_rng(42)))
    assert [len(y) for _, y in batches] == [8, 8, 8, 8, 3]
    for b, (x, y) in enumerate(batches):
        rows = order[8 * b:8 * b + 8]
        assert np.array_equal(x, stored[rows]) and np.array_equal(y, stored_labels[rows])
    again = list(shuffled_batches(stored, stored_labels, 8, np.random.default_rng(42)))
    assert all(np.array_equal(x1, x2) for (x1, _), (x2, _) in zip(batches, again))


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="must be uint8"):
        shift(IMAGE[None].astype(float), "up")
    with pytest.raises(ValueError, match="unknown direction 'diagonal'"):
        shift(IMAGE[None], "diagonal")
    with pytest.raises(ValueError, match="need image_shape"):
        shift(IMAGE.reshape(1, 12), "up")
    with pytest.raises(ValueError, match=r"image_shape \(5, 5\) does not hold 12 pixels"):
        shift(IMAGE.reshape(1, 12), "up", image_shape=(5, 5))
    with pytest.raises(ValueError, match="does not match"):
        shift(IMAGE[None], "up", image_shape=(4, 3))
    with pytest.raises(ValueError, match=r"labels must have shape \(1,\)"):
        shift_augment(IMAGE[None], [1, 2])
    with pytest.raises(ValueError, match="labels must have shape"):
        ShiftAugmented(IMAGE[None], [])
    view = ShiftAugmented(IMAGE[None], [1])
    with pytest.raises(IndexError, match="row numbers must lie in"):
        view[[5]]
    with pytest.raises(TypeError, match="rows must be integers"):
        view[np.array([0.5])]
    with pytest.raises(ValueError, match="batch_size"):
        next(shuffled_batches(view, view.labels, 0, np.random.default_rng(0)))
