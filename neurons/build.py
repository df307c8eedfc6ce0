"""Build a Network's object graph from its parsed ``layer_sizes`` (neurons.spec).

``layers[k]`` is entry k of ``layer_sizes``: the input layer (its nodes hold the sample, a
CNN's map flattened row-major from (C, H, W)), then a Layer (fully connected), ConvLayer,
PoolLayer or DropoutLayer per entry. Parameters are drawn from ``random.Random(seed)`` layer by
layer in docs/design.md's order (W row-major, then b), so the same seed gives the same numbers as
vectorized. A fully connected layer above a map reads its nodes in their (row-major) order.
"""

from .connection import Connection
from .conv import ConvLayer
from .dropout import DropoutLayer
from .initialization import draw
from .layer import Layer
from .pool import PoolLayer


def count_hidden(specs):
    """Hidden layers of a spec (one activation each): conv and fully connected but the output."""
    return sum(spec.kind in ("conv", "full") for spec in specs) - 1


class Graph:
    """What :func:`build` returns.

    ``layers``; ``connections``: every Connection with a weight (fully connected and shared),
    in parameter order; ``weights``: every trained number once, in draw order — a fully
    connected layer's Connections, a conv layer's SharedWeights; ``shared_weights``: the
    SharedWeights alone; ``with_parameters``: the layers that have parameters.
    """

    def __init__(self):
        self.layers, self.connections, self.weights = [], [], []
        self.shared_weights, self.with_parameters = [], []


def build(specs, activations, init, rng):
    """The object graph for ``specs``; ``activations``: one name per conv or fully connected
    layer (the output's last); ``rng``: the ``random.Random`` the parameters are drawn from."""
    graph = Graph()
    first = Layer(0, specs[0].in_size)
    first.shape = specs[0].in_shape
    graph.layers.append(first)
    names = iter(activations)
    last = specs[-1].index
    for spec in specs:
        lower, k = graph.layers[-1], spec.index
        if spec.kind == "full":
            layer = Layer(k, spec.out_size, next(names), output_layer=k == last)
            conns = connect_full(lower, layer, rng, init)
            graph.connections.extend(conns)
            graph.weights.extend(conns)
        elif spec.kind == "conv":
            layer = ConvLayer(k, spec, next(names))
            shared, conns = layer.connect(lower, rng, init)
            graph.connections.extend(conns)
            graph.weights.extend(shared)
            graph.shared_weights.extend(shared)
        elif spec.kind == "pool":
            layer = PoolLayer(k, spec)
            layer.connect(lower)
        else:
            layer = DropoutLayer(k, spec.out_size, spec.p)
            layer.connect(lower)
        if spec.kind in ("full", "conv"):
            graph.with_parameters.append(layer)
        graph.layers.append(layer)
    return graph


def connect_full(lower, upper, rng, init):
    """The weights from ``lower`` to ``upper``, drawn in W[j][i] order, then the biases.

    Returns the Connections in that order (weights row by row, then biases).
    """
    n_in, n_out = len(lower.nodes), len(upper.nodes)
    weights, biases = draw(rng, init, n_in, n_out, n_in * n_out, n_out)
    rows = [[Connection(up, node, weights[j * n_in + i]) for i, up in enumerate(lower.nodes)]
            for j, node in enumerate(upper.nodes)]
    bias_conns = [Connection(lower.const_node, node, b) for node, b in zip(upper.nodes, biases)]
    # every node's upstream list: its weights in i order, then its bias (last)
    for row, bias in zip(rows, bias_conns):
        for conn in row + [bias]:
            conn.downstream_node.append_upstream_connection(conn)
            conn.upstream_node.append_downstream_connection(conn)
    return [c for row in rows for c in row] + bias_conns
