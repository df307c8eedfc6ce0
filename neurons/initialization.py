"""The initialisation rule both packages share (docs/design.md): ``random.Random(seed)``, layer by
layer, every weight in the row-major order of W, then the biases."""

import math

INITS = ("uniform", "xavier", "he")


def init_bound(init, n_in, n_out):
    """Half-width a of U(−a, a) for the weights, and whether biases are drawn too.

    ``n_in``/``n_out``: fan-in and fan-out (a conv layer: C·K·K and N·K·K).
    """
    if init == "uniform":
        return 0.1, True  # the tutorial: every weight and bias in U(−0.1, 0.1)
    if init == "xavier":
        return math.sqrt(6.0 / (n_in + n_out)), False
    if init == "he":
        return math.sqrt(6.0 / n_in), False
    raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")


def draw(rng, init, n_in, n_out, n_weights, n_biases):
    """(weights, biases) as flat lists in draw order: every weight, then every bias (0.0, not
    drawn, under xavier/he)."""
    a, draw_bias = init_bound(init, n_in, n_out)
    weights = [rng.uniform(-a, a) for _ in range(n_weights)]
    biases = [rng.uniform(-0.1, 0.1) if draw_bias else 0.0 for _ in range(n_biases)]
    return weights, biases
