"""Preprocessing, label encodings and the generated data sets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurons_lab.training.data import (
    Preprocessor,
    encode_bits,
    encode_labels,
    one_hot,
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


# --- the 8-bit identity task ------------------------------------------------------------------


def test_encode_bits_is_the_tutorials_encoding():
    # least significant bit first, as the tutorial's Normalizer masks 0x1, 0x2, …, 0x80
    np.testing.assert_array_equal(encode_bits(6), [0.1, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1])
    np.testing.assert_array_equal(encode_bits(128), [0.1] * 7 + [0.9])
    assert encode_bits([0, 255]).tolist() == [[0.1] * 8, [0.9] * 8]
    with pytest.raises(ValueError, match="0…255"):
        encode_bits([256])


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
    assert not np.array_equal(classes, np.sort(classes))  # the arms are mixed


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
