"""`neurons knn`: the cs231n notes' k-nearest-neighbour baseline on MNIST (training/knn.py).
A fixed k scores the test set with every training image; ``--k auto`` first chooses k on a
validation split of the training images, and the output says which set chose what."""

import time

import numpy as np

from ..training import validate
from ..training.download import add_data_options
from ..training.errors import UsageError
from ..training.knn import DEFAULT_MEMORY_MB, DISTANCES, knn_neighbors, knn_predict, majority_vote
from ..training.options import checked, count_or
from ..training.prepare import FULL_MNIST_VALIDATION
from .evaluate import test_set

AUTO_KS = tuple(range(1, 11))  # the candidates of --k auto


def add_subcommands(subparsers):
    p = subparsers.add_parser(
        "knn", help="k-nearest neighbours on MNIST (a baseline with nothing to train)",
        description="Classify every MNIST test image by the k training images nearest to it "
                    "(majority vote; a tie goes to the class whose tied neighbours are "
                    "nearer in total, then to the smaller class). Reports the test accuracy "
                    "and the time.")
    add_data_options(p)
    p.add_argument("--k", default="3", metavar="K|auto",
                   help="neighbours that vote (default 3); auto: choose k in 1…10 on the "
                        "validation split, then score the test set once")
    p.add_argument("--distance", choices=DISTANCES, default="l2",
                   help="l1: Σ|a−b|, l2: √Σ(a−b)² (default l2)")
    p.add_argument("--memory-mb", type=float, default=DEFAULT_MEMORY_MB,
                   help=f"working memory for the distance blocks, MiB (default "
                        f"{DEFAULT_MEMORY_MB}; the images themselves not counted)")
    p.add_argument("--validation", type=int, metavar="N",
                   help="with --k auto: hold out the last N training images to choose k "
                        f"(default {FULL_MNIST_VALIDATION:,}, or a sixth of a smaller set)")
    p.add_argument("--train-limit", type=int, help="use only the first N training images")
    p.add_argument("--test-limit", type=int, help="use only the first N test images")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args):
    k = count_or(args.k, "--k", "auto", "neighbours")
    for name in ("train_limit", "validation"):
        if getattr(args, name) is not None:
            validate.integer(getattr(args, name), f"--{name.replace('_', '-')}", minimum=1)
    with checked("--memory-mb"):
        validate.real(args.memory_mb, "the memory budget", low=0, low_open=True)
    mnist, test_x, test_c = test_set(args)
    train_x = mnist.train_images[:args.train_limit]
    train_c = mnist.train_labels[:args.train_limit].astype(np.int64)
    search = dict(distance=args.distance, memory_mb=args.memory_mb,
                  progress=False if args.no_progress else None)
    print(f"mnist: {len(train_c):,} training and {len(test_c):,} test images; "
          f"{args.distance.upper()} distance, memory budget {args.memory_mb:g} MiB")
    if k is None:
        k = _choose_k(train_x, train_c, args.validation, search)
    if k > len(train_c):
        raise UsageError(f"--k {k}: more neighbours than training images ({len(train_c)})")
    start = time.perf_counter()
    errors = int(np.count_nonzero(knn_predict(train_x, train_c, test_x, k, **search) != test_c))
    print(f"  {k}-NN test accuracy {100 * (1 - errors / len(test_c)):.2f} % ({errors} errors "
          f"of {len(test_c):,}), neighbours among all {len(train_c):,} training images; "
          f"scored once; {time.perf_counter() - start:.1f} s")
    return 0


def _choose_k(train_x, train_c, held, search):
    """k in AUTO_KS with the fewest errors on the last ``held`` training images (default: a
    sixth of the set, at most FULL_MNIST_VALIDATION), neighbours among the others."""
    n = len(train_c)
    if held is None:
        held = min(FULL_MNIST_VALIDATION, n // 6)
        if held < 1:
            raise UsageError(f"--k auto: the training set ({n} images) is too small to hold out "
                             "a validation part for choosing k; give --k N, or more training "
                             "images")
    if held >= n - 1:
        raise UsageError(f"--validation {held}: the training set has {n} images; --k auto "
                         "needs a validation split and training images to search")
    keep = n - held
    top = min(max(AUTO_KS), keep)
    start = time.perf_counter()
    indices, distances = knn_neighbors(train_x[:keep], train_x[keep:], top, **search)
    labels, truth = train_c[:keep][indices], train_c[keep:]
    errors = {k: int(np.count_nonzero(majority_vote(labels[:, :k], distances[:, :k]) != truth))
              for k in AUTO_KS if k <= top}
    best = min(errors, key=lambda k: (errors[k], k))  # fewest errors, then the smaller k
    table = ", ".join(f"k={k}: {100 * e / held:.2f} %" for k, e in errors.items())
    print(f"  choosing k on the validation split (the last {held:,} training images, "
          f"neighbours among the first {keep:,}; {time.perf_counter() - start:.1f} s): "
          f"error {table}")
    print(f"  chose k={best} (validation error {100 * errors[best] / held:.2f} %)")
    return best
