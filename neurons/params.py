"""Read and load a Network's parameters as nested lists, one (W, b) pair per layer with
parameters: a fully connected layer's W[j][i] = w_ji (out × in) and b[j]; a conv layer's
W[f][c][u][v] (N, C, K, K) and b[f] (N,), read from its SharedWeights."""

from . import checks
from .conv import ConvLayer


def collect(layers, attr):
    """[(W, b), …] of ``attr`` ("weight" or "gradient") for ``layers``, as new nested lists."""
    result = []
    for layer in layers:
        if isinstance(layer, ConvLayer):
            W = [[[[getattr(w, attr) for w in u] for u in c] for c in f] for f in layer.W]
            b = [getattr(w, attr) for w in layer.b]
        else:
            W = [[getattr(c, attr) for c in node.upstream[:-1]] for node in layer.nodes]
            b = [getattr(node.upstream[-1], attr) for node in layer.nodes]
        result.append((W, b))
    return result


def check(params, layers, all_layers):
    """``params`` checked against ``layers`` (those of ``all_layers`` with parameters: shapes
    and values), as nested lists of floats; nothing is changed."""
    if isinstance(params, (str, bytes)) or not hasattr(params, "__len__"):
        raise TypeError(f"params must be a list of (W, b) pairs, not {type(params).__name__}")
    if len(params) != len(layers):
        some = " with parameters" if len(layers) < len(all_layers) - 1 else ""
        raise ValueError(f"params has {len(params)} layers, the network has {len(layers)}{some}")
    checked = []
    for k, (pair, layer) in enumerate(zip(params, layers)):
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"params[{k}] must be a (W, b) pair, got {type(pair).__name__}")
        W, b = pair
        i = layer.layer_index
        if isinstance(layer, ConvLayer):
            N, (C, _, _), K = layer.filters, layer.in_shape, layer.kernel
            rows = _nested(W, (N, C, K), f"params[{k}] W", f"a {N}×{C}×{K}×{K} array",
                           (f"layer {i} has {N} filters", f"layer {i - 1} has {C} channels",
                            f"the kernel has {K} rows"))
            W = [[[checks.as_vector(r, K, f"params[{k}] W[{f}][{c}][{u}]", "the kernel")
                   for u, r in enumerate(ch)] for c, ch in enumerate(fw)]
                 for f, fw in enumerate(rows)]
        else:
            n_in, n_out = len(layer.nodes[0].upstream) - 1, len(layer.nodes)
            rows = _nested(W, (n_out,), f"params[{k}] W", f"a {n_out}×{n_in} matrix",
                           (f"layer {i} has {n_out} nodes",))
            W = [checks.as_vector(row, n_in, f"params[{k}] W[{j}]", f"layer {i - 1}")
                 for j, row in enumerate(rows)]
        checked.append((W, checks.as_vector(b, len(layer.b) if isinstance(layer, ConvLayer)
                                            else len(layer.nodes), f"params[{k}] b",
                                            f"layer {i}")))
    return checked


def _nested(values, lengths, what, kind, says):
    """``values`` as nested lists of the given leading ``lengths`` (the innermost rows are
    left to checks.as_vector); ``says[d]`` names where length d comes from."""
    shape = getattr(values, "shape", None)  # an array (NumPy's): its dimensions, checked once
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__") or shape == ():
        raise TypeError(f"{what} must be {kind}, got {type(values).__name__}")
    if shape is not None and len(shape) != len(lengths) + 1:
        raise ValueError(f"{what} must be {kind}, got shape {tuple(shape)}")
    if len(values) != lengths[0]:
        unit = "rows" if len(lengths) == 1 else ("filters", "channels", "rows")[3 - len(lengths)]
        raise ValueError(f"{what} has {len(values)} {unit}, {says[0]}")
    if len(lengths) == 1:
        return list(values)
    return [_nested(v, lengths[1:], f"{what}[{j}]", kind, says[1:])
            for j, v in enumerate(values)]


def load(layers, checked):
    """Write checked (W, b) pairs into ``layers`` (a conv layer's SharedWeights)."""
    for layer, (W, b) in zip(layers, checked):
        if isinstance(layer, ConvLayer):
            for shared_f, values_f in zip(layer.W, W):
                for shared_c, values_c in zip(shared_f, values_f):
                    for shared_u, values_u in zip(shared_c, values_c):
                        for shared, value in zip(shared_u, values_u):
                            shared.weight = value
            for shared, value in zip(layer.b, b):
                shared.weight = value
        else:
            for node, row, bias in zip(layer.nodes, W, b):
                for conn, w in zip(node.upstream, row):
                    conn.weight = w
                node.upstream[-1].weight = bias
