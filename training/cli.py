"""The `neurons` command line: demo, train, gradcheck.

Every failure the user can cause (missing data, corrupt files, bad layer strings, unknown
names, unreadable checkpoints) ends as one line on stderr and a non-zero exit, never a
traceback.
"""

import argparse
import os
import sys

from neurons import HIDDEN_ACTIVATIONS as ACTIVATIONS  # the names both packages share
from training.networks import IMPLEMENTATIONS


class UsageError(ValueError):
    """A command-line value that cannot be used."""


def parse_layers(text):
    """'784,300,10' → [784, 300, 10]."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--layers {text!r}: give sizes as integers separated by commas, "
                         "e.g. 784,300,10") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise UsageError(f"--layers {text!r}: need at least two sizes, each at least 1")
    return sizes


def parse_activation(text):
    """'relu' or 'relu,tanh' (one per hidden layer)."""
    names = text.split(",")
    return names[0] if len(names) == 1 else names


def add_network_options(p, *, layers, rate=None):
    g = p.add_argument_group("network")
    g.add_argument("--layers", default=layers, help=f"layer sizes (default {layers})")
    g.add_argument("--activation", default="sigmoid",
                   help="hidden activation, or one per hidden layer separated by commas "
                        f"({', '.join(ACTIVATIONS)}; default sigmoid)")
    g.add_argument("--output", default="sigmoid",
                   help="output activation: any of the above or softmax (default sigmoid)")
    g.add_argument("--loss", default="mse", help="mse | cross_entropy | hinge (default mse)")
    g.add_argument("--init", default="uniform", help="uniform | xavier | he (default uniform)")
    g.add_argument("--l2", type=float, default=0.0, help="λ of the L2 penalty (default 0)")
    g.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    if rate is not None:
        g.add_argument("--rate", type=float, default=rate, help=f"learning rate (default {rate})")


def network_config(args):
    return {
        "layer_sizes": parse_layers(args.layers),
        "activation": parse_activation(args.activation),
        "output": args.output, "loss": args.loss, "init": args.init,
        "l2": args.l2, "seed": args.seed,
    }


def make_parser():
    parser = argparse.ArgumentParser(
        prog="neurons",
        description="Backpropagation built twice — an object graph and matrices — "
                    "trained, compared and checked.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="train both implementations side by side (under a minute)",
                          description="Train both implementations on built-in data sets, show "
                                      "that they agree, and how much faster the matrices are.")
    demo.add_argument("--quick", action="store_true", help="fewer epochs, for smoke tests")

    train = sub.add_parser("train", help="train a network on bits, spiral or MNIST",
                           description="Train either implementation, or both in lockstep.")
    train.add_argument("--impl", default="vectorized", choices=IMPLEMENTATIONS + ("both",))
    train.add_argument("--dataset", default="mnist", choices=("bits", "spiral", "mnist"))
    src = train.add_mutually_exclusive_group()
    src.add_argument("--data-dir", help="directory with the four MNIST idx files (.gz or raw)")
    src.add_argument("--download", action="store_true",
                     help="download MNIST (checksums verified) into --cache-dir")
    train.add_argument("--cache-dir", help="download cache (default ~/.cache/neurons/mnist)")
    add_network_options(train, layers="784,300,10", rate=0.3)
    t = train.add_argument_group("training")
    t.add_argument("--epochs", type=int, default=10)
    t.add_argument("--batch-size", type=int, default=1)
    t.add_argument("--labels", choices=("tutorial", "onehot"), default=None,
                   help="target coding: tutorial = 0.9/0.1, onehot = 1/0 "
                        "(default: onehot for softmax, tutorial otherwise)")
    t.add_argument("--center", action="store_true",
                   help="subtract the training set's mean pixel (MNIST)")
    t.add_argument("--no-shuffle", action="store_true", help="keep the data's order")
    t.add_argument("--shuffle-seed", type=int, default=0)
    t.add_argument("--eval-every", type=int, default=1, help="evaluate every N epochs")
    t.add_argument("--patience", type=int, default=None,
                   help="early stop after N evaluations without a better error rate "
                        "(0 = the tutorial's rule: stop as soon as it rises)")
    t.add_argument("--train-limit", type=int, help="use only the first N training samples")
    t.add_argument("--test-limit", type=int, help="use only the first N test samples")
    t.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                   help="vectorized only")
    t.add_argument("--checkpoint-dir", help="save a checkpoint here")
    t.add_argument("--checkpoint-every", type=int, default=1, help="epochs between checkpoints")
    t.add_argument("--resume", action="store_true", help="continue from --checkpoint-dir")
    t.add_argument("--history", help="save the history as .csv or .json")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")

    gc = sub.add_parser("gradcheck", help="compare backprop with central differences (式6)",
                        description="Numerical gradient check on a small network: prints the "
                                    "worst relative error per layer.")
    gc.add_argument("--impl", default="both", choices=IMPLEMENTATIONS + ("both",))
    add_network_options(gc, layers="4,5,3")
    gc.add_argument("--eps", type=float, default=1e-5, help="finite-difference step")
    gc.add_argument("--sample-seed", type=int, default=1, help="seed of the random sample")
    from explain.cli import add_subcommands  # explain, draw, plot
    add_subcommands(sub)
    return parser


def main(argv=None):
    parser = make_parser()
    args = parser.parse_args(argv)
    from training.data import DataError

    try:
        from training.checkpoint import CheckpointError
    except ImportError:  # pragma: no cover - the checkpoint module is always shipped
        CheckpointError = ValueError
    try:
        if args.command == "demo":
            from training.demo import run_demo
            return run_demo(quick=args.quick)
        if args.command == "gradcheck":
            return run_gradcheck(args)
        if hasattr(args, "run"):  # explain, draw, plot (explain/cli.py)
            return args.run(args)
        from training.run import run_train
        return run_train(args)
    except BrokenPipeError:  # the reader went away (e.g. `neurons demo | head`): nothing to say
        sys.stdout = open(os.devnull, "w")  # keeps the final flush quiet
        return 1
    except (UsageError, DataError, CheckpointError, ValueError, TypeError, OSError) as error:
        print(f"neurons {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"neurons {args.command}: interrupted", file=sys.stderr)
        return 130


def run_gradcheck(args):
    import random

    from training.gradcheck import check_gradient
    from training.networks import build

    config = network_config(args)
    impls = IMPLEMENTATIONS if args.impl == "both" else (args.impl,)
    rng = random.Random(args.sample_seed)
    sizes = config["layer_sizes"]
    sample = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    if config["loss"] == "cross_entropy":
        label = [0.0] * sizes[-1]
        label[rng.randrange(sizes[-1])] = 1.0
    else:
        label = [rng.uniform(0, 1) for _ in range(sizes[-1])]
    worst = 0.0
    for impl in impls:
        net = build(impl, config)
        print(f"{impl}: {net!r}")
        for r in check_gradient(net, label, sample, eps=args.eps):
            print(f"  layer {r.layer}: worst relative error  W {r.worst_weight:.2e}"
                  f"   b {r.worst_bias:.2e}")
            worst = max(worst, r.worst)
    verdict = "agree" if worst < 1e-6 else "DISAGREE"
    print(f"backprop and central differences {verdict} (worst {worst:.2e}, threshold 1e-6)")
    return 0 if worst < 1e-6 else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
