"""The networks ``neurons explain`` walks through: the article's 3-4-2, Matt Mazur's 2-2-2, a
seeded 3-4-2, or any small sigmoid network from a JSON file.

An :class:`Example` holds everything one training step needs (weights, sample, target, rate)
and builds the same network in either package through the shared API.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

from neurons_lab.training.files import read_json

from .errors import ExplainError
from .names import SCHEMES

ARTICLE_SIZES = (3, 4, 2)
ARTICLE_SAMPLE = (1.0, 0.5, 0.2)
ARTICLE_LABEL = (0.9, 0.1)  # the article's 0.9/0.1 target coding
ARTICLE_RATE = 0.5
IMPLS = ("neurons", "vectorized")


@dataclass
class Example:
    """One training step to explain.

    ``parameters``: [(W, b), …] per layer as nested lists, W[j][i] = w_ji (out × in);
    ``names``: "article" (nodes numbered 1, 2, … as in the article) or "mazur".
    """

    title: str
    layer_sizes: list
    parameters: list
    sample: list
    label: list
    rate: float
    names: str = "article"
    source: dict = field(default_factory=dict)
    activation: str = "sigmoid"  # hidden layers
    output: str = "sigmoid"
    loss: str = "mse"

    def namer(self):
        return SCHEMES[self.names](self.layer_sizes)

    def build(self, impl):
        """A fresh network of package ``impl`` (sigmoid / ½Σ(t−y)² unless the example says
        otherwise) holding these weights."""
        if impl not in IMPLS:
            raise ExplainError(f"unknown implementation {impl!r}; choose one of {', '.join(IMPLS)}")
        import importlib

        net = importlib.import_module(impl).Network(
            list(self.layer_sizes), activation=self.activation, output=self.output,
            loss=self.loss, seed=0)
        net.set_parameters(self.parameters)
        return net


def _network_parameters(sizes, seed):
    import neurons

    return neurons.Network(list(sizes), seed=seed).parameters()


def article_example(seed=0):
    """The article's 3-4-2 network, weights drawn as the tutorial draws them (U(−0.1, 0.1))
    with ``seed``; sample (1, 0.5, 0.2), target (0.9, 0.1), rate 0.5."""
    return Example(
        title=f"3-4-2 (seed {seed})", layer_sizes=list(ARTICLE_SIZES),
        parameters=_network_parameters(ARTICLE_SIZES, seed), sample=list(ARTICLE_SAMPLE),
        label=list(ARTICLE_LABEL), rate=ARTICLE_RATE, source={"seed": seed},
    )


def mazur_example():
    """Matt Mazur's "A Step by Step Backpropagation Example": 2-2-2, inputs .05 .10,
    targets .01 .99, rate 0.5. His published numbers (outputs 0.75136507, 0.772928465,
    E_total 0.298371109, ∂E/∂w5 0.082167041, new w5 0.35891648, ∂E/∂w1 0.000438568) are
    what this step reproduces."""
    return Example(
        title="Mazur 2-2-2", layer_sizes=[2, 2, 2],
        parameters=[([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),
                    ([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60])],
        sample=[0.05, 0.10], label=[0.01, 0.99], rate=0.5, names="mazur",
        source={"example": "mazur"},
    )


EXAMPLES = {"article": article_example, "mazur": mazur_example}


def example(name):
    """A built-in example by name: "article" or "mazur"."""
    if name not in EXAMPLES:
        raise ExplainError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLES)}")
    return EXAMPLES[name]()


def _numbers(value, what, path):
    if not isinstance(value, list) or not value:
        raise ExplainError(f"{path}: {what} must be a non-empty list of numbers")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ExplainError(f"{path}: {what} must hold finite numbers, found {v!r}")
    return [float(v) for v in value]


KEYS = ("layer_sizes", "parameters", "sample", "label", "rate")


def from_json(path):
    """An example from a JSON file::

        {"layer_sizes": [2, 2, 2],
         "parameters": [[W1, b1], [W2, b2]],     # W[j][i] = w_ji, out × in
         "sample": [...], "label": [...], "rate": 0.5}

    Every value is checked (ValueError naming the file and the problem) before anything runs.
    """
    path = Path(path)
    data = read_json(path, ExplainError, "weights file")  # bounded: size, depth, digits
    if not isinstance(data, dict):
        raise ExplainError(f"{path}: expected a JSON object with layer_sizes, parameters, "
                         "sample, label, rate")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ExplainError(f"{path}: unknown key{'s' if len(unknown) > 1 else ''} "
                           f"{', '.join(map(repr, unknown))}; a weights file holds "
                           f"{', '.join(KEYS)}")
    missing = [k for k in ("layer_sizes", "parameters", "sample", "label") if k not in data]
    if missing:
        raise ExplainError(f"{path}: missing {', '.join(missing)}")
    sizes = data["layer_sizes"]
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)):
        raise ExplainError(f"{path}: layer_sizes must be a list of at least two integers ≥ 1")
    sample = _numbers(data["sample"], "sample", path)
    label = _numbers(data["label"], "label", path)
    if len(sample) != sizes[0]:
        raise ExplainError(f"{path}: sample has {len(sample)} values, the input layer {sizes[0]}")
    if len(label) != sizes[-1]:
        raise ExplainError(f"{path}: label has {len(label)} values, the output layer {sizes[-1]}")
    rate = data.get("rate", ARTICLE_RATE)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (
            math.isfinite(rate) and rate > 0):
        raise ExplainError(f"{path}: rate must be a finite number > 0, got {rate!r}")
    needed = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    if needed > path.stat().st_size // 2:  # each number takes 2 bytes at least ("0,")
        raise ExplainError(f"{path}: layer_sizes {sizes} need {needed:,} parameters, more than "
                           "the file can hold: the network is not built")
    ex = Example(title=path.name, layer_sizes=sizes, parameters=data["parameters"],
                 sample=sample, label=label, rate=float(rate), source={"weights": str(path)})
    try:
        ex.build("neurons")  # checks every shape and value of the parameters
    except (TypeError, ValueError) as exc:
        raise ExplainError(f"{path}: {exc}") from None
    return ex
