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
        "net", "output", "delta", "activation", "_f", "_f_prime", "is_const",
    )

    def __init__(self, layer_index, node_index, activation="sigmoid", *, output_layer=False):
        # False: not a bias unit. A slot, not a class attribute: CPython 3.11 reads slots in
        # one cached step, and Connection.calc_gradient asks this once per weight under L2
        self.is_const = False
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

    def calc_output_layer_delta(self, dE_dy, softmax_sum=0.0):
        """式3, generalised to every output activation and loss: δ_j = −∂E/∂net_j.

        Element-wise output f (every activation but softmax): ``dE_dy`` is ∂E/∂y_j and
        δ_j = −f'(net_j) · ∂E/∂y_j. With sigmoid and E = ½Σ(t−y)² (∂E/∂y_j = y_j − t_j) this is
        式3 itself, y_j(1−y_j)(t_j−y_j).

        Softmax output: ∂y_k/∂net_j = y_k(1[k=j] − y_j) mixes the whole layer, so the layer
        passes ``dE_dy`` already multiplied by y_j (y_j·∂E/∂y_j) and ``softmax_sum`` =
        Σ_k y_k·∂E/∂y_k; then δ_j = y_j·Σ_k y_k ∂E/∂y_k − y_j·∂E/∂y_j. With cross-entropy
        y_j·∂E/∂y_j = −t_j, so δ_j = t_j − y_j Σ_k t_k (t_j − y_j for a one-hot t).
        """
        if self._f_prime is None:  # softmax
            self.delta = self.output * softmax_sum - dE_dy
        else:
            self.delta = -self._f_prime(self.net, self.output) * dE_dy

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

    __slots__ = ("layer_index", "node_index", "downstream", "is_const")
    output = 1.0
    upstream = ()

    def __init__(self, layer_index, node_index):
        self.is_const = True  # a slot, as Node's
        self.layer_index = layer_index
        self.node_index = node_index
        self.downstream = []

    def append_downstream_connection(self, conn):
        self.downstream.append(conn)

    def __repr__(self):
        return f"ConstNode(layer={self.layer_index}, index={self.node_index}, output=1)"
