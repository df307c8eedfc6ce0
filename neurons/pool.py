"""Max-pooling as Nodes: one PoolNode per output position (channel c, row y, column x).

A pool node outputs the largest value of its K×K window (stride K) and has no parameters and no
activation. Its derivative with respect to an input is 1 for the window's maximum and 0 for the
others, so backprop passes the pool node's δ to its maximum alone: each PoolConnection's
``weight`` is exactly that derivative, and 式4 of the node below (Node.calc_hidden_layer_delta,
Σ_k w_ki δ_k) runs unchanged. On a tie the FIRST maximum in row-major order wins (docs/design.md).
"""

from .layer import Layer
from .node import ConstNode, Node


class PoolConnection:
    """From a node of a window to its pool node; not a parameter (nothing to train).

    ``weight`` = ∂y_pool/∂x_i: 1.0 when the upstream node is the pool node's ``winner`` (after
    the last forward pass), else 0.0.
    """

    __slots__ = ("upstream_node", "downstream_node")
    is_bias = False

    def __init__(self, upstream_node, downstream_node):
        self.upstream_node = upstream_node
        self.downstream_node = downstream_node

    @property
    def weight(self):
        return 1.0 if self.downstream_node.winner is self.upstream_node else 0.0

    def __repr__(self):
        up, down = self.upstream_node, self.downstream_node
        return (f"PoolConnection({up.layer_index}-{up.node_index} → "
                f"{down.layer_index}-{down.node_index}, weight={self.weight:g})")


class PoolNode(Node):
    """Pool node at (``channel``, ``y``, ``x``) of layer ``layer_index``; its window is rows
    y·K … y·K+K−1, columns x·K … x·K+K−1 of the map below (``upstream`` in row-major order).
    ``winner``: the upstream node whose value the last forward pass passed on. δ as any hidden
    node with f' = 1 (式4)."""

    __slots__ = ("channel", "y", "x", "size", "winner")

    def __init__(self, layer_index, node_index, channel, y, x, size):
        super().__init__(layer_index, node_index, "identity")  # no activation: f' = 1
        self.channel, self.y, self.x, self.size = channel, y, x, size
        self.winner = None

    def calc_output(self):
        """y = max of the window; the first maximum in row-major order is the winner."""
        winner = None
        for conn in self.upstream:
            node = conn.upstream_node
            if winner is None or node.output > winner.output:  # strict: ties keep the first
                winner = node
        self.winner = winner
        self.net = self.output = winner.output

    def __repr__(self):
        K = self.size
        rows, cols = f"{self.y * K}–{self.y * K + K - 1}", f"{self.x * K}–{self.x * K + K - 1}"
        won = "none yet"
        for k, conn in enumerate(self.upstream):
            if conn.upstream_node is self.winner:
                u, v = divmod(k, K)
                won = f"row {self.y * K + u}, col {self.x * K + v}"
        return (
            f"PoolNode(layer={self.layer_index}, channel={self.channel}, y={self.y}, x={self.x}, "
            f"window rows {rows} cols {cols}, winner at {won}, output={self.output:.4g}, "
            f"delta={self.delta:.4g})"
        )


class PoolLayer(Layer):
    """Pooling layer ``layer_index`` from a LayerSpec of kind "pool": ``shape`` (C, H//K, W//K),
    ``in_shape`` (C, H, W), ``kernel`` K; nodes in row-major (c, y, x) order."""

    __slots__ = ("in_shape", "kernel")

    def __init__(self, layer_index, spec):
        self.layer_index = layer_index
        self.activation = None
        self.in_shape, self.shape, self.kernel = spec.in_shape, spec.out_shape, spec.kernel
        C, OH, OW = self.shape
        self.nodes = [PoolNode(layer_index, (c * OH + y) * OW + x, c, y, x, self.kernel)
                      for c in range(C) for y in range(OH) for x in range(OW)]
        self.const_node = ConstNode(layer_index, len(self.nodes))

    def connect(self, lower):
        """Wire each pool node to its window (rows and columns beyond ⌊H/K⌋·K are left out)."""
        _, H, W = self.in_shape
        K = self.kernel
        for node in self.nodes:
            for u in range(K):
                for v in range(K):
                    upstream = lower.nodes[(node.channel * H + node.y * K + u) * W
                                           + node.x * K + v]
                    conn = PoolConnection(upstream, node)
                    node.append_upstream_connection(conn)
                    upstream.append_downstream_connection(conn)

    def dump(self):
        print(f"layer {self.layer_index} (max-pool {self.kernel}x{self.kernel}):")
        for node in self.nodes:
            print("   ", node)

    def __repr__(self):
        dims = "x".join(map(str, self.shape))
        return f"PoolLayer({self.layer_index}, {self.kernel}x{self.kernel}, {dims} nodes)"
