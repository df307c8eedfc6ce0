"""Layer: a row of Nodes, plus a ConstNode (bias unit) in every layer but the output layer."""

from .activators import softmax
from .node import ConstNode, Node


class Layer:
    """Layer ``layer_index`` with ``node_count`` nodes.

    ``activation`` is None for the input layer (its nodes hold the sample). An output layer
    with ``activation="softmax"`` sums per node, then normalises across the layer.
    """

    __slots__ = ("layer_index", "nodes", "const_node", "activation")

    def __init__(self, layer_index, node_count, activation=None, *, output_layer=False):
        self.layer_index = layer_index
        self.activation = activation
        self.nodes = [
            Node(layer_index, i, activation or "identity", output_layer=output_layer)
            for i in range(node_count)
        ]
        self.const_node = None if output_layer else ConstNode(layer_index, node_count)

    def set_output(self, data):
        """Input layer: node i outputs data[i]."""
        for node, value in zip(self.nodes, data):
            node.set_output(value)

    def outputs(self):
        """[y_0, …, y_(n−1)] and, when the layer has a ConstNode, its 1 last."""
        values = [node.output for node in self.nodes]
        if self.const_node is not None:
            values.append(1.0)
        return values

    def calc_output(self):
        """Forward pass of every node (the layer below must already be computed)."""
        if self.activation == "softmax":
            for node in self.nodes:
                node.calc_net()
            for node, y in zip(self.nodes, softmax([node.net for node in self.nodes])):
                node.output = y
        else:
            for node in self.nodes:
                node.calc_output()

    def dump(self):
        print(f"layer {self.layer_index} ({self.activation or 'input'}):")
        for node in self.nodes:
            print("   ", node)
        if self.const_node is not None:
            print("   ", self.const_node)

    def __repr__(self):
        kind = self.activation or "input"
        return f"Layer({self.layer_index}, {len(self.nodes)} nodes, {kind})"
