"""The data of `neurons train`: load or generate a data set, limit it, choose the validation
split, and make the ``transform`` and ``encode`` the Trainer applies batch by batch."""

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from . import data as datasets
from .augment import shift_augment
from .data_options import mnist_directory
from .errors import UsageError

# The CNN article's split of the full training set: the last 10,000 of 60,000 validate.
FULL_MNIST, FULL_MNIST_VALIDATION = 60_000, 10_000


@dataclass
class Prepared:
    """A data set ready for the Trainer: features stay in their stored dtype until
    ``transform`` makes floats of a batch; ``encode`` makes target vectors of class indices.
    The Trainer holds out the last ``validation`` training samples."""

    name: str
    train_x: np.ndarray
    train_c: np.ndarray
    test_x: np.ndarray
    test_c: np.ndarray
    transform: Callable
    encode: Callable
    n_in: int
    n_classes: int
    validation: int
    recipe: dict
    # With --augment the split is made here, before the training part is augmented: the
    # validation set is given to the Trainer explicitly and ``validation`` is 0.
    validation_x: Optional[np.ndarray] = None
    validation_c: Optional[np.ndarray] = None
    # What `neurons evaluate` needs to see test images as training did: {"mean": [D floats]}
    # with --center (the mean image, so scoring does not depend on the data it is given).
    preprocessing: dict = field(default_factory=dict)

    @property
    def n_validation(self):
        return self.validation if self.validation_c is None else len(self.validation_c)


def label_coding(args):
    return args.labels or ("onehot" if args.output == "softmax" else "tutorial")


def _encoder(n_classes, coding):
    on, off = (0.9, 0.1) if coding == "tutorial" else (1.0, 0.0)
    return lambda classes: datasets.encode_labels(classes, n_classes, on=on, off=off)


def _as_float(rows):
    return np.asarray(rows, dtype=np.float64)


def prepare(args):
    """Load or generate the chosen data set (DataError/UsageError on anything wrong)."""
    coding = label_coding(args)
    if args.dataset == "bits":
        # The tutorial's 8-3-8 task on the numbers 1, 2, 4, …, 128: class k is bit k, and its
        # 0.9/0.1 target vector is the input itself.
        x = datasets.encode_bits([1 << k for k in range(8)])
        c = np.arange(8)
        name, train, test, transform = "bits", (x, c), (x, c), _as_float
        coding, n_in, n_classes = "tutorial", 8, 8
    elif args.dataset == "spiral":
        name, transform, n_in, n_classes = "spiral", _as_float, 2, 3
        train, test = datasets.spiral_dataset(100, 3, seed=0), datasets.spiral_dataset(100, 3,
                                                                                        seed=1)
    else:
        mnist = datasets.load_mnist(_mnist_directory(args))
        name, n_in, n_classes = "mnist", mnist.train_images.shape[1], datasets.N_CLASSES
        train, test = (mnist.train_images, mnist.train_labels), (mnist.test_images,
                                                                 mnist.test_labels)
    train_x, train_c = train[0][:args.train_limit], np.asarray(train[1][:args.train_limit],
                                                               dtype=np.int64)
    test_x, test_c = test[0][:args.test_limit], np.asarray(test[1][:args.test_limit],
                                                           dtype=np.int64)
    validation = args.validation
    if validation is None:
        validation = FULL_MNIST_VALIDATION if name == "mnist" and len(train_c) == FULL_MNIST \
            else 0
    if validation >= len(train_c):
        raise UsageError(f"--validation {validation}: the {name} training set has only "
                         f"{len(train_c)} samples")
    if name == "mnist":  # the mean image of the samples trained on, never of the held-out ones
        transform = datasets.Preprocessor.fit(train_x[:len(train_x) - validation],
                                              center=args.center)
    recipe = {"dataset": name, "labels": coding, "center": bool(args.center)}
    prepared = Prepared(name, train_x, train_c, test_x, test_c, transform,
                        _encoder(n_classes, coding), n_in, n_classes, validation, recipe)
    if name == "mnist" and transform.mean is not None:
        prepared.preprocessing["mean"] = transform.mean.tolist()  # exact in JSON (repr)
    augment = getattr(args, "augment", None)
    return prepared if augment is None else _augmented(prepared, augment)


def _augmented(data, augment):
    """The training part (after the validation split) and its four 1-pixel shifts, uint8."""
    if augment != "shift":
        raise UsageError(f"--augment {augment!r}: the only augmentation is 'shift'")
    side = int(round(data.n_in ** 0.5))
    if data.name != "mnist" or side * side != data.n_in:
        raise UsageError(f"--augment shift needs square images (MNIST), not the {data.name} "
                         "data set")
    keep = len(data.train_c) - data.validation
    if data.validation:
        data.validation_x = data.train_x[keep:]
        data.validation_c = data.train_c[keep:]
    data.train_x, data.train_c = shift_augment(data.train_x[:keep], data.train_c[:keep],
                                               image_shape=(side, side))
    data.validation = 0
    data.recipe["augment"] = augment
    return data


def _mnist_directory(args):
    quiet = getattr(args, "no_progress", False)
    return mnist_directory(args, "train", progress=False if quiet else None)
