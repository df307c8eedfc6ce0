"""Command-line options shared by the subcommands, and turning their text into checked values:
argparse keeps the syntax (its usage message, exit status 2); everything else is checked here,
before any work starts, as one :class:`UsageError` naming the option."""

import contextlib

from neurons import HIDDEN_ACTIVATIONS as ACTIVATIONS  # the names both packages share
from vectorized.spec import parse_layer_sizes

from . import validate
from .errors import UsageError
from .networks import BOTH, available_engines, build, memory_needed, supports_dtype


@contextlib.contextmanager
def checked(option):
    """Report a ValueError/TypeError of a validator as a UsageError naming ``option``."""
    try:
        yield
    except (ValueError, TypeError) as error:
        raise UsageError(f"{option}: {error}") from None


def count_or(text, option, word, what):
    """``--option N`` where N ≥ 1 or the one ``word`` (returned as None): "auto", "all"."""
    if text == word:
        return None
    try:
        n = int(text)
    except ValueError:
        raise UsageError(f"{option} {text!r}: give a number of {what} or {word!r}") from None
    if n < 1:
        raise UsageError(f"{option} must be at least 1 (or {word!r}), got {n}")
    return n


def parse_layers(text):
    """'784,300,10' → [784, 300, 10]; a CNN spec '1x28x28,conv20x5,pool2,100,10' →
    ["1x28x28", "conv20x5", "pool2", 100, 10] (checked entry by entry, docs/design.md)."""
    with checked("--layers"):
        validate.text(text, "--layers")
    parts = [part.strip() for part in text.split(",")]
    sizes = [int(part) if part.lstrip("+-").isdigit() else part for part in parts]
    if len(sizes) < 2:
        raise UsageError(f"--layers {text!r}: need at least two sizes, e.g. 784,300,10")
    with checked(f"--layers {text!r}"):
        parse_layer_sizes(sizes)  # one error naming the entry
    return sizes


def add_engine_option(p, default):
    p.add_argument("--impl", default=default, choices=available_engines() + ("both",),
                   help=f"engine: {', '.join(available_engines())}, or both = "
                        f"{' and '.join(BOTH)} in lockstep (default {default})")


def add_network_options(p, *, layers, rate=None):
    g = p.add_argument_group("network")
    g.add_argument("--layers", default=layers,
                   help=f"layer sizes (default {layers}), or a CNN: the input CxHxW, then "
                        "convNxK[sSpP], poolK, sizes, dropP, e.g. 1x28x28,conv20x5,pool2,100,10")
    g.add_argument("--activation", default="sigmoid",
                   help="hidden activation, or one per hidden layer separated by commas "
                        f"({', '.join(ACTIVATIONS)}; default sigmoid)")
    g.add_argument("--output", default="sigmoid",
                   help="output activation: any of the above or softmax (default sigmoid)")
    g.add_argument("--loss", default="mse", help="mse | cross_entropy | hinge (default mse)")
    g.add_argument("--init", default="uniform", help="uniform | xavier | he (default uniform)")
    g.add_argument("--l2", type=float, default=0.0, help="λ of the L2 penalty (default 0)")
    g.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    g.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                   help="float type of engines that have one (vectorized, fast)")
    if rate is not None:
        g.add_argument("--rate", type=float, default=rate, help=f"learning rate (default {rate})")


def network_config(args):
    """The Network keyword arguments of the parsed options (dtype only when not float64)."""
    with checked("--activation"):
        validate.text(args.activation, "--activation")
    activation = args.activation.split(",")  # one name, or one per hidden layer
    config = {
        "layer_sizes": parse_layers(args.layers),
        "activation": activation[0] if len(activation) == 1 else activation,
        "output": args.output, "loss": args.loss, "init": args.init,
        "l2": args.l2, "seed": args.seed,
    }
    if args.dtype != "float64":
        config["dtype"] = args.dtype
    return config


def build_networks(args, config):
    """{engine: Network} for ``--impl``, each checked to fit in memory before it is built;
    the constructor's refusal of a name or value becomes a UsageError."""
    names = BOTH if args.impl == "both" else (args.impl,)
    plain = [name for name in names if not supports_dtype(name)]
    if args.dtype != "float64" and plain:
        raise UsageError(f"--dtype {args.dtype}: the {plain[0]} engine computes in float64 "
                         "only; choose an engine with a dtype (vectorized, fast)")
    nets = {}
    for name in names:
        validate.fits_in_memory(memory_needed(name, config["layer_sizes"], args.dtype),
                                f"--layers {args.layers} with the {name} engine")
        with checked("network"):
            nets[name] = build(name, config)
    return nets
