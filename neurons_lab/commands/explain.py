"""``neurons explain``, ``neurons draw`` and ``neurons plot``: parsing and the commands.

``neurons_lab.cli`` registers this module: :func:`add_subcommands` adds the parsers and sets
each one's ``handler`` (the command). A bad argument ends as one line on stderr: exit 2 for
argparse's own checks, 1 for a value the command cannot use (a ``UsageError`` of the command
line's helpers, or an ``ExplainError``).
"""

import math
import sys
from pathlib import Path

from ..explain.i18n import LANGS, default_lang, text
from ..training.errors import UsageError
from ..training.options import parse_layers
from ..training.validate import output_file

IMPLS = ("neurons", "vectorized")


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
    src.add_argument("--example", choices=("article", "mazur", "cnn"),
                     help="article: the tutorial's 3-4-2; mazur: Matt Mazur's worked 2-2-2 "
                          "example (reproduces his published numbers); cnn: a small CNN "
                          "(formula (1), max-pool routing, a shared weight's gradient)")
    kind = ex.add_argument_group("layer kinds (default: the article's sigmoid and ½Σ(t−y)²)")
    kind.add_argument("--activation", choices=("sigmoid", "tanh", "relu"),
                      help="hidden layers' activation")
    kind.add_argument("--output", choices=("sigmoid", "identity", "softmax", "tanh", "relu"),
                      help="output layer's activation (softmax needs --loss cross_entropy)")
    kind.add_argument("--loss", choices=("mse", "cross_entropy", "hinge"),
                      help="the loss: ½Σ(t−y)², −Σ t log y, or the multiclass hinge")
    ex.add_argument("--html", metavar="PAGE",
                    help="write a self-contained page with Step / Back / Play instead of text")
    ex.set_defaults(handler=cmd_explain)

    dr = _one_line_errors(subparsers.add_parser(
        "draw", help="draw a small network as SVG (or Graphviz DOT)",
        description="Draw a network: layers as columns, node outputs and δ inside the nodes "
                    "(after one forward and backward pass on a seeded sample), weights as line "
                    "width and colour, each object's repr as a tooltip. Large layers are "
                    "summarised."))
    dr.add_argument("--layers", default="3,4,2",
                    help="layer sizes (default 3,4,2), or a CNN spec such as "
                         "1x6x6,conv2x3,pool2,3 (drawn as maps and filters in an .html file)")
    dr.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    dr.add_argument("--impl", default="neurons", choices=IMPLS,
                    help="which package builds the network (default neurons)")
    dr.add_argument("--max-nodes", type=int, default=12,
                    help="summarise layers with more nodes than this (default 12)")
    dr.add_argument("-o", "--output", required=True,
                    help="net.svg, or net.dot / net.gv for Graphviz text")
    dr.set_defaults(handler=cmd_draw)

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
    pl.set_defaults(handler=cmd_plot)


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
    page = None if args.html is None else output_file(args.html, "--html", (".html", ".htm"))
    lang = args.lang or default_lang()
    if args.example == "cnn":
        from .explain_cnn import explain_cnn

        return explain_cnn(args, lang, page, out)
    ex = choose_example(args)
    for kind in ("activation", "output", "loss"):
        if getattr(args, kind, None):
            setattr(ex, kind, getattr(args, kind))
    if ex.output == "softmax" and getattr(args, "loss", None) is None:
        ex.loss = "cross_entropy"
    names = ex.namer()
    if page is not None:
        from ..explain.matrices import record_vectorized
        from ..explain.page import write_page
        from ..explain.trace import record_neurons

        net = ex.build("neurons")
        trace = record_neurons(net, ex.sample, ex.label, ex.rate, names)
        after = net.loss(net.predict(ex.sample), ex.label)  # E with the updated weights
        matrices = None if args.impl == "neurons" else record_vectorized(
            ex.build("vectorized"), ex.sample, ex.label, ex.rate)
        write_page(page, trace, ex.title, names, lang, matrices=matrices, impl=args.impl,
                   loss_after=after)
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
    if ex.names == "mazur":
        lines += ["", text(lang)["mazur_note"]]
    print("\n".join(lines), file=out)
    return 0


def draw_network(impl, sizes, seed):
    """A fresh network with outputs and δ from one seeded sample (predict and calc_delta:
    the weights do not change)."""
    import importlib
    import random

    from ..explain.examples import ARTICLE_LABEL, ARTICLE_SAMPLE

    net = importlib.import_module(impl).Network(sizes, seed=seed)
    rng = random.Random(seed)
    # the article's x and t where they fit: `neurons draw` then shows what `neurons explain`
    # (same seed) computes before its step
    sample = (list(ARTICLE_SAMPLE) if sizes[0] == len(ARTICLE_SAMPLE)
              else [rng.random() for _ in range(sizes[0])])
    label = (list(ARTICLE_LABEL) if sizes[-1] == len(ARTICLE_LABEL)
             else [0.9 if k == 0 else 0.1 for k in range(sizes[-1])])
    if impl == "vectorized":
        import numpy as np

        sample, label = np.asarray(sample), np.asarray(label)
    net.predict(sample)
    if hasattr(net, "calc_delta"):
        net.calc_delta(label)
    return net


def cmd_draw(args, out=None):
    out = out or sys.stdout
    first = args.layers.split(",")[0].strip()
    if first.count("x") == 2 and first.replace("x", "").isdigit():  # "1x6x6,conv2x3,pool2,3"
        from .explain_cnn import draw_cnn

        return draw_cnn(args, output_file(args.output, "--output", (".html", ".htm")), out)
    path = output_file(args.output, "--output", (".svg", ".dot", ".gv"))
    sizes = parse_layers(args.layers)
    if args.max_nodes < 3:
        raise UsageError(f"--max-nodes {args.max_nodes}: must be at least 3")
    from ..explain.drawing import check_size, graph_of, to_dot, to_svg
    from ..training.files import atomic_write

    check_size(sizes)  # before anything is built
    graph = graph_of(draw_network(args.impl, sizes, args.seed), max_nodes=args.max_nodes)
    body = to_svg(graph) if path.suffix.lower() == ".svg" else to_dot(graph)
    atomic_write(path, body.encode("utf-8"))
    print(f"wrote {path}", file=out)
    return 0


def _is_checkpoint(source):
    from ..explain.errors import ExplainError
    from ..training.files import read_json

    if source.is_dir() or source.suffix.lower() == ".npz":
        return True
    if source.suffix.lower() == ".json" and source.is_file():
        try:
            data = read_json(source, ExplainError)  # bounded, as every reader
        except ExplainError:
            return False  # read_history reports it
        return isinstance(data, dict) and data.get("format") == "neurons-checkpoint"
    return False


def cmd_plot(args, out=None):
    out = out or sys.stdout
    path = output_file(args.output, "--output", (".png", ".svg", ".pdf"))
    from ..explain import plots

    try:
        plots.pyplot()  # before any work: say at once when matplotlib is missing
        if args.source == "spiral":
            for name, value in (("--hidden", args.hidden), ("--epochs", args.epochs)):
                if value < 1:
                    raise UsageError(f"{name} {value}: must be at least 1")
            if not (math.isfinite(args.rate) and args.rate > 0):
                raise UsageError(f"--rate {args.rate}: must be a finite number > 0")
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
