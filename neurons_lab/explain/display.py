"""Rich display in Jupyter: networks, layers, nodes and connections of both packages drawn with
their current values (outputs a, δ, weights, gradients), pure SVG/HTML.

``import neurons_lab`` registers these formatters when IPython is running (:func:`register`);
``neurons`` and ``vectorized`` are not changed or imported for it (formatters are registered by
type name). Every function here reads public attributes only: showing an object never changes
a number. Colours: positive blue, negative red, as in every drawing of the project.
"""

import html

from .drawing import NEGATIVE, POSITIVE, to_svg

# (module, class name) → the function giving its HTML
_TYPES = {}


def _for(module, name):
    def wrap(fn):
        _TYPES[(module, name)] = fn
        return fn
    return wrap


def _num(v):
    if v is None:
        return "–"
    v = float(v)
    return f"{v:.3g}" if v and abs(v) < 1e-3 else f"{v:.4g}"


def _table(title, rows):
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                   f"<td style='text-align:right'>{v}</td></tr>" for k, v in rows)
    return (f"<div class='neurons-lab'><b>{html.escape(title)}</b>"
            f"<table style='border-collapse:collapse'>{body}</table></div>")


def _colour(v, biggest):
    """A cell colour: blue for positive, red for negative, stronger for larger |v|."""
    strength = min(1.0, abs(v) / biggest) if biggest else 0.0
    rgb = POSITIVE if v >= 0 else NEGATIVE
    r, g, b = (int(rgb[k:k + 2], 16) for k in (1, 3, 5))
    mix = [int(255 + (c - 255) * strength) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _grey(v, low, high):
    """A map's value as grey: its smallest value white, its largest black."""
    level = 255 - int(255 * (v - low) / (high - low)) if high > low else 128
    return f"#{level:02x}{level:02x}{level:02x}"


def grid_svg(rows, cell=14, title="", signed=True):
    """A 2-D grid of numbers as coloured squares: ``signed`` (weights, gradients) blue for
    positive and red for negative; otherwise (an image, a feature map) grey from its smallest
    (white) to its largest value (black)."""
    rows = [[float(v) for v in row] for row in rows]
    biggest = max((abs(v) for row in rows for v in row), default=0.0) or 1.0
    flat = [v for row in rows for v in row]
    low, high = (min(flat), max(flat)) if flat else (0.0, 0.0)
    h, w = len(rows), len(rows[0]) if rows else 0
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w * cell}' height='{h * cell}'>"
             f"<title>{html.escape(title)}</title>"]
    for y, row in enumerate(rows):
        for x, v in enumerate(row):
            parts.append(f"<rect x='{x * cell}' y='{y * cell}' width='{cell}' height='{cell}' "
                         f"fill='{_colour(v, biggest) if signed else _grey(v, low, high)}' "
                         f"stroke='#ccc'><title>[{y},{x}] = "
                         f"{v!r}</title></rect>")
    return "".join(parts) + "</svg>"


def _maps(values, shape):
    """Flat row-major values → list of C maps (lists of rows) of shape (C, H, W)."""
    C, H, W = shape
    flat = [float(v) for v in values]
    return [[flat[(c * H + y) * W:(c * H + y) * W + W] for y in range(H)] for c in range(C)]


def _figure(svg, caption):
    return (f"<figure style='display:inline-block;margin:4px;text-align:center'>{svg}"
            f"<figcaption style='font-size:11px'>{html.escape(caption)}</figcaption></figure>")


def cnn_html(net):
    """A CNN of either package: input and feature maps as images, each conv filter's weights
    (and after a step its gradient), the fully connected layers as numbers."""
    import numpy as np

    parts = [f"<div class='neurons-lab'><b>{html.escape(repr(net))}</b>"]
    neurons_model = hasattr(net.layers[0], "nodes")
    if neurons_model:
        image = [n.output for n in net.layers[0].nodes]
    else:
        image = net.layers[0].input
        image = None if image is None else np.asarray(image, float).reshape(
            -1, *net.input_shape)[0].ravel()
    if image is not None:
        maps = _maps(image, net.input_shape)
        parts.append("<div><i>input</i><br>" + "".join(
            _figure(grid_svg(m, 14, signed=False), f"channel {c}")
            for c, m in enumerate(maps)) + "</div>")
    layers = net.layers[1:] if neurons_model else net.layers
    for k, layer in enumerate(layers, start=1):
        kind = type(layer).__name__
        figs = []
        if neurons_model:
            out = [n.output for n in layer.nodes]
            delta = [n.delta for n in layer.nodes]
            shape = getattr(layer, "shape", (len(out),))
        else:
            delta = None if layer.delta is None else np.asarray(layer.delta, float)
            if delta is not None and delta.ndim in (2, 4):
                delta = delta[0]
            delta = None if delta is None else delta.ravel()
            out = None if layer.output is None else np.asarray(layer.output, float)
            if out is not None and out.ndim in (2, 4):
                out = out[0]  # a batch: its first sample
            shape = None if out is None else out.shape
            out = None if out is None else out.ravel()
        if kind == "ConvLayer":
            if neurons_model:
                W = [[[[w.weight for w in u] for u in c] for c in f] for f in layer.W]
                G = [[[[w.gradient for w in u] for u in c] for c in f] for f in layer.W]
            else:
                W = np.asarray(layer.W).tolist()
                G = None if layer.W_grad is None else np.asarray(layer.W_grad).tolist()
            for f, filt in enumerate(W):
                for c, channel in enumerate(filt):
                    figs.append(_figure(grid_svg(channel, 16), f"W[{f},{c}]"))
                    if G is not None:
                        figs.append(_figure(grid_svg(G[f][c], 16), f"∂E/∂W[{f},{c}]"))
        if out is not None and len(shape) == 3:
            for c, m in enumerate(_maps(out, shape)):
                figs.append(_figure(grid_svg(m, 14, signed=False), f"map {c} (a)"))
            if delta is not None and any(delta):
                for c, m in enumerate(_maps(delta, shape)):
                    figs.append(_figure(grid_svg(m, 14), f"map {c} (δ)"))
        elif out is not None:
            figs.append("<code>a = [" + ", ".join(_num(v) for v in out) + "]</code>")
        parts.append(f"<div><i>layers[{k if neurons_model else k - 1}]: {html.escape(kind)}"
                     f"</i><br>{''.join(figs)}</div>")
    return "".join(parts) + "</div>"


