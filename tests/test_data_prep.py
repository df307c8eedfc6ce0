"""Preprocessing, label encodings and the generated data sets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurons_lab.training.data import (
    Preprocessor,
    bits_dataset,
    decode_bits,
    encode_bits,
    encode_labels,
    one_hot,
    predicted_class,
    scale_pixels,
    spiral_dataset,
)

# --- scaling and mean subtraction -------------------------------------------------------------


def test_scale_pixels_maps_0_255_to_0_1():
    pixels = np.array([[0, 51, 255]], dtype=np.uint8)
    scaled = scale_pixels(pixels)
    assert scaled.dtype == np.float64 and scaled.shape == (1, 3)
    np.testing.assert_array_equal(scaled, [[0.0, 0.2, 1.0]])
    assert scale_pixels(pixels, np.float32).dtype == np.float32
    assert pixels.dtype == np.uint8  # the input is not changed


@pytest.mark.parametrize("bad", [np.array([0.5, 1.0]), np.array([3, 4]), [1, 2]])
def test_scale_pixels_refuses_anything_but_uint8(bad):
    with pytest.raises(TypeError, match="uint8"):
        scale_pixels(bad)


def test_preprocessor_uses_training_statistics_only():
    train = np.array([[0, 255], [255, 255], [0, 255], [255, 255]], dtype=np.uint8)  # mean .5, 1
    test = np.array([[255, 0]], dtype=np.uint8)
    prep = Preprocessor.fit(train)
    np.testing.assert_allclose(prep.mean, [0.5, 1.0])
    np.testing.assert_allclose(prep(test), [[0.5, -1.0]])  # the test set's own mean is ignored
    np.testing.assert_allclose(prep(train).mean(axis=0), [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(prep(test[0]), [0.5, -1.0])  # one image, shape (D,)


@settings(max_examples=30, deadline=None)
@given(
    train=hnp.arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 10))),
    seed=st.integers(0, 2**32 - 1),
)
def test_preprocessor_matches_the_float_formula(train, seed):
    batch = np.random.default_rng(seed).integers(0, 256, (5, train.shape[1]), dtype=np.uint8)
    expected = batch / 255.0 - (train / 255.0).mean(axis=0)
    np.testing.assert_allclose(Preprocessor.fit(train)(batch), expected, rtol=0, atol=1e-14)


def test_preprocessor_without_centering_only_scales():
    prep = Preprocessor.fit(np.full((3, 2), 200, np.uint8), center=False, dtype=np.float32)
    assert prep.mean is None
    out = prep(np.array([[255, 0]], np.uint8))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1.0, 0.0]])


def test_preprocessor_checks_its_input():
    prep = Preprocessor.fit(np.zeros((2, 4), np.uint8))
    with pytest.raises(ValueError, match=r"\(B, 4\).*got \(2, 3\)"):
        prep(np.zeros((2, 3), np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        prep(np.zeros((2, 4)))
    with pytest.raises(TypeError, match="uint8"):
        Preprocessor.fit(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="N ≥ 1"):
        Preprocessor.fit(np.zeros((0, 4), np.uint8))


# --- labels -----------------------------------------------------------------------------------


def test_encode_labels_one_hot_and_tutorial_encoding():
    labels = np.array([3, 0, 9], dtype=np.uint8)
    hot = encode_labels(labels)
    assert hot.shape == (3, 10) and hot.dtype == np.float64
    np.testing.assert_array_equal(hot, np.eye(10)[[3, 0, 9]])
    np.testing.assert_array_equal(one_hot(labels), hot)
    tutorial = encode_labels(labels, 10, on=0.9, off=0.1)
    np.testing.assert_array_equal(tutorial, np.where(np.eye(10)[[3, 0, 9]] == 1, 0.9, 0.1))
    np.testing.assert_array_equal(encode_labels(2, 4), [0, 0, 1, 0])  # one label → one vector
    assert encode_labels([], 3).shape == (0, 3)


@settings(max_examples=50, deadline=None)
@given(
    n_classes=st.integers(1, 12),
    data=st.data(),
)
def test_predicted_class_inverts_encode_labels(n_classes, data):
    classes = data.draw(st.lists(st.integers(0, n_classes - 1), min_size=1, max_size=20))
    targets = encode_labels(classes, n_classes, on=0.9, off=0.1)
    np.testing.assert_array_equal(predicted_class(targets), classes)
    assert predicted_class(list(targets[0])) == classes[0]
    assert isinstance(predicted_class(targets[0]), int)


@pytest.mark.parametrize(
    "classes, n_classes, error, message",
    [
        ([0, 10], 10, ValueError, r"class index 10 \(at position 1\) is outside 0…9"),
        ([-1], 10, ValueError, "class index -1"),
        ([0.0, 1.0], 10, TypeError, "integer class indices"),
        ([True], 10, TypeError, "integer class indices"),
        ([[1, 2]], 10, ValueError, "1-D"),
        ([1], 0, ValueError, "n_classes must be at least 1"),
    ],
)
def test_encode_labels_rejects_bad_input(classes, n_classes, error, message):
    with pytest.raises(error, match=message):
        encode_labels(classes, n_classes)


def test_predicted_class_takes_the_first_of_ties_and_refuses_nan():
    assert predicted_class([0.2, 0.7, 0.7]) == 1
    with pytest.raises(ValueError, match="non-finite value nan at index"):
        predicted_class([[0.1, 0.2], [np.nan, 0.0]])
    with pytest.raises(ValueError, match="shape"):
        predicted_class([])


# --- the 8-bit identity task ------------------------------------------------------------------


def test_bits_dataset_holds_all_256_numbers_in_the_tutorial_encoding():
    inputs, targets = bits_dataset()
    assert inputs.shape == targets.shape == (256, 8)
    assert inputs.dtype == targets.dtype == np.float64
    np.testing.assert_array_equal(inputs, targets)
    assert inputs is not targets
    assert set(np.unique(inputs)) == {0.1, 0.9}
    np.testing.assert_array_equal(decode_bits(inputs), np.arange(256))
    # least significant bit first, as the tutorial's Normalizer masks 0x1, 0x2, …, 0x80
    np.testing.assert_array_equal(inputs[6], [0.1, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1])
    np.testing.assert_array_equal(encode_bits(128), [0.1] * 7 + [0.9])


def test_bits_dataset_draws_are_seeded():
    a, _ = bits_dataset(32, seed=7)
    b, _ = bits_dataset(32, seed=7)
    c, _ = bits_dataset(32, seed=8)
    assert a.shape == (32, 8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert bits_dataset(0)[0].shape == (0, 8)


@given(st.integers(0, 255))
def test_bits_round_trip(number):
    assert decode_bits(encode_bits(number)) == number
    assert decode_bits(encode_bits(number, on=1.0, off=0.0), on=1.0, off=0.0) == number


def test_bits_reject_bad_input():
    with pytest.raises(ValueError, match="0…255"):
        encode_bits([256])
    with pytest.raises(ValueError, match="count must be at least 0"):
        bits_dataset(-1)
    with pytest.raises(ValueError, match=r"\(8,\)"):
        decode_bits([0.9, 0.1])


# --- the spiral -------------------------------------------------------------------------------


def test_spiral_shapes_classes_and_determinism():
    points, classes = spiral_dataset(50, 4, seed=3)
    assert points.shape == (200, 2) and points.dtype == np.float64
    assert classes.shape == (200,) and classes.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(classes), [50] * 4)
    assert np.all(np.hypot(points[:, 0], points[:, 1]) <= 1.0 + 1e-12)
    again = spiral_dataset(50, 4, seed=3)
    np.testing.assert_array_equal(points, again[0])
    np.testing.assert_array_equal(classes, again[1])
    assert not np.array_equal(points, spiral_dataset(50, 4, seed=4)[0])
    ordered = spiral_dataset(50, 4, seed=3, shuffle=False)[1]
    np.testing.assert_array_equal(ordered, np.repeat(np.arange(4), 50))
    assert not np.array_equal(classes, ordered)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"points_per_class": 0}, ValueError),
        ({"n_classes": 1}, ValueError),
        ({"noise": -0.1}, ValueError),
        ({"noise": float("nan")}, ValueError),
        ({"points_per_class": 2.5}, TypeError),
    ],
)
def test_spiral_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        spiral_dataset(**kwargs)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _train_accuracy(points, classes, hidden, steps=1500, rate=1.0):
    """Full-batch gradient descent on softmax + cross-entropy, no hidden layer if hidden=0."""
    rng = np.random.default_rng(0)
    n_classes = classes.max() + 1
    targets = one_hot(classes, n_classes)
    W1, b1 = rng.standard_normal((2, hidden)), np.zeros(hidden)
    W2 = rng.standard_normal((hidden or 2, n_classes)) * 0.1
    b2 = np.zeros(n_classes)

    def features(x):
        return np.tanh(x @ W1 + b1) if hidden else x

    for _ in range(steps):
        a = features(points)
        g = (_softmax(a @ W2 + b2) - targets) / len(points)  # ∂E/∂net of the output
        if hidden:
            da = g @ W2.T * (1 - a**2)
            W1 -= rate * points.T @ da
            b1 -= rate * da.sum(axis=0)
        W2 -= rate * a.T @ g
        b2 -= rate * g.sum(axis=0)
    return np.mean(np.argmax(features(points) @ W2 + b2, axis=1) == classes)


def test_spiral_defeats_a_linear_model_but_not_one_hidden_layer():
    points, classes = spiral_dataset(100, 3, seed=0)
    assert _train_accuracy(points, classes, hidden=0) < 0.65
    assert _train_accuracy(points, classes, hidden=50) > 0.95
