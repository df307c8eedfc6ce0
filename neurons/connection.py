"""Connection (one weight) and Connections (all of a network's weights, in a fixed order)."""


def l2_gradient(l2, weight):
    """∂(λ/2 · w²)/∂w = λ·w: the L2 part of a weight's gradient (biases have none). A shared
    weight (neurons.shared) adds it once, however many Connections use it."""
    return l2 * weight


class Connection:
    """The weight ``w_ji`` from upstream node i to downstream node j.

    Sign convention: ``gradient`` holds the true gradient ∂E/∂w_ji = −δ_j · x_ji (+ λ·w_ji for
    a weight under L2), the same sign as PyTorch's ``.grad``. The tutorial stores the
    *negative* gradient (δ_j · x_ji) and adds it; we store the gradient and subtract it, which
    is the same step (式5). A bias is the connection from a layer's ConstNode (x = 1).

    ``batch_sum`` is the running sum of the gradients of a mini-batch's samples (0 between
    batches). ``owns_weight``: the weight is this Connection's own (a conv layer's
    SharedConnection carries a SharedWeight instead, neurons.shared, which adds its λw itself).
    """

    __slots__ = ("upstream_node", "downstream_node", "weight", "gradient", "batch_sum")
    owns_weight = True

    def __init__(self, upstream_node, downstream_node, weight):
        self.upstream_node = upstream_node
        self.downstream_node = downstream_node
        self.weight = weight
        self.gradient = 0.0
        self.batch_sum = 0.0

    def calc_gradient(self, l2=0.0):
        """∂E/∂w_ji = −δ_j · x_ji, plus λ·w_ji (``l2`` = λ, 0 for no L2 term) on a weight of
        its own (never on a bias; a shared weight adds its λw once, itself).

        The tutorial's calc_gradient stores δ_j · x_ji, the negative of this.
        """
        self.gradient = -self.downstream_node.delta * self.upstream_node.output
        if l2 and self.owns_weight and not self.upstream_node.is_const:
            self.gradient += l2_gradient(l2, self.weight)

    def update_weight(self, rate):
        """式5: w_ji ← w_ji + η·δ_j·x_ji, i.e. w_ji ← w_ji − η·∂E/∂w_ji (our sign)."""
        self.weight -= rate * self.gradient

    def add_to_batch(self):
        """Mini-batch: add this sample's gradient to the batch's sum."""
        self.batch_sum += self.gradient

    def take_batch_mean(self, batch_size):
        """Mini-batch: the gradient to step by is the mean over the batch; the sum restarts."""
        self.gradient = self.batch_sum / batch_size
        self.batch_sum = 0.0

    @property
    def is_bias(self):
        """True when the upstream node is a ConstNode (its weight is the bias b_j)."""
        return self.upstream_node.is_const

    def __repr__(self):
        up, down = self.upstream_node, self.downstream_node
        up_name = f"{up.layer_index}-{'b' if up.is_const else up.node_index}"
        return (
            f"Connection({up_name} → {down.layer_index}-{down.node_index}, "
            f"weight={self.weight:.4g}, gradient={self.gradient:.4g})"
        )


class Connections:
    """Every connection of a network, in the order of the flattened parameters.

    Layer by layer; inside a layer the weights row by row in W[j][i] order (j downstream,
    i upstream), then the biases in j order. This is also the order in which the seeded
    initialisation draws the values, so ``connections[k]`` is the k-th number drawn.
    """

    __slots__ = ("_connections",)

    def __init__(self):
        self._connections = []

    def add_connection(self, connection):
        self._connections.append(connection)

    def __iter__(self):
        return iter(self._connections)

    def __len__(self):
        return len(self._connections)

    def __getitem__(self, k):
        return self._connections[k]

    def dump(self):
        for conn in self._connections:
            print(conn)

    def __repr__(self):
        return f"Connections({len(self._connections)} connections)"
