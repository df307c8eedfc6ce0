"""Data augmentation by 1-pixel shifts (``--augment shift``): the CNN article's (seed 001)
step from 99.23 % to 99.37 %, training on every image and its four copies moved one pixel
up, down, left and right, five times the data.

A shift moves the picture and fills the row or column it vacates with 0 (black)::

    up      out[y, x] = in[y + 1, x]    last row 0
    down    out[y, x] = in[y − 1, x]    first row 0
    left    out[y, x] = in[y, x + 1]    last column 0
    right   out[y, x] = in[y, x − 1]    first column 0

**Order of the copies**: copy-major. Row ``c·N + i`` of the augmented set
is image i in copy c, with c = 0 original, 1 up, 2 down, 3 left, 4 right (:data:`COPIES`);
the first N rows are the original set unchanged and the labels are the original labels
repeated five times (``np.tile``). The trainer shuffles every epoch (a permutation of all
5N rows from its seeded Generator), so the order only fixes what a row number means.

:func:`shift_augment` stores the 5N images, uint8 all the way (60,000 MNIST images →
300,000, 235 MB; a float64 copy would be 1.9 GB). Hand the result to the Trainer as its
features and classes; nothing else changes.

Augment the training part only, after carving out the validation set: shifted copies of a
validation image in the training set would make the validation figures too good.
"""

import numpy as np

COPIES = ("original", "up", "down", "left", "right")


def _as_images(images, image_shape):
    """(N, H, W) view of ``images`` ((N, H, W) or flattened (N, H·W) with image_shape)."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"images must be uint8 pixels (augment before scaling to floats), "
                        f"got dtype {images.dtype}")
    if images.ndim == 3:
        if image_shape is not None and tuple(image_shape) != images.shape[1:]:
            raise ValueError(f"image_shape {tuple(image_shape)} does not match images of shape "
                             f"{images.shape[1:]}")
        return images
    if images.ndim != 2:
        raise ValueError(f"images must have shape (N, H, W) or (N, H·W), got {images.shape}")
    if image_shape is None:
        raise ValueError("flattened images (N, H·W) need image_shape=(H, W) to be shifted")
    rows, cols = (int(v) for v in image_shape)
    if rows < 1 or cols < 1 or rows * cols != images.shape[1]:
        raise ValueError(f"image_shape {tuple(image_shape)} does not hold {images.shape[1]} "
                         "pixels per image")
    return images.reshape(len(images), rows, cols)


def shift(images, direction, image_shape=None):
    """Every image moved one pixel in ``direction`` ("up", "down", "left", "right"; "original"
    returns a copy), vacated pixels 0. uint8 in, uint8 out, same shape as given."""
    if direction not in COPIES:
        raise ValueError(f"unknown direction {direction!r}; choose one of {', '.join(COPIES)}")
    given = np.asarray(images)
    x = _as_images(given, image_shape)
    out = np.zeros_like(x)
    if direction == "original":
        out[...] = x
    elif direction == "up":
        out[:, :-1, :] = x[:, 1:, :]
    elif direction == "down":
        out[:, 1:, :] = x[:, :-1, :]
    elif direction == "left":
        out[:, :, :-1] = x[:, :, 1:]
    else:  # right
        out[:, :, 1:] = x[:, :, :-1]
    return out.reshape(given.shape)


def shift_augment(images, labels, image_shape=None):
    """The original images and their four 1-pixel shifts, stored: (5N, …) uint8, (5N,) labels.

    images: uint8 (N, H, W), or (N, H·W) with image_shape=(H, W); the result has the same
    layout. labels: (N,), repeated five times. Row c·N + i is image i in copy COPIES[c].
    """
    given = np.asarray(images)
    labels = np.asarray(labels)
    x = _as_images(given, image_shape)
    if labels.ndim != 1 or len(labels) != len(x):
        raise ValueError(f"labels must have shape ({len(x)},), one per image, got "
                         f"{labels.shape}")
    out = np.concatenate([shift(x, c) for c in COPIES])
    return out.reshape((5 * len(x),) + given.shape[1:]), np.tile(labels, 5)
