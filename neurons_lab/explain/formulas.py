"""The symbols of each layer kind the walkthrough explains: f'(net) written with the node's own
output or net (sigmoid a(1−a), tanh 1−a², ReLU [net>0], identity 1) and each loss's E and
output δ. Text only: every number shown beside these symbols is read from the objects.
"""

from .errors import ExplainError

HIDDEN = ("sigmoid", "tanh", "relu")
OUTPUTS = ("sigmoid", "identity", "softmax", "tanh", "relu")
LOSSES = ("mse", "cross_entropy", "hinge")


def check_kinds(config):
    """The kinds a walkthrough writes: hidden sigmoid/tanh/relu, any of OUTPUTS (softmax with
    cross_entropy only), loss mse/cross_entropy/hinge, no L2, no dropout or conv layers here
    (a CNN has its own walkthrough). ExplainError naming what is not covered."""
    acts, out, loss = set(config["activation"]), config["output"], config["loss"]
    if any(isinstance(s, str) for s in config["layer_sizes"]):
        raise ExplainError("this walkthrough shows fully connected networks; for a CNN use "
                           "neurons explain --example cnn")
    problems = []
    if not acts <= set(HIDDEN):
        problems.append(f"hidden activation {sorted(acts - set(HIDDEN))} (explained: "
                        f"{', '.join(HIDDEN)})")
    if out not in OUTPUTS:
        problems.append(f"output {out!r} (explained: {', '.join(OUTPUTS)})")
    if loss not in LOSSES:
        problems.append(f"loss {loss!r}")
    if out == "softmax" and loss != "cross_entropy":
        problems.append("softmax output is explained with loss cross_entropy only")
    if config["l2"]:
        problems.append(f"l2 {config['l2']} (explained: 0)")
    if problems:
        raise ExplainError("explain cannot show this network: " + "; ".join(problems))


def derivative(f, y, net):
    """f'(net) in the node's symbols: (symbolic text, [pieces with the numbers y, net])."""
    if f == "sigmoid":
        return f"{y}·(1−{y})", ["y", "·(1−", "y", ")"]
    if f == "tanh":
        return f"(1−{y}²)", ["(1−", "y", "²)"]
    if f == "relu":
        return f"[{net}>0]", ["[", "net", ">0]"]
    return "1", ["1"]  # identity


def fill(pieces, y, net):
    """Replace the "y"/"net" placeholders of :func:`derivative`'s pieces by Nums."""
    return [y if p == "y" else net if p == "net" else p for p in pieces]


def loss_symbol(loss):
    return {"mse": "E = ½Σ_i (t_i − y_i)²", "cross_entropy": "E = −Σ_i t_i·log y_i",
            "hinge": "E = Σ_{i≠c} max(0, y_i − y_c + 1), c = the target's class"}[loss]


def kinds_of(net):
    """{"activation": [f of layer 1 … L], "output", "loss"} of a network's config (checked)."""
    config = net.config()
    check_kinds(config)
    return {"activation": list(config["activation"]) + [config["output"]],
            "output": config["output"], "loss": config["loss"]}


def is_article_kind(kinds):
    """Sigmoid everywhere and ½Σ(t−y)²: the article's own formulas and headings."""
    return kinds is None or (set(kinds["activation"]) == {"sigmoid"} and kinds["loss"] == "mse")


def correct_class(label):
    """The target's class (the hinge's c): its largest entry, the first on ties."""
    return max(range(len(label)), key=lambda i: (label[i], -i))
