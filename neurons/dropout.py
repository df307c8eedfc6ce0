"""Inverted dropout (``"dropP"`` after a fully connected hidden layer) as Nodes.

Each DropNode has one upstream MaskConnection from the node below, whose weight is that node's
mask m: during training m = 1/(1−p) with probability 1 − p (kept, scaled so the expected value
is unchanged) and m = 0 otherwise (dropped), drawn afresh for every forward pass; outside
training (``predict``, ``get_gradient``, ``loss``) m = 1. The DropNode has no activation
(identity), so 式1 gives y = m·x and 式4 hands m·δ down to the node below: a dropped node
learns nothing from that sample.

The masks come from the network's ``dropout_rng``, a ``random.Random(seed)`` of its own (the
initial parameters never depend on it). vectorized draws its masks from NumPy's generator, so
the two packages cannot draw the same masks: compare them without dropout, or with ``drop0``.
"""

from .layer import Layer
from .node import ConstNode, Node


class MaskConnection:
    """From node i of a fully connected layer to its DropNode; ``weight`` is the mask m."""

    __slots__ = ("upstream_node", "downstream_node", "weight")
    is_bias = False

    def __init__(self, upstream_node, downstream_node):
        self.upstream_node = upstream_node
        self.downstream_node = downstream_node
        self.weight = 1.0

    def __repr__(self):
        up, down = self.upstream_node, self.downstream_node
        return (f"MaskConnection({up.layer_index}-{up.node_index} → "
                f"{down.layer_index}-{down.node_index}, mask={self.weight:.4g})")


class DropNode(Node):
    """Dropout node ``node_index`` of layer ``layer_index``: y = m·x (identity activation)."""

    __slots__ = ()

    def __init__(self, layer_index, node_index):
        super().__init__(layer_index, node_index, "identity")

    def __repr__(self):
        mask = self.upstream[0].weight if self.upstream else 1.0
        return (f"DropNode(layer={self.layer_index}, index={self.node_index}, mask={mask:.4g}, "
                f"output={self.output:.4g}, delta={self.delta:.4g})")


class DropoutLayer(Layer):
    """Dropout layer ``layer_index`` of ``node_count`` nodes with probability ``p``."""

    __slots__ = ("p",)

    def __init__(self, layer_index, node_count, p):
        self.layer_index = layer_index
        self.activation = None
        self.p = p
        self.shape = (node_count,)
        self.nodes = [DropNode(layer_index, i) for i in range(node_count)]
        self.const_node = ConstNode(layer_index, node_count)

    def connect(self, lower):
        for below, node in zip(lower.nodes, self.nodes):
            conn = MaskConnection(below, node)
            node.append_upstream_connection(conn)
            below.append_downstream_connection(conn)

    def draw_masks(self, rng):
        """Before a forward pass: fresh masks from ``rng`` (training), or all 1 (``rng`` None)."""
        if rng is None or self.p == 0.0:
            for node in self.nodes:
                node.upstream[0].weight = 1.0
            return
        keep = 1.0 / (1.0 - self.p)
        for node in self.nodes:
            node.upstream[0].weight = keep if rng.random() >= self.p else 0.0

    def dump(self):
        print(f"layer {self.layer_index} (dropout p = {self.p}, training only):")
        for node in self.nodes:
            print("   ", node)

    def __repr__(self):
        return f"DropoutLayer({self.layer_index}, {len(self.nodes)} nodes, p={self.p})"
