"""Node (one neuron) and ConstNode (a layer's bias unit): the per-node half of backprop."""

from .activators import get_activator


class Node:
    """Neuron ``node_index`` of layer ``layer_index``.

    ``upstream``: connections arriving here (the layer below's nodes, its ConstNode last);
    ``downstream``: connections leaving for the layer above. After a forward pass ``net`` is the
    weighted input net_j and ``output`` is y_j = f(net_j); after a backward pass ``delta`` is
    δ_j = −∂E/∂net_j (the tutorial's sign).
    """

    __slots__ = (
        "layer_index", "node_index", "upstream", "downstream",
        "net", "output", "delta", "activation", "_f", "_f_prime",
    )
    is_const = False  # not a bias unit

    def __init__(self, layer_index, node_index, activation="sigmoid", *, output_layer=False):
        self.layer_index = layer_index
        self.node_index = node_index
        self.upstream = []
        self.downstream = []
        self.net = 0.0
        self.output = 0.0
        self.delta = 0.0
        self.activation = activation
        if activation == "softmax":  # the layer normalises; the node only sums
            self._f, self._f_prime = None, None
        else:
            self._f, self._f_prime = get_activator(activation, output=output_layer)

    def set_output(self, output):
        """Input-layer nodes just hold the sample's value."""
        self.output = output

    def append_downstream_connection(self, conn):
        self.downstream.append(conn)

    def append_upstream_connection(self, conn):
        self.upstream.append(conn)

    def calc_net(self):
        """net_j = Σ_i w_ji x_i, the bias arriving as the ConstNode's weight times 1."""
        total = 0.0
        for conn in self.upstream:
            total += conn.weight * conn.upstream_node.output
        self.net = total

    def calc_output(self):
        """式1: y_j = f(Σ_i w_ji x_i)."""
        self.calc_net()
        self.output = self._f(self.net)

    def calc_output_layer_delta(self, label, outputs, dE_dy, loss):
        """式3, generalised to every output activation and loss: δ_j = −∂E/∂net_j.

        The layer hands every output node the same four things: the target ``label`` (t), the
        layer's ``outputs`` (y), ``dE_dy`` = [∂E/∂y_k for every k] (the loss's gradient) and
        the ``loss``'s name.

        Element-wise f (every activation but softmax): δ_j = −f'(net_j) · ∂E/∂y_j. With sigmoid
        and E = ½Σ(t−y)² (∂E/∂y_j = y_j − t_j) this is 式3 itself, y_j(1−y_j)(t_j−y_j).

        Softmax: ∂y_k/∂net_j = y_k(1[k=j] − y_j) mixes the whole layer, so
        δ_j = y_j (Σ_k y_k ∂E/∂y_k − ∂E/∂y_j). With cross-entropy (∂E/∂y_k = −t_k/y_k) that is
        δ_j = t_j − y_j Σ_k t_k (t_j − y_j for a one-hot t), formed directly: no division by a
        y_k that may have rounded to 0.
        """
        j = self.node_index
        if self.activation != "softmax":
            self.delta = -self._f_prime(self.net, self.output) * dE_dy[j]
        elif loss == "cross_entropy":
            self.delta = label[j] - self.output * sum(label)
        else:
            self.delta = self.output * (sum(y * g for y, g in zip(outputs, dE_dy)) - dE_dy[j])

    def calc_hidden_layer_delta(self):
        """式4: δ_i = f'(net_i) · Σ_k w_ki δ_k, over the connections to the layer above."""
        total = 0.0
        for conn in self.downstream:
            total += conn.weight * conn.downstream_node.delta
        self.delta = self._f_prime(self.net, self.output) * total

    def __repr__(self):
        return (
            f"Node(layer={self.layer_index}, index={self.node_index}, "
            f"output={self.output:.4g}, delta={self.delta:.4g})"
        )


class ConstNode:
    """A layer's bias unit: output always 1, no upstream, no delta; its downstream connections
    are the biases b_j of the layer above."""

    __slots__ = ("layer_index", "node_index", "downstream")
    is_const = True
    output = 1.0
    upstream = ()

    def __init__(self, layer_index, node_index):
        self.layer_index = layer_index
        self.node_index = node_index
        self.downstream = []

    def append_downstream_connection(self, conn):
        self.downstream.append(conn)

    def __repr__(self):
        return f"ConstNode(layer={self.layer_index}, index={self.node_index}, output=1)"
