"""``neurons explain``, ``neurons draw`` and ``neurons plot``: parsing and the commands.

``training/commands`` registers this module: :func:`add_subcommands` adds the parsers and
sets each one's ``handler`` (the command). A bad argument ends as one line on stderr: exit 2
for argparse's own checks, 1 for a value the command cannot use (an :class:`ExplainError`).
"""

import argparse
import os
import sys
from pathlib import Path

from ..explain.errors import ExplainError
from ..explain.i18n import LANGS, default_lang

IMPLS = ("neurons", "vectorized")


class UsageError(ExplainError):
    """A command-line value that cannot be used."""


def _one_line_errors(parser):
    """argparse's errors as one line ("neurons draw: error: …"), without the usage block."""
    def error(message):
        parser.exit(2, f"{parser.prog}: error: {message} (see {parser.prog} --help)\n")
    parser.error = error
    return parser


def add_subcommands(subparsers):
    """Add explain, draw and plot to the ``neurons`` command's subparsers."""
    ex = _one_line_errors(subparsers.add_parser(
        "explain", help="one training step with every number, as the objects hold it",
        description="One train_one_sample of a small sigmoid network, phase by phase: every "
                    "formula (式1–式10) with the numbers read from the network's objects after "
                    "the library's own phase. Default: the article's 3-4-2 network."))
    ex.add_argument("--impl", default="neurons", choices=IMPLS + ("both",),
                    help="node by node (neurons), as matrices (vectorized), or both side by "
                         "side with the largest difference (default neurons)")
    ex.add_argument("--lang", choices=LANGS, default=None,
                    help="zh or en (default: from the locale, LANG / LC_ALL)")
    src = ex.add_mutually_exclusive_group()
    src.add_argument("--seed", type=int, help="the 3-4-2 network with weights drawn from this "
                                              "seed (default 0)")
    src.add_argument("--weights", metavar="FILE",
                     help="a JSON file: layer_sizes, parameters [[W, b], …], sample, label, rate")
    src.add_argument("--example", choices=("article", "mazur"),
                     help="article: the tutorial's 3-4-2; mazur: Matt Mazur's worked 2-2-2 "
                          "example (reproduces his published numbers)")
    ex.add_argument("--html", metavar="PAGE",
                    help="write a self-contained page with Step / Back / Play instead of text")
    ex.set_defaults(handler=_one_line(cmd_explain))

    dr = _one_line_errors(subparsers.add_parser(
        "draw", help="draw a small network as SVG (or Graphviz DOT)",
        description="Draw a network: layers as columns, node outputs and δ inside the nodes "
                    "(after one forward and backward pass on a seeded sample), weights as line "
                    "width and colour, each object's repr as a tooltip. Large layers are "
                    "summarised."))
    dr.add_argument("--layers", default="3,4,2", help="layer sizes (default 3,4,2)")
    dr.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    dr.add_argument("--impl", default="neurons", choices=IMPLS,
                    help="which package builds the network (default neurons)")
    dr.add_argument("--max-nodes", type=int, default=12,
                    help="summarise layers with more nodes than this (default 12)")
    dr.add_argument("-o", "--output", required=True,
                    help="net.svg, or net.dot / net.gv for Graphviz text")
    dr.set_defaults(handler=_one_line(cmd_draw))

    pl = _one_line_errors(subparsers.add_parser(
        "plot", help="pictures of training (needs matplotlib: pip install 'neurons-lab[plot]')",
        description="SOURCE is a history file (.csv/.json from train --history): loss and "
                    "error curves; a checkpoint (directory or epoch-NNNN.json): first-layer "
                    "weights as 28×28 images; or the word 'spiral': decision regions of a "
                    "network trained on the spiral, and for relu the share of hidden units "
                    "that never fire."))
    pl.add_argument("source", metavar="SOURCE", help="HISTORY file, CHECKPOINT, or 'spiral'")
    pl.add_argument("-o", "--output", required=True, help="image file (.png, .svg, .pdf)")
    g = pl.add_argument_group("spiral")
    g.add_argument("--activation", default="relu", help="hidden activation (default relu)")
    g.add_argument("--hidden", type=int, default=30, help="hidden units (default 30)")
    g.add_argument("--epochs", type=int, default=200, help="epochs (default 200)")
    g.add_argument("--rate", type=float, default=1.0, help="learning rate (default 1.0)")
    g.add_argument("--seed", type=int, default=1, help="initialisation seed (default 1)")
    pl.set_defaults(handler=_one_line(cmd_plot))


def check_output(path, suffixes=None):
    """Refuse an output path that cannot be written, before any work starts."""
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise UsageError(f"{path}: the file name must end in {' or '.join(suffixes)}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {parent} does not exist")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write {path}: permission denied")
    return path


def choose_example(args):
    from ..explain.examples import article_example, example, from_json

    if args.weights:
        return from_json(args.weights)
    if args.example:
        return example(args.example)
    return article_example(0 if args.seed is None else args.seed)


