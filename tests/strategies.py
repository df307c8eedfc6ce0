"""Hypothesis strategies for random networks the shared API can build."""

from hypothesis import strategies as st

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "elu", "softplus", "selu")
# Every output activation with mse and hinge, and softmax with all three losses.
OUTPUT_LOSS = tuple((o, loss) for o in ACTIVATIONS + ("softmax",) for loss in ("mse", "hinge")) + (
    ("softmax", "cross_entropy"),
)
# Activations with a kink at net = 0 (relu-likes: the derivative jumps; elu: the second
# derivative does), where a central difference loses its O(ε²) accuracy.
KINKED = ("relu", "leaky_relu", "selu", "elu")

finite = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@st.composite
def configs(draw, max_layers=4, max_width=6):
    """Constructor keyword arguments for a small random network."""
    n_layers = draw(st.integers(2, max_layers))
    sizes = draw(st.lists(st.integers(1, max_width), min_size=n_layers, max_size=n_layers))
    output, loss = draw(st.sampled_from(OUTPUT_LOSS))
    if output == "softmax" or loss == "hinge":
        sizes[-1] = max(sizes[-1], 2)
    hidden = draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=n_layers - 2,
                           max_size=n_layers - 2))
    return {
        "layer_sizes": sizes,
        "activation": hidden,
        "output": output,
        "loss": loss,
        "init": draw(st.sampled_from(("uniform", "xavier", "he"))),
        "l2": draw(st.sampled_from((0.0, 0.1))),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@st.composite
def labels(draw, config):
    """A target vector: one-hot for cross_entropy, any values in [0, 1] otherwise."""
    n = config["layer_sizes"][-1]
    if config["loss"] == "cross_entropy":
        c = draw(st.integers(0, n - 1))
        return [1.0 if k == c else 0.0 for k in range(n)]
    return draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))


@st.composite
def cases(draw, max_layers=4, max_width=6):
    """(config, label, sample) for one random network and one sample."""
    config = draw(configs(max_layers, max_width))
    sample = draw(st.lists(finite, min_size=config["layer_sizes"][0],
                           max_size=config["layer_sizes"][0]))
    return config, draw(labels(config)), sample


@st.composite
def datasets(draw, config, max_samples=8):
    """(labels, samples) of a few samples for ``config``."""
    n = draw(st.integers(1, max_samples))
    samples = draw(st.lists(st.lists(finite, min_size=config["layer_sizes"][0],
                                     max_size=config["layer_sizes"][0]),
                            min_size=n, max_size=n))
    targets = draw(st.lists(labels(config), min_size=n, max_size=n))
    return targets, samples


def near_kink(config, nets_by_layer, output, label, margin=1e-4):
    """True when a central difference could straddle a kink of this network's function.

    ``nets_by_layer``: the weighted inputs of each non-input layer; ``output``: the
    network's output for the sample; ``label``: its target.
    """
    acts = list(config["activation"]) + [config["output"]]
    for act, nets in zip(acts, nets_by_layer):
        if act in KINKED and any(abs(z) < margin for z in nets):
            return True
    if config["loss"] == "hinge":
        c = max(range(len(label)), key=lambda k: (label[k], -k))
        if any(abs(y - output[c] + 1.0) < margin for k, y in enumerate(output) if k != c):
            return True
    return False
