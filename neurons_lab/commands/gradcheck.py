"""`neurons gradcheck`: backprop against central differences (式6) on a small network.

The verdict allows what a central difference itself errs by at ε in the float type: round-off
of E about 100·u/ε (u the type's machine epsilon) plus truncation about ε² (式6 is exact to
O(ε²)), and at least 1e-6. ε lies in 1e-10 … 1e-2 (below, round-off swamps the difference;
above, the O(ε²) error does), and one whose own error allows more than LOOSEST is refused.
"""

import random

import numpy as np

from ..training import validate
from ..training.errors import UsageError
from ..training.gradcheck import check_gradient
from ..training.networks import input_output_sizes
from ..training.options import (
    add_engine_option,
    add_network_options,
    build_networks,
    checked,
    network_config,
)

EXIT_DISAGREE = 4
EPS_RANGE = (1e-10, 1e-2)
LOOSEST = 1e-2  # a check that cannot fail is no check


def add_subcommands(subparsers):
    gc = subparsers.add_parser(
        "gradcheck", help="compare backprop with central differences (式6)",
        description="Numerical gradient check on a small network: prints the worst relative "
                    f"error per layer; exit status {EXIT_DISAGREE} when they disagree.")
    add_engine_option(gc, "both")
    add_network_options(gc, layers="4,5,3")
    gc.add_argument("--eps", type=float, default=None,
                    help=f"finite-difference step, {EPS_RANGE[0]:g} … {EPS_RANGE[1]:g} "
                         "(default 1e-5; 1e-2 with --dtype float32, whose round-off needs a "
                         "larger step)")
    gc.add_argument("--sample-seed", type=int, default=1, help="seed of the random sample")
    gc.set_defaults(handler=run)


def run(args):
    if args.eps is None:
        args.eps = 1e-2 if args.dtype == "float32" else 1e-5
    with checked("--eps"):
        validate.real(args.eps, "eps", low=EPS_RANGE[0], high=EPS_RANGE[1])
    u = float(np.finfo(args.dtype).eps)
    limit = max(1e-6, 100 * u / args.eps + args.eps ** 2)
    if limit > LOOSEST:
        raise UsageError(f"--eps {args.eps:g} with {args.dtype}: round-off alone makes a "
                         f"central difference uncertain by {limit:.1e}, no check at all; give "
                         f"--eps {100 * u / LOOSEST:.1e} … 1e-2")
    config = network_config(args)
    nets = build_networks(args, config)
    rng = random.Random(args.sample_seed)
    n_in, n_out = input_output_sizes(config["layer_sizes"])  # a CNN: C·H·W values
    sample = [rng.uniform(-1, 1) for _ in range(n_in)]
    if config["loss"] == "cross_entropy":
        label = [0.0] * n_out
        label[rng.randrange(n_out)] = 1.0
    else:
        label = [rng.uniform(0, 1) for _ in range(n_out)]
    worst = 0.0
    for impl, net in nets.items():
        print(f"{impl}: {net!r}")
        for r in check_gradient(net, label, sample, eps=args.eps):
            print(f"  layer {r.layer}: worst relative error  W {r.worst_weight:.2e}"
                  f"   b {r.worst_bias:.2e}")
            worst = max(worst, r.worst)
    agree = worst < limit
    print(f"backprop and central differences {'agree' if agree else 'DISAGREE'} "
          f"(worst {worst:.2e}, threshold {limit:.1e}: what central differences themselves "
          f"err by at ε = {args.eps:g} in {args.dtype})")
    return 0 if agree else EXIT_DISAGREE
