"""`neurons check`: compare the user's own implementation with the reference."""

import argparse

from ..check import SYNTAX, check, load
from ..check.candidates import CheckError
from ..check.cases import CASES
from ..training.errors import UsageError

EXIT_DIFFER = 4  # as gradcheck: the numbers disagree

EPILOG = """\
targets:
  mymodule:MyNet            a class with the project's API: MyNet(layer_sizes, activation=...,
                            output=..., loss=..., l2=...), set_parameters, predict, get_gradient
                            (and, when it has them, parameters, loss, calc_delta with
                            layers[k].delta, train_one_sample, train); cases its constructor
                            refuses (ValueError, NotImplementedError, a missing keyword) are skipped
  mymodule:forward,backward forward(params, X) -> Y and backward(params, X, T) -> [(dW, db), ...]
                            on NumPy arrays, one sample per row, W shaped (out, in); the gradient of
                            a batch is the mean over its rows (+ l2*W); settings from the options
  mymodule:model            a torch.nn.Module (an instance, or a class built with no arguments)
  path/to/file.py:NAME      the same, from a file
exit status: 0 all agree, 4 a difference (the first one is named), 1 bad input."""


def add_subcommands(subparsers):
    parser = subparsers.add_parser(
        "check", help="compare your own backprop with the reference, name the first difference",
        description="Draws seeded networks, loads the same weights into the reference and\n"
                    "your implementation, and compares outputs, loss, each layer's δ, gradients\n"
                    "and the parameters after a few steps (one sample and mini-batches). Stops\n"
                    "at the first difference and names the usual mistake when the numbers fit.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", metavar="TARGET", help=SYNTAX)
    parser.add_argument("--cases", type=int, default=CASES,
                        help=f"networks to draw (default {CASES}: each theme once)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    parser.add_argument("--layers", help="keep this network in every case, e.g. 4,5,3 or "
                                         "1x6x6,conv2x3,pool2,4,3")
    parser.add_argument("--activation", help="keep this hidden activation (or a,b,… per layer)")
    parser.add_argument("--output", help="keep this output activation")
    parser.add_argument("--loss", help="keep this loss: mse, cross_entropy or hinge")
    parser.add_argument("--l2", type=float, help="keep this λ")
    parser.add_argument("--input-shape", metavar="CxHxW",
                        help="a torch module's image shape when it starts with a Conv2d")
    parser.set_defaults(handler=run)


def fixed_settings(args):
    """The settings the options hold fixed, as a dict for check()."""
    fixed = {}
    if args.layers:
        fixed["layer_sizes"] = [int(v) if v.strip().isdigit() else v.strip()
                                for v in args.layers.split(",")]
    if args.activation:
        names = args.activation.split(",")
        fixed["activation"] = names[0] if len(names) == 1 else names
    for key in ("output", "loss", "l2"):
        if getattr(args, key) is not None:
            fixed[key] = getattr(args, key)
    return fixed


def _shape(text):
    if text is None:
        return None
    try:
        shape = tuple(int(v) for v in text.lower().split("x"))
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise UsageError(f"--input-shape must be CxHxW, e.g. 1x28x28, got {text!r}")
    return shape


def run(args):
    if args.cases < 1:
        raise UsageError(f"--cases must be at least 1, got {args.cases}")
    fixed = fixed_settings(args)
    candidate = load(args.target, fixed, _shape(args.input_shape))
    print(f"checking {candidate.name} against the reference (vectorized, float64)")
    try:
        report = check(candidate, cases=args.cases, seed=args.seed, fixed=fixed,
                       out=lambda line: print("  " + line))
    except (ValueError, TypeError) as error:  # the options describe no network
        raise CheckError(f"{error}") from None
    if report.difference:
        return EXIT_DIFFER
    if not report.checked:
        raise CheckError(f"{candidate.name} took none of the {args.cases} networks drawn "
                         "(see the reasons above)")
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    networks = f"{report.checked} network" + ("s" if report.checked != 1 else "")
    print(f"agree: {networks}{skipped} (outputs and gradients within 1e-12, "
          "parameters after a step within 1e-9)")
    return 0
