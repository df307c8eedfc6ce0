"""Hypothesis strategies for small random CNN specs (DESIGN.md's spec strings), the
numerical gradient (式6) of a whole network, and the kink guard the checks need."""

import numpy as np
from hypothesis import strategies as st

from tests.strategies import ACTIVATIONS, KINKED, OUTPUT_LOSS
from vectorized.conv import ConvLayer
from vectorized.pool import MaxPoolingLayer

EPS, RTOL, ATOL = 1e-6, 1e-6, 1e-8
KINK = 1e-4  # keep every kinked quantity at least this far from its kink


@st.composite
def cnn_configs(draw, dropout=("drop0.5", "drop0.25"), *, tiny=False):
    """Constructor keyword arguments of a small CNN: channels 1–3, one or two conv layers
    (stride 1–2, padding), optional pooling after each, an optional hidden fully connected
    layer (optionally followed by one of ``dropout``; ``()`` for none), an output layer; every
    activation and output/loss pair, init, l2 0 or 0.1. ``tiny`` keeps it small enough for
    neurons, which visits every connection: 1–2 channels and filters, sides 3–6."""
    most = 2 if tiny else 3
    C = draw(st.integers(1, most))
    H, W = draw(st.integers(3, 6 if tiny else 7)), draw(st.integers(3, 6 if tiny else 7))
    sizes, shape, hidden = [f"{C}x{H}x{W}"], (C, H, W), 0
    for _ in range(draw(st.integers(1, 2))):
        K = draw(st.integers(1, min(3, shape[1], shape[2])))
        S, P = draw(st.integers(1, 2)), draw(st.integers(0, K - 1))
        F = draw(st.integers(1, most))
        sizes.append(f"conv{F}x{K}" + (f"s{S}" if S > 1 else "") + (f"p{P}" if P else ""))
        shape = (F, (shape[1] + 2 * P - K) // S + 1, (shape[2] + 2 * P - K) // S + 1)
        hidden += 1
        pool = draw(st.integers(2, 3) if tiny else st.integers(1, 2))
        if min(shape[1:]) >= pool and draw(st.booleans()):
            sizes.append(f"pool{pool}")
            shape = (shape[0], shape[1] // pool, shape[2] // pool)
    if draw(st.booleans()):
        sizes.append(draw(st.integers(1, most if tiny else 4)))
        hidden += 1
        if dropout and draw(st.booleans()):
            sizes.append(draw(st.sampled_from(dropout)))
    output, loss = draw(st.sampled_from(OUTPUT_LOSS))
    sizes.append(draw(st.integers(2 if output == "softmax" or loss == "hinge" else 1, 3)))
    return {
        "layer_sizes": sizes,
        "activation": draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=hidden,
                                    max_size=hidden)),
        "output": output,
        "loss": loss,
        "init": draw(st.sampled_from(("uniform", "xavier", "he"))),
        "l2": draw(st.sampled_from((0.0, 0.1))),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def cnn_data(net, n, seed):
    """``n`` random samples (flat rows) in [−2, 2] and targets for ``net``'s loss."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, (n, net.input_size))
    if net.config()["loss"] == "cross_entropy":
        t = np.eye(net.output_size)[rng.integers(0, net.output_size, n)]
    else:
        t = rng.uniform(0.0, 1.0, (n, net.output_size))
    return t, x


def total_loss(net, labels, samples):
    """E_total = mean(E) + λ/2 Σ W² (the function get_gradient differentiates)."""
    penalty = 0.5 * net.l2 * sum(float(np.sum(W * W)) for W, _ in net.parameters())
    return net.loss(net.predict(samples), labels) + penalty


def numerical_gradient(net, labels, samples, eps=EPS):
    """式6 for every weight and bias, perturbing the layers' arrays in place (and restoring)."""
    grads = []
    for layer in net.layers:
        if layer.W is None:
            continue
        pair = []
        for array in (layer.W, layer.b):
            grad = np.zeros_like(array)
            for position in np.ndindex(array.shape):
                old = array[position]
                array[position] = old + eps
                plus = total_loss(net, labels, samples)
                array[position] = old - eps
                minus = total_loss(net, labels, samples)
                array[position] = old
                grad[position] = (plus - minus) / (2.0 * eps)
            pair.append(grad)
        grads.append(tuple(pair))
    return grads


def assert_gradients_close(analytic, numeric):
    """Each entry within RTOL relative, or ATOL relative to the array's largest entry (the
    rounding of E itself, ~1e-16·E/ε, limits small entries of a large gradient)."""
    assert len(analytic) == len(numeric)
    for number, ((dW, db), (nW, nb)) in enumerate(zip(analytic, numeric)):
        for what, a, n in (("W", dW, nW), ("b", db, nb)):
            assert a.shape == n.shape, f"{what} of layer {number}"
            scale = max(1.0, float(np.max(np.abs(n))))
            bound = ATOL * scale + RTOL * np.maximum(np.abs(a), np.abs(n))
            worst = float(np.max(np.abs(a - n)))
            assert np.all(np.abs(a - n) <= bound), f"{what} of layer {number}: off by {worst}"


def near_kink(net, labels, samples):
    """True when a central difference could straddle a kink: a kinked activation's net near
    0, a pooling window's two largest values close together, or a hinge margin near 0."""
    y = net.predict(samples)
    for layer in net.layers:
        if getattr(layer, "activator", None) in KINKED and np.min(np.abs(layer.net)) < KINK:
            return True
        if isinstance(layer, MaxPoolingLayer) and layer.pool_size > 1:
            top2 = np.sort(layer.windows(layer.input), axis=-1)[..., -2:]
            if np.min(top2[..., 1] - top2[..., 0]) < KINK:
                return True
    if net.config()["loss"] == "hinge":
        c = np.argmax(labels, axis=-1)[..., None]
        margins = y - np.take_along_axis(y, c, axis=-1) + 1.0
        mask = np.arange(y.shape[-1]) != c
        if np.min(np.abs(margins[mask])) < KINK:
            return True
    return False


def scale_weights(net, factor):
    """Multiply every conv W by ``factor``: U(−0.1, 0.1) alone makes tiny conv gradients."""
    for layer in net.layers:
        if isinstance(layer, ConvLayer):
            layer.W *= factor
