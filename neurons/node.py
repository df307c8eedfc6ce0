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
    is_const = False

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

    def calc_output_layer_delta(self, dE_dy):
        """式3, for any element-wise output: δ_j = −f'(net_j) · ∂E/∂y_j.

        With sigmoid and E = ½Σ(t−y)² (∂E/∂y_j = y_j − t_j) this is y_j(1−y_j)(t_j−y_j).
        """
        self.delta = -self._f_prime(self.net, self.output) * dE_dy

    def calc_hidden_layer_delta(self):
        """式4: δ_i = f'(net_i) · Σ_k w_ki δ_k, over the connections to the layer above."""
        total = 0.0
        for conn in self.downstream:
            total += conn.weight * conn.downstream_node.delta
        self.delta = self._f_prime(self.net, self.output) * total

    def calc_upstream_gradient(self, accumulate=False):
        """∂E/∂w_ji = −δ_j · x_i for every upstream connection (the bias: x = 1).

        The formula of Connection.calc_gradient with δ_j read once per node rather than once
        per connection. ``accumulate`` adds to the stored gradient (summing a mini-batch)
        instead of replacing it.
        """
        minus_delta = -self.delta
        if accumulate:
            for conn in self.upstream:
                conn.gradient += minus_delta * conn.upstream_node.output
        else:
            for conn in self.upstream:
                conn.gradient = minus_delta * conn.upstream_node.output

    def update_upstream_weights(self, rate, l2=0.0):
        """One sample's step on every upstream connection, as the tutorial's update_weight:
        gradient = −δ_j · x_i (+ λ·w_ji on weights), then 式5: w_ji −= η · gradient.

        Computing and applying each gradient in the same pass visits every connection once.
        """
        minus_delta = -self.delta
        if l2:
            weights = self.upstream[:-1]  # the last upstream connection is the bias: no L2
            for conn in weights:
                gradient = minus_delta * conn.upstream_node.output + l2 * conn.weight
                conn.gradient = gradient
                conn.weight -= rate * gradient
            bias = self.upstream[-1]
            bias.gradient = minus_delta
            bias.weight -= rate * minus_delta
        else:
            for conn in self.upstream:
                gradient = minus_delta * conn.upstream_node.output
                conn.gradient = gradient
                conn.weight -= rate * gradient

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
