"""The data of `neurons train`: load or generate a data set, limit it, choose the validation
split, and make the ``transform`` and ``encode`` the Trainer applies batch by batch."""

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from . import data as datasets
from .download import mnist_directory
from .errors import UsageError
from .mnist import N_CLASSES, load_mnist
from .scoring import as_float64

# The CNN article's split of the full training set: the last 10,000 of 60,000 validate.
FULL_MNIST, FULL_MNIST_VALIDATION = 60_000, 10_000


@dataclass
class Prepared:
    """A data set ready for the Trainer: features stay in their stored dtype until
    ``transform`` makes floats of a batch; ``encode`` makes target vectors of class indices.
    The Trainer holds out the last ``validation`` training samples, or, with --augment (split
    before the training part is augmented), is given ``validation_x``/``validation_c``.
    ``preprocessing``: what `neurons evaluate` needs to see test images as training did
    ({"mean": [D floats]} with --center)."""

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
    validation_x: Optional[np.ndarray] = None
    validation_c: Optional[np.ndarray] = None
    preprocessing: dict = field(default_factory=dict)

    @property
    def n_validation(self):
        return self.validation if self.validation_c is None else len(self.validation_c)


def prepare(args):
    """Load or generate the chosen data set (DataError/UsageError on anything wrong)."""
    name, transform = args.dataset, as_float64
    coding = args.labels or ("onehot" if args.output == "softmax" else "tutorial")
    if name == "bits":
        # The tutorial's 8-3-8 task on the numbers 1, 2, 4, …, 128: class k is bit k, and its
        # 0.9/0.1 target vector is the input itself.
        train = test = (datasets.encode_bits([1 << k for k in range(8)]), np.arange(8))
        coding, n_in, n_classes = "tutorial", 8, 8
    elif name == "spiral":
        train, test = (datasets.spiral_dataset(100, 3, seed=seed) for seed in (0, 1))
        n_in, n_classes = 2, 3
    else:
        mnist = load_mnist(mnist_directory(args, "train",
                                           progress=False if args.no_progress else None))
        train = mnist.train_images, mnist.train_labels
        test = mnist.test_images, mnist.test_labels
        n_in, n_classes = mnist.train_images.shape[1], N_CLASSES
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
    keep = len(train_c) - validation
    if name == "mnist":  # the mean image of the samples trained on, never of the held-out ones
        transform = datasets.Preprocessor.fit(train_x[:keep], center=args.center)
    on, off = (0.9, 0.1) if coding == "tutorial" else (1.0, 0.0)
    data = Prepared(name, train_x, train_c, test_x, test_c, transform,
                    lambda classes: datasets.encode_labels(classes, n_classes, on=on, off=off),
                    n_in, n_classes, validation,
                    {"dataset": name, "labels": coding, "center": bool(args.center)})
    if name == "mnist" and transform.mean is not None:
        data.preprocessing["mean"] = transform.mean.tolist()  # exact in JSON (repr)
    if args.augment is not None:  # "shift": the training part and its 4 1-pixel shifts, uint8
        side = int(round(n_in ** 0.5))
        if name != "mnist" or side * side != n_in:
            raise UsageError(f"--augment shift needs square images (MNIST), not the {name} "
                             "data set")
        if validation:
            data.validation_x, data.validation_c = train_x[keep:], train_c[keep:]
        data.train_x, data.train_c = datasets.shift_augment(train_x[:keep], train_c[:keep],
                                                            image_shape=(side, side))
        data.validation = 0
        data.recipe["augment"] = args.augment
    return data
