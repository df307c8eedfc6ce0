"""Hypothesis strategies for tiny random CNNs (DESIGN.md's spec strings), with the pure-Python
central differences (式6) and kink guard the neurons CNN tests use. Tiny on purpose: neurons
visits every connection one by one."""

from hypothesis import strategies as st

from neurons.pool import PoolNode
from tests.cnn_strategies import cnn_configs as small_cnn_configs
from tests.strategies import KINKED

KINK = 1e-4  # keep every kinked quantity at least this far from its kink


def cnn_configs(dropout=("drop0",)):
    """A tiny CNN's constructor arguments (tests.cnn_strategies.cnn_configs, ``tiny``): by
    default with dropout 0 only, whose masks are the identity in both packages."""
    return small_cnn_configs(dropout, tiny=True)


@st.composite
def cnn_data(draw, net, count=1):
    """(labels, samples): ``count`` flat samples in [−2, 2] and targets for ``net``'s loss."""
    n_in, n_out = net.input_size, net.output_size
    values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
    samples = draw(st.lists(st.lists(values, min_size=n_in, max_size=n_in),
                            min_size=count, max_size=count))
    if net.loss_name == "cross_entropy":
        classes = draw(st.lists(st.integers(0, n_out - 1), min_size=count, max_size=count))
        labels = [[1.0 if k == c else 0.0 for k in range(n_out)] for c in classes]
    else:
        labels = draw(st.lists(st.lists(st.floats(0.0, 1.0), min_size=n_out, max_size=n_out),
                               min_size=count, max_size=count))
    return labels, samples


def flat(nested):
    """The numbers of nested lists in row-major order."""
    if isinstance(nested, (list, tuple)):
        return [v for item in nested for v in flat(item)]
    return [nested]


def total_loss(net, label, sample):
    """E + λ/2 Σ W² (weights only, each shared weight once): what get_gradient differentiates."""
    penalty = sum(w.weight ** 2 for w in net.weights if not w.is_bias)
    return net.loss(net.predict(sample), label) + 0.5 * net.l2 * penalty


def numerical_gradient(net, label, sample, eps=1e-6):
    """式6 for every trained number (``net.weights``: each shared weight once), in the order of
    the flattened ``get_gradient``; every value is restored."""
    grads = []
    for w in net.weights:
        keep = w.weight
        w.weight = keep + eps
        plus = total_loss(net, label, sample)
        w.weight = keep - eps
        minus = total_loss(net, label, sample)
        w.weight = keep
        grads.append((plus - minus) / (2.0 * eps))
    return grads


def worst_mismatch(analytic, numeric, rtol=1e-6, atol=1e-8):
    """The largest |a − n| / (atol·scale + rtol·max(|a|, |n|)): ≤ 1 means they agree."""
    assert len(analytic) == len(numeric)
    scale = max([1.0] + [abs(n) for n in numeric])
    return max(abs(a - n) / (atol * scale + rtol * max(abs(a), abs(n)))
               for a, n in zip(analytic, numeric))


def near_kink(net, label, sample):
    """True when a central difference could straddle a kink: a kinked activation's net near 0,
    a pool window's two largest values close together, or a hinge margin near 0."""
    y = net.predict(sample)
    for layer in net.layers[1:]:
        if layer.activation in KINKED and any(abs(n.net) < KINK for n in layer.nodes):
            return True
        for node in layer.nodes:
            if isinstance(node, PoolNode) and len(node.upstream) > 1:
                top = sorted(c.upstream_node.output for c in node.upstream)[-2:]
                if top[1] - top[0] < KINK:
                    return True
    if net.loss_name == "hinge":
        c = max(range(len(label)), key=lambda k: (label[k], -k))
        if any(abs(yk - y[c] + 1.0) < KINK for k, yk in enumerate(y) if k != c):
            return True
    return False


def scale_conv_weights(net, factor):
    """Multiply every conv weight by ``factor``: U(−0.1, 0.1) alone makes tiny conv gradients."""
    for w in net.shared_weights:
        if not w.is_bias:
            w.weight *= factor
