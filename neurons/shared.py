"""Shared weights: the CNN article's "weight sharing" as objects.

A conv layer's filter f is C·K·K numbers W[f,c,u,v] and one bias b[f], used at every output
position. In the object graph each of these numbers is ONE :class:`SharedWeight`, and every
:class:`SharedConnection` that uses it (one per output position whose receptive field
reaches that input) refers to it. Nothing else is new: 式1 and 式4 read ``conn.weight`` as
always (a SharedConnection's is its shared weight's value).

The gradient of a shared weight is the sum over its uses, because E depends on w through every
Connection that carries it:

    ∂E/∂w = Σ_{connections j←i using w} (−δ_j · x_i)   (+ λ·w once, for the L2 term λ/2 Σ W²)

Both are Connections (the same 式5, gradient and mini-batch methods, the very same code):
  1. every SharedConnection's ``calc_gradient`` (Connection.calc_gradient): its contribution
     −δ_j·x_i, kept in ``conn.gradient``;
  2. each SharedWeight's ``calc_gradient(λ)``: λ·w (0 for a bias) plus the sum of its
     Connections' contributions, once per shared weight;
  3. ``update_weight(rate)``: 式5, w ← w − η·∂E/∂w, once per shared weight (Connection's).
A mini-batch adds each sample's sum with ``add_to_batch`` and steps by ``take_batch_mean``
(again Connection's methods): the per-connection contributions are never batched.
"""

from .connection import Connection, l2_gradient


class SharedWeight(Connection):
    """W[filter, channel, u, v] of conv layer ``layer_index`` (``channel``, ``u``, ``v`` are None
    for the filter's bias b[filter]).

    ``weight``: the value; ``gradient``: ∂E/∂w summed over ``connections`` (the
    SharedConnections that use it), λ·w included once; ``batch_sum``: the mini-batch's running
    sum of gradients. A Connection between no nodes: ``update_weight`` (式5), ``add_to_batch``
    and ``take_batch_mean`` are Connection's own.
    """

    __slots__ = ("layer_index", "filter", "channel", "u", "v", "connections")

    def __init__(self, layer_index, filter, channel, u, v, weight):
        super().__init__(None, None, weight)
        self.layer_index = layer_index
        self.filter = filter
        self.channel, self.u, self.v = channel, u, v
        self.connections = []

    @property
    def is_bias(self):
        return self.channel is None

    def calc_gradient(self, l2=0.0):
        """∂E/∂w = λ·w (biases: 0) + Σ of its Connections' −δ_j·x_i (after their calc_gradient).

        λ/2 Σ W² counts each shared weight once, so its λ·w is added once, here.
        """
        total = l2_gradient(l2, self.weight) if l2 and not self.is_bias else 0.0
        for conn in self.connections:
            total += conn.gradient
        self.gradient = total

    def name(self):
        if self.is_bias:
            return f"b[{self.filter}]"
        return f"W[{self.filter},{self.channel},{self.u},{self.v}]"

    def __repr__(self):
        return (
            f"SharedWeight(layer={self.layer_index}, {self.name()}, weight={self.weight:.4g}, "
            f"gradient={self.gradient:.4g}, shared by {len(self.connections)} connections)"
        )


class SharedConnection(Connection):
    """A conv Connection: from input node i to conv node j, carrying ``shared`` (a SharedWeight).

    ``weight`` reads the shared value (assign to ``shared.weight`` to change it for every use);
    ``gradient`` (Connection.calc_gradient: −δ_j·x_i, no λ·w, the shared weight adds that once)
    is this connection's contribution to ``shared.gradient``.
    """

    __slots__ = ("shared",)
    owns_weight = False  # its SharedWeight adds λw, once

    def __init__(self, upstream_node, downstream_node, shared):
        self.upstream_node = upstream_node
        self.downstream_node = downstream_node
        self.shared = shared  # its weight (a read-only property here)
        self.gradient = 0.0
        self.batch_sum = 0.0

    @property
    def weight(self):
        return self.shared.weight

    def __repr__(self):
        up, down = self.upstream_node, self.downstream_node
        up_name = f"{up.layer_index}-{'b' if up.is_const else up.node_index}"
        return (
            f"SharedConnection({up_name} → {down.layer_index}-{down.node_index}, "
            f"{self.shared.name()}={self.weight:.4g}, contribution={self.gradient:.4g})"
        )