def _is_cnn(net):
    return any(isinstance(s, str) for s in net.layer_sizes)


@_for("neurons.network", "Network")
@_for("vectorized.network", "Network")
def network_html(net):
    """A fully connected network as the SVG drawing (names, a, δ, weights); a CNN as maps."""
    if _is_cnn(net):
        return cnn_html(net)
    return f"<div class='neurons-lab'>{to_svg(net)}</div>"


@_for("neurons.node", "Node")
@_for("neurons.conv", "ConvNode")
@_for("neurons.pool", "PoolNode")
def node_html(node):
    rows = [("output a", _num(node.output)), ("net", _num(node.net)),
            ("δ = −∂E/∂net", _num(node.delta))]
    for conn in node.upstream:
        up = conn.upstream_node
        name = "bias" if up.is_const else f"w from {up.layer_index}-{up.node_index}"
        rows.append((name, f"<span style='color:{POSITIVE if conn.weight >= 0 else NEGATIVE}'>"
                           f"{_num(conn.weight)}</span>"))
    return _table(f"layers[{node.layer_index}].nodes[{node.node_index}] "
                  f"({type(node).__name__})", rows)


@_for("neurons.connection", "Connection")
@_for("neurons.shared", "SharedConnection")
@_for("neurons.shared", "SharedWeight")
def connection_html(conn):
    colour = POSITIVE if conn.weight >= 0 else NEGATIVE
    rows = [("weight w_ji", f"<span style='color:{colour}'>{_num(conn.weight)}</span>"),
            ("gradient ∂E/∂w", _num(conn.gradient))]
    if getattr(conn, "downstream_node", None) is not None:  # a SharedWeight joins no nodes
        rows += [("x_i (upstream output)", _num(conn.upstream_node.output)),
                 ("δ_j (downstream)", _num(getattr(conn.downstream_node, "delta", None)))]
    return _table(html.escape(repr(conn)), rows)


@_for("neurons.layer", "Layer")
@_for("neurons.conv", "ConvLayer")
@_for("neurons.pool", "PoolLayer")
def neurons_layer_html(layer):
    shape = getattr(layer, "shape", (len(layer.nodes),))
    if len(shape) == 3:
        maps = "".join(_figure(grid_svg(m, 14, signed=False), f"map {c}")
                       for c, m in enumerate(_maps([n.output for n in layer.nodes], shape)))
        return f"<div class='neurons-lab'><b>{html.escape(repr(layer))}</b><br>{maps}</div>"
    rows = [(f"nodes[{i}]", f"a={_num(n.output)}, δ={_num(n.delta)}")
            for i, n in enumerate(layer.nodes)]
    return _table(repr(layer), rows)


@_for("vectorized.layer", "FullConnectedLayer")
@_for("vectorized.conv", "ConvLayer")
@_for("vectorized.pool", "MaxPoolingLayer")
def vectorized_layer_html(layer):
    import numpy as np

    figs = []
    for attr in ("W", "W_grad", "b", "b_grad", "output", "delta"):
        v = getattr(layer, attr, None)
        if v is None:
            continue
        a = np.asarray(v, float)
        if a.ndim == 4:
            a = a.reshape(-1, *a.shape[-2:])[0] if attr.startswith("W") else a[0]
        if a.ndim == 3:
            a = a[0]
        if a.ndim == 1:
            a = a.reshape(1, -1)
        figs.append(_figure(grid_svg(a.tolist(), 14), f"{attr} {tuple(np.shape(v))}"))
    return (f"<div class='neurons-lab'><b>{html.escape(repr(layer))}</b><br>"
            f"{''.join(figs)}</div>")


def register(ipython=None):
    """Register the HTML formatters with IPython (``ipython``, or the running one). Returns
    the number of types registered (0 outside IPython)."""
    if ipython is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return 0
        ipython = get_ipython()
    if ipython is None:
        return 0
    formatter = ipython.display_formatter.formatters["text/html"]
    for (module, name), fn in _TYPES.items():
        formatter.for_type_by_name(module, name, fn)
    return len(_TYPES)


def html_of(obj):
    """The HTML a notebook shows for ``obj`` (None for a type without a drawing)."""
    for klass in type(obj).__mro__:
        fn = _TYPES.get((klass.__module__, klass.__name__))
        if fn is not None:
            return fn(obj)
    return None
