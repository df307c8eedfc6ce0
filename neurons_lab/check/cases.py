"""The networks, weights and samples ``check`` draws (seeded), one :class:`Case` each.

The first cases are fixed themes, so a short run already covers the usual mistakes: the
tutorial's sigmoid + ½Σ(t−y)², L2, other activations, softmax + cross-entropy (one with net ≈ 800
at the output, where a softmax without the max subtracted overflows), hinge, two small CNNs.
Sizes and weights come from the seed. Weights are U(−a, a) with a = 1.5/√fan_in and biases
U(−0.5, 0.5), never 0 (an L2 term wrongly applied to biases must show).
"""

import math
import random
from dataclasses import dataclass, field

import numpy as np

from neurons_lab.training.networks import parameter_shapes

BIG_LOGIT = 800.0  # e^800 overflows float64 (above e^709.78); softmax is shift-invariant

# (hidden activation(s), output, loss, l2, CNN spec or None, big logits)
THEMES = [
    ("sigmoid", "sigmoid", "mse", 0.0, None, False),
    ("sigmoid", "sigmoid", "mse", 0.1, None, False),
    ("tanh", "identity", "mse", 0.05, None, False),
    (("relu", "tanh"), "softmax", "cross_entropy", 0.05, None, False),
    ("sigmoid", "softmax", "cross_entropy", 0.0, None, True),
    (("leaky_relu", "elu"), "sigmoid", "mse", 0.0, None, False),
    (("softplus", "selu"), "identity", "hinge", 0.02, None, False),
    ("relu", "softmax", "cross_entropy", 0.0, ["1x6x6", "conv2x3", "pool2", 4, 3], False),
    ("tanh", "sigmoid", "mse", 0.05, ["2x5x5", "conv3x3s2p1", 3], False),
]
CASES = len(THEMES)  # the default number of cases: every theme once
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "elu", "softplus", "selu")


@dataclass(frozen=True)
class Case:
    """One drawn network: its settings, the seed of its weights and samples."""

    number: int
    layer_sizes: tuple
    activation: tuple  # one name per hidden layer (conv and fully connected)
    output: str
    loss: str
    l2: float
    seed: int
    big_logits: bool = False
    batch: int = 4
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_cnn(self):
        return isinstance(self.layer_sizes[0], str)

    def config(self):
        """Keyword arguments of the project's Network for this case."""
        return {"layer_sizes": list(self.layer_sizes), "activation": list(self.activation),
                "output": self.output, "loss": self.loss, "l2": self.l2}

    def describe(self):
        acts = ",".join(dict.fromkeys(self.activation)) or "-"
        big = ", net ≈ 800 at the output" if self.big_logits else ""
        return (f"{list(self.layer_sizes)} {acts}/{self.output} {self.loss}, l2 {self.l2:g}, "
                f"seed {self.seed}{big}")

    def shapes(self):
        return parameter_shapes(list(self.layer_sizes))

    def parameters(self):
        """[(W, b), …] of this case (float64 arrays, fresh copies)."""
        rng = np.random.default_rng(self.seed)
        params = []
        for W_shape, b_shape in self.shapes():
            a = 1.5 / math.sqrt(math.prod(W_shape[1:]))
            params.append((rng.uniform(-a, a, W_shape), rng.uniform(-0.5, 0.5, b_shape)))
        if self.big_logits:
            params[-1][1][...] += BIG_LOGIT
        return params

    def samples(self):
        """``(X, T)``: a batch of ``batch`` inputs (N, in) in U(−1, 1) and targets (N, out):
        U(0, 1) for mse, one-hot for cross-entropy and hinge."""
        rng = np.random.default_rng(self.seed + 1)
        shapes = self.shapes()
        n_in = math.prod(shapes[0][0][1:]) if not self.is_cnn else \
            math.prod(int(v) for v in self.layer_sizes[0].split("x"))
        n_out = shapes[-1][1][0]
        X = rng.uniform(-1.0, 1.0, (self.batch, n_in))
        if self.loss == "mse":
            T = rng.uniform(0.0, 1.0, (self.batch, n_out))
        else:
            T = np.eye(n_out)[rng.integers(0, n_out, self.batch)]
        return X, T


def _fc_sizes(rng, depth):
    return tuple([rng.randint(2, 6) for _ in range(depth)] + [rng.randint(2, 4)])


def draw_cases(seed=0, count=CASES, fixed=None, cnn=True):
    """``count`` cases from ``seed``: the themes first, then random draws. ``fixed`` (a dict of
    any of layer_sizes, activation, output, loss, l2) holds those settings in every case;
    ``cnn=False`` leaves the CNN themes out."""
    fixed = dict(fixed or {})
    rng = random.Random(seed)
    cases, k = [], -1
    while len(cases) < count:
        k += 1
        if k < len(THEMES):
            acts, output, loss, l2, spec, big = THEMES[k]
        else:
            output, loss = rng.choice([("sigmoid", "mse"), ("identity", "mse"),
                                       ("softmax", "cross_entropy"), ("identity", "hinge")])
            acts, l2, spec, big = rng.choice(ACTIVATIONS), rng.choice([0.0, 0.01]), None, False
        if spec is not None and (not cnn or "layer_sizes" in fixed):
            continue
        sizes = tuple(spec) if spec else _fc_sizes(rng, rng.randint(2, 3))
        sizes = tuple(fixed.get("layer_sizes", sizes))
        n_hidden = len(parameter_shapes(list(sizes))) - 1
        acts = fixed.get("activation", acts)
        acts = (acts,) * n_hidden if isinstance(acts, str) else tuple(acts)
        if len(acts) != n_hidden:
            acts = (acts[0],) * n_hidden
        output = fixed.get("output", output)
        loss = fixed.get("loss", loss)
        if output != "softmax" and loss == "cross_entropy" or \
                output == "softmax" and "loss" not in fixed and loss != "cross_entropy":
            loss = "cross_entropy" if output == "softmax" else "mse"
        cases.append(Case(len(cases) + 1, sizes, acts, output, loss,
                          float(fixed.get("l2", l2)), rng.randrange(2**31),
                          big and output == "softmax"))
    return cases

