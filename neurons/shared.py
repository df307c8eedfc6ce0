"""Shared weights: the CNN article's "weight sharing" as objects.

A conv layer's filter f is C·K·K numbers W[f,c,u,v] and one bias b[f], used at every output
position. In the object graph each of these numbers is ONE :class:`SharedWeight`, and every
:class:`SharedConnection` that uses it (one per output position whose receptive field
reaches that input) refers to it. Nothing else is new: 式1 and 式4 read ``conn.weight`` as
always (a SharedConnection's is its shared weight's value).

The gradient of a shared weight is the sum over its uses, because E depends on w through every
Connection that carries it:

    ∂E/∂w = Σ_{connections j←i using w} (−δ_j · x_i)   (+ λ·w once, for the L2 term λ/2 Σ W²)

One training step (neurons.Network) therefore runs, for a shared weight:
  1. ``start_gradient(λ)``: the sum starts at λ·w (0 for a bias), once per shared weight;
  2. each SharedConnection's ``calc_gradient``: Connection.calc_gradient's −δ_j·x_i (its
     contribution, kept in ``conn.gradient`` for inspection), added to the shared sum;
  3. ``update_weight(rate)``: 式5, w ← w − η·∂E/∂w, once per shared weight — the very method
     of a Connection, called on the SharedWeight.
A mini-batch adds each sample's sum with ``add_to_batch`` and steps by ``take_batch_mean``
(again Connection's methods): the per-connection contributions are never batched.
"""

from .connection import Connection, l2_gradient


class SharedWeight:
    """W[filter, channel, u, v] of conv layer ``layer_index`` (``channel``, ``u``, ``v`` are None
    for the filter's bias b[filter]).

    ``weight``: the value; ``gradient``: ∂E/∂w summed over ``connections`` (the
    SharedConnections that use it), λ·w included once; ``batch_sum``: the mini-batch's running
    sum of gradients.
    """

    __slots__ = ("layer_index", "filter", "channel", "u", "v",
                 "weight", "gradient", "batch_sum", "connections")

    def __init__(self, layer_index, filter, channel, u, v, weight):
        self.layer_index = layer_index
        self.filter = filter
        self.channel, self.u, self.v = channel, u, v
        self.weight = weight
        self.gradient = 0.0
        self.batch_sum = 0.0
        self.connections = []

    @property
    def is_bias(self):
        return self.channel is None

    def start_gradient(self, l2=0.0):
        """Before the Connections add their −δ_j·x_i: the sum starts at λ·w (biases: 0).

        λ/2 Σ W² counts each shared weight once, so its λ·w is added once, here.
        """
        self.gradient = l2_gradient(l2, self.weight) if l2 and not self.is_bias else 0.0

    # 式5 and the batch mean are a Connection's own methods, applied to this one number.
    def update_weight(self, rate):
        """式5 once per shared weight: w ← w − η · ∂E/∂w (Connection.update_weight)."""
        Connection.update_weight(self, rate)

    def add_to_batch(self):
        Connection.add_to_batch(self)

    def take_batch_mean(self, batch_size):
        Connection.take_batch_mean(self, batch_size)

    def name(self):
        if self.is_bias:
            return f"b[{self.filter}]"
        return f"W[{self.filter},{self.channel},{self.u},{self.v}]"

    def __repr__(self):
        return (
            f"SharedWeight(layer={self.layer_index}, {self.name()}, weight={self.weight:.4g}, "
            f"gradient={self.gradient:.4g}, shared by {len(self.connections)} connections)"
        )


class SharedConnection:
    """A conv Connection: from input node i to conv node j, carrying ``shared`` (a SharedWeight).

    ``weight`` reads the shared value (assign to ``shared.weight`` to change it for every use);
    ``gradient`` is this connection's contribution −δ_j·x_i to ``shared.gradient``.
    """

    __slots__ = ("upstream_node", "downstream_node", "shared", "gradient")

    def __init__(self, upstream_node, downstream_node, shared):
        self.upstream_node = upstream_node
        self.downstream_node = downstream_node
        self.shared = shared
        self.gradient = 0.0

    @property
    def weight(self):
        return self.shared.weight

    @property
    def is_bias(self):
        return self.upstream_node.is_const

    def calc_gradient(self, l2=None):
        """This use's contribution −δ_j·x_i (Connection.calc_gradient, without λ: the shared
        weight adds λ·w once), added to the shared weight's sum."""
        Connection.calc_gradient(self)
        self.shared.gradient += self.gradient

    def __repr__(self):
        up, down = self.upstream_node, self.downstream_node
        up_name = f"{up.layer_index}-{'b' if up.is_const else up.node_index}"
        return (
            f"SharedConnection({up_name} → {down.layer_index}-{down.node_index}, "
            f"{self.shared.name()}={self.weight:.4g}, contribution={self.gradient:.4g})"
        )