def cmd_explain(args, out=None):
    """Print the walkthrough (or write the page); returns the exit code."""
    out = out or sys.stdout
    page = check_output(args.html, (".html", ".htm")) if args.html else None
    lang = args.lang or default_lang()
    ex = choose_example(args)
    names = ex.namer()
    if page is not None:
        from ..explain.page import write_page
        from ..explain.trace import record_neurons

        trace = record_neurons(ex.build("neurons"), ex.sample, ex.label, ex.rate, names)
        write_page(page, trace, ex.title, names, lang)
        print(f"wrote {page} ({len(trace.steps)} steps): open it in a browser", file=out)
        return 0
    if args.impl == "neurons":
        from ..explain.trace import record_neurons
        from ..explain.walkthrough import render_neurons

        trace = record_neurons(ex.build("neurons"), ex.sample, ex.label, ex.rate, names)
        lines = render_neurons(trace, ex.title, names, lang)
    elif args.impl == "vectorized":
        from ..explain.matrices import record_vectorized, render_vectorized

        trace = record_vectorized(ex.build("vectorized"), ex.sample, ex.label, ex.rate)
        lines = render_vectorized(trace, ex.title, names, lang)
    else:
        from ..explain.compare import record_both, render_both

        lines = render_both(*record_both(ex), ex.title, names, lang)
    print("\n".join(lines), file=out)
    return 0


def parse_layers(text):
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--layers {text!r}: give sizes as integers separated by commas, "
                         "e.g. 3,4,2") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise UsageError(f"--layers {text!r}: need at least two sizes, each at least 1")
    return sizes


def draw_network(impl, sizes, seed):
    """A fresh network with outputs and δ from one seeded sample (predict and calc_delta:
    the weights do not change)."""
    import importlib
    import random

    net = importlib.import_module(impl).Network(sizes, seed=seed)
    rng = random.Random(seed)
    sample = [rng.random() for _ in range(sizes[0])]
    label = [0.9 if k == 0 else 0.1 for k in range(sizes[-1])]
    if impl == "vectorized":
        import numpy as np

        sample, label = np.asarray(sample), np.asarray(label)
    net.predict(sample)
    if hasattr(net, "calc_delta"):
        net.calc_delta(label)
    return net


def cmd_draw(args, out=None):
    out = out or sys.stdout
    path = check_output(args.output, (".svg", ".dot", ".gv"))
    sizes = parse_layers(args.layers)
    if args.max_nodes < 3:
        raise UsageError(f"--max-nodes {args.max_nodes}: must be at least 3")
    from ..explain.drawing import graph_of, to_dot, to_svg

    graph = graph_of(draw_network(args.impl, sizes, args.seed), max_nodes=args.max_nodes)
    body = to_svg(graph) if path.suffix.lower() == ".svg" else to_dot(graph)
    path.write_text(body, encoding="utf-8")
    print(f"wrote {path}", file=out)
    return 0


def _is_checkpoint(source):
    import json

    if source.is_dir() or source.suffix.lower() == ".npz":
        return True
    if source.suffix.lower() == ".json" and source.is_file():
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return False  # read_history reports it
        return isinstance(data, dict) and data.get("format") == "neurons-checkpoint"
    return False


def cmd_plot(args, out=None):
    out = out or sys.stdout
    path = check_output(args.output, (".png", ".svg", ".pdf"))
    from ..explain import plots

    try:
        plots.pyplot()  # before any work: say at once when matplotlib is missing
        if args.source == "spiral":
            for name, value in (("--hidden", args.hidden), ("--epochs", args.epochs)):
                if value < 1:
                    raise UsageError(f"{name} {value}: must be at least 1")
            if not args.rate > 0:
                raise UsageError(f"--rate {args.rate}: must be > 0")
            plots.plot_spiral(path, args.activation, args.hidden, args.epochs, args.rate,
                              args.seed)
        else:
            source = Path(args.source)
            if not source.exists():
                raise UsageError(f"{source} does not exist (give a history file, a checkpoint "
                                 "or 'spiral')")
            if _is_checkpoint(source):
                plots.plot_first_layer(source, path)
            else:
                plots.plot_history(source, path)
    except plots.MatplotlibMissing as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {path}", file=out)
    return 0


def _one_line(command):
    """``command`` as a handler: a :class:`UsageError` is one line on stderr and status 1;
    anything else is a bug and keeps its traceback."""
    def handler(args):
        try:
            return command(args)
        except ExplainError as exc:
            print(f"neurons {args.command}: error: {exc}", file=sys.stderr)
            return 1
    return handler


def main(argv=None):
    """Run one of the three commands on its own (the ``neurons`` command includes them)."""
    parser = argparse.ArgumentParser(prog="neurons")
    add_subcommands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    return args.handler(args)
