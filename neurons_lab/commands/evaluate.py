"""`neurons evaluate` (one saved network on the test set: accuracy, per-digit accuracy, the
confusion matrix, optionally a picture of its most confident mistakes) and `neurons vote`
(several saved networks, majority vote). Each network gets the preprocessing of its own run,
read from its checkpoint (training/saved.py)."""

import io
import math
from pathlib import Path

import numpy as np

from ..explain.plots import MatplotlibMissing, pyplot
from ..training import mnist as datasets
from ..training import validate
from ..training.download import add_data_options, mnist_directory
from ..training.errors import CheckpointError, UsageError
from ..training.files import atomic_write
from ..training.networks import available_engines
from ..training.saved import load_saved
from ..training.scoring import confident_mistakes, network_outputs, score, vote, vote_anatomy


def add_subcommands(subparsers):
    ev = subparsers.add_parser(
        "evaluate", help="score a saved network on the MNIST test set",
        description="Test accuracy, per-digit accuracy and the confusion matrix of a "
                    "checkpoint, with the preprocessing its run used (--center is read from "
                    "the checkpoint).")
    ev.add_argument("checkpoint", metavar="CHECKPOINT",
                    help="a checkpoint folder (its latest) or an epoch-NNNN.json / best.json")
    _data_options(ev)
    ev.add_argument("--mistakes", metavar="OUT.png",
                    help="draw the most confident mistakes (needs matplotlib: the plot extra)")
    ev.add_argument("--count", type=int, default=24, help="mistakes to draw (default 24)")
    ev.set_defaults(handler=run_evaluate)
    vo = subparsers.add_parser(
        "vote", help="majority vote of several saved networks on the MNIST test set",
        description="Each network votes for its class; the most votes win, a tie goes to the "
                    "tied class with the highest mean output, then to the smaller class.")
    vo.add_argument("checkpoints", metavar="CHECKPOINT", nargs="+",
                    help="two or more checkpoint folders or epoch-NNNN.json files")
    _data_options(vo)
    vo.set_defaults(handler=run_vote)


def _data_options(p):
    add_data_options(p)
    p.add_argument("--impl", choices=available_engines(), default=None,
                   help="engine to run the saved parameters in (default: the checkpoint's)")
    p.add_argument("--test-limit", type=int, help="score only the first N test images")


def test_set(args):
    """(MNIST, the first --test-limit test images, their classes as int64)."""
    if args.test_limit is not None:
        validate.integer(args.test_limit, "--test-limit", minimum=1)
    args.mnist_dir = mnist_directory(args, args.command)
    mnist = datasets.load_mnist(args.mnist_dir)
    return mnist, mnist.test_images[:args.test_limit], \
        mnist.test_labels[:args.test_limit].astype(np.int64)


def _saved(path, args, mnist):
    """The saved network at ``path`` with its run's preprocessing, announced in one line."""
    source = f"--data-dir {args.data_dir}" if args.data_dir else f"--download ({args.mnist_dir})"
    saved = load_saved(path, impl=args.impl, train_images=mnist.train_images,
                       train_labels=mnist.train_labels, n_inputs=mnist.train_images.shape[1],
                       source=source)
    n_out = saved.net.layer_sizes[-1]
    if n_out != datasets.N_CLASSES:
        raise CheckpointError(f"{saved.path}: the network has {n_out} outputs, MNIST has "
                              f"{datasets.N_CLASSES} classes")
    prep = "pixels scaled to [0, 1]"
    if saved.transform.mean is not None:
        prep += ", centred on the mean training image"
    if saved.recipe.get("augment"):
        prep += f"; trained with --augment {saved.recipe['augment']}"
    print(f"{saved.path} (epoch {saved.epoch}, run in {saved.engine}; {prep})")
    return saved


