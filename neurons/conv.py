"""A convolutional layer as Nodes: one ConvNode per output position (filter f, row y, column x).

The CNN article's formula (1), with stride S and zero padding P (cross-correlation):

    net[f,y,x] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v] · in[c, y·S+u−P, x·S+v−P],   a = f(net)

is 式1 for node (f, y, x): its upstream Connections are its receptive field — one per (c, u, v)
whose input position lies inside the map (a position in the zero padding has no Connection,
which is the same as an input of 0) — and the filter's bias from the ConstNode below. Each
Connection carries one of the filter's SharedWeights (neurons.shared), so 式1 (Node.calc_output)
and 式4 (Node.calc_hidden_layer_delta) run unchanged.
"""

from .initialization import draw
from .layer import Layer
from .node import ConstNode, Node
from .shared import SharedConnection, SharedWeight


class ConvNode(Node):
    """The output of filter ``filter`` at row ``y``, column ``x`` of conv layer ``layer_index``
    (``node_index`` = (filter·OH + y)·OW + x, the row-major order a layer above reads)."""

    __slots__ = ("filter", "y", "x")

    def __init__(self, layer_index, node_index, filter, y, x, activation):
        super().__init__(layer_index, node_index, activation)
        self.filter, self.y, self.x = filter, y, x

    def __repr__(self):
        return (
            f"ConvNode(layer={self.layer_index}, filter={self.filter}, y={self.y}, x={self.x}, "
            f"output={self.output:.4g}, delta={self.delta:.4g})"
        )


class ConvLayer(Layer):
    """Conv layer ``layer_index`` from a :class:`~neurons.spec.LayerSpec` of kind "conv".

    ``shape``: (N, OH, OW); ``in_shape``: (C, H, W); ``W[f][c][u][v]`` and ``b[f]``: the
    SharedWeights. ``nodes`` in row-major (f, y, x) order; a ConstNode for the layer above.
    """

    __slots__ = ("in_shape", "filters", "kernel", "stride", "padding", "W", "b")

    def __init__(self, layer_index, spec, activation):
        self.layer_index = layer_index
        self.activation = activation
        self.in_shape, self.shape = spec.in_shape, spec.out_shape
        self.filters, self.kernel = spec.filters, spec.kernel
        self.stride, self.padding = spec.stride, spec.padding
        N, OH, OW = self.shape
        self.nodes = [ConvNode(layer_index, (f * OH + y) * OW + x, f, y, x, activation)
                      for f in range(N) for y in range(OH) for x in range(OW)]
        self.const_node = ConstNode(layer_index, len(self.nodes))
        self.W, self.b = [], []

    def connect(self, lower, rng, init):
        """Draw the filters (W row-major (f, c, u, v), then b: docs/design.md's order; fan_in =
        C·K·K, fan_out = N·K·K) and wire every node to its receptive field.

        Returns (shared weights in draw order, connections: every node's field connections in
        node order, then the bias connections in node order).
        """
        C, H, W = self.in_shape
        N, OH, OW = self.shape
        K, S, P = self.kernel, self.stride, self.padding
        weights, biases = draw(rng, init, C * K * K, N * K * K, N * C * K * K, N)
        values = iter(weights)
        self.W = [[[[SharedWeight(self.layer_index, f, c, u, v, next(values)) for v in range(K)]
                    for u in range(K)] for c in range(C)] for f in range(N)]
        self.b = [SharedWeight(self.layer_index, f, None, None, None, biases[f])
                  for f in range(N)]
        field, bias = [], []
        for node in self.nodes:
            f, y, x = node.filter, node.y, node.x
            for c in range(C):
                for u in range(K):
                    row = y * S + u - P
                    if not 0 <= row < H:
                        continue  # zero padding: no input, no Connection
                    for v in range(K):
                        col = x * S + v - P
                        if 0 <= col < W:
                            upstream = lower.nodes[(c * H + row) * W + col]
                            field.append(_wire(upstream, node, self.W[f][c][u][v]))
            bias.append(_wire(lower.const_node, node, self.b[f]))
        return self.shared_weights(), field + bias

    def shared_weights(self):
        """Every SharedWeight in draw order: W row-major, then b."""
        return [w for f in self.W for c in f for u in c for w in u] + list(self.b)

    def dump(self):
        print(f"layer {self.layer_index} (conv {self.filters} filters {self.kernel}x{self.kernel}"
              f", stride {self.stride}, padding {self.padding}, {self.activation}):")
        for weight in self.shared_weights():
            print("   ", weight)
        for node in self.nodes:
            print("   ", node)

    def __repr__(self):
        dims = "x".join(map(str, self.shape))
        return (f"ConvLayer({self.layer_index}, {self.filters} filters "
                f"{self.kernel}x{self.kernel}, {dims} nodes, {self.activation})")


def _wire(upstream, downstream, shared):
    conn = SharedConnection(upstream, downstream, shared)
    downstream.append_upstream_connection(conn)
    upstream.append_downstream_connection(conn)
    shared.connections.append(conn)
    return conn