def run_evaluate(args):
    validate.integer(args.count, "--count", minimum=1)
    if args.mistakes is not None:
        validate.output_file(args.mistakes, "--mistakes", (".png", ".svg", ".pdf"))
        try:
            pyplot()  # matplotlib is there: checked before any work
        except MatplotlibMissing:
            raise UsageError("--mistakes draws with matplotlib: pip install 'neurons-lab[plot]' "
                             "(or pip install matplotlib)") from None
    mnist, images, classes = test_set(args)
    saved = _saved(args.checkpoint, args, mnist)
    result = score(network_outputs(saved.net, images, transform=saved.transform), classes)
    errors = int(np.count_nonzero(result.predicted != classes))
    print(f"test accuracy {100 * result.accuracy:.2f} % ({errors} errors of {len(classes):,} "
          "test images)")
    print("per-digit accuracy:")
    for digit, value in enumerate(result.per_class):
        shown = "   —   " if np.isnan(value) else f"{100 * value:6.2f} %"
        print(f"  {digit}: {shown} of {int(result.confusion[digit].sum()):,}")
    print("confusion matrix (rows: true digit, columns: predicted digit):")
    print("true" + "".join(f"{c:>6}" for c in range(len(result.confusion))))
    for digit, row in enumerate(result.confusion):
        print(f"{digit:>4}" + "".join(f"{v:>6}" for v in row))
    if args.mistakes is not None:
        out = plot_mistakes(images, classes, result.outputs, args.mistakes, args.count)
        print(f"the {min(args.count, errors)} most confident mistakes drawn in {out}")
    return 0


def plot_mistakes(images, true, outputs, out, count):
    """Draw the ``count`` wrongly classified images with the highest output for the class the
    network chose (confident_mistakes), each titled "true → predicted (output)", atomically
    into ``out``. images: uint8 (N, H·W) with square images; true (N,); outputs (N, C)."""
    plt = pyplot()
    side = int(round(math.sqrt(images.shape[1])))
    if side * side != images.shape[1]:
        raise UsageError(f"--mistakes draws square images; these have {images.shape[1]} pixels")
    worst = confident_mistakes(outputs, true)[:count]
    columns = 8
    rows = max(1, math.ceil(len(worst) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.4 * columns, 1.65 * rows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), worst):
        guess = int(np.argmax(outputs[index]))
        ax.imshow(images[index].reshape(side, side), cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"{int(true[index])}→{guess} ({outputs[index, guess]:.2f})\n#{index}",
                     fontsize=8)
    if not len(worst):
        axes[0, 0].text(0, 0.5, "no mistakes", fontsize=10)
    fig.suptitle("most confident mistakes: true → predicted (output), test image #",
                 fontsize=9)
    fig.tight_layout()
    picture = io.BytesIO()  # drawn whole, then written atomically: never half a file
    fig.savefig(picture, dpi=100, format=Path(out).suffix.lstrip(".").lower() or "png")
    plt.close(fig)
    return atomic_write(out, picture.getvalue())


def run_vote(args):
    if len(args.checkpoints) < 2:
        raise UsageError("vote needs at least two checkpoints")
    mnist, images, classes = test_set(args)
    outputs = []
    for path in args.checkpoints:
        saved = _saved(path, args, mnist)
        outputs.append(network_outputs(saved.net, images, transform=saved.transform))
        correct = np.mean(np.argmax(outputs[-1], axis=1) == classes)
        print(f"  alone: test accuracy {100 * correct:.2f} %")
    predicted = vote(outputs)
    errors = int(np.count_nonzero(predicted != classes))
    print(f"majority vote of {len(outputs)} networks: test accuracy "
          f"{100 * (1 - errors / len(classes)):.2f} % ({errors} errors of {len(classes):,} "
          "test images)")
    parts = vote_anatomy(outputs, predicted, classes)
    print(f"  the networks disagree on {parts.disagree:,} images; all of them are wrong on "
          f"{parts.all_wrong:,} (no vote can be right there)")
    print(f"  against the best network alone (the {ordinal(parts.best + 1)}, "
          f"{parts.best_errors:,} errors): the vote is right on {parts.fixed:,} of its errors "
          f"and wrong on {parts.broken:,} images it has right")
    return 0


def ordinal(n):
    """1 → '1st', 2 → '2nd', 11 → '11th' (the member's place on the command line)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
