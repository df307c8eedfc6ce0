"""Network: the tutorial's fully connected network as an object graph, trained node by node.

One training step is three visible phases (``train_one_sample``), as in the tutorial:
  1. ``predict``        — forward, layer by layer (式1);
  2. ``calc_delta``     — δ of the output layer (式3), then of each hidden layer (式4);
  3. ``update_weight``  — for every Connection, gradient = −δ_j x_i (+ λw), then
                          w −= rate · gradient (式5).
``calc_gradient`` computes and stores the gradients alone (for ``get_gradient`` and mini-batches,
whose step ``apply_gradient`` comes after the batch's gradients are averaged).
"""

import math
import random

from . import checks
from .activators import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, get_activator
from .connection import Connection, Connections
from .layer import Layer
from .losses import get_loss

INITS = ("uniform", "xavier", "he")


def init_bound(init, n_in, n_out):
    """Half-width a of U(−a, a) for the weights, and whether biases are drawn too."""
    if init == "uniform":
        return 0.1, True  # the tutorial: every weight and bias in U(−0.1, 0.1)
    if init == "xavier":
        return math.sqrt(6.0 / (n_in + n_out)), False
    if init == "he":
        return math.sqrt(6.0 / n_in), False
    raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")


class Network:
    """A fully connected network ``layer_sizes = [n_0, …, n_L]`` built from Node objects.

    Weights and biases are Connection objects; ``connections`` lists them all (see
    Connections for the order). See docs/conventions.md for every formula and sign.
    """

    batched = False  # predict and train take one sample per row (the vectorized one batches)

    def __init__(self, layer_sizes, *, activation="sigmoid", output="sigmoid", loss="mse",
                 init="uniform", l2=0.0, seed=None):
        sizes = checks.check_layer_sizes(layer_sizes)
        hidden = _hidden_activations(activation, len(sizes) - 2)
        if output not in OUTPUT_ACTIVATIONS:
            get_activator(output, output=True)  # raises the "unknown activation" error
        self.loss_fn, self.loss_grad = get_loss(loss)
        if loss == "cross_entropy" and output != "softmax":
            raise ValueError(
                f"loss 'cross_entropy' needs output='softmax' (got output={output!r}): "
                "−Σ t log y is only a cross-entropy of a probability vector"
            )
        init_bound(init, 1, 1)  # validate the name before building anything
        self.l2 = checks.as_finite_float(l2, "l2", non_negative=True)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an integer or None, not {seed!r}")

        self.layer_sizes = sizes
        self.activation = hidden
        self.output = output
        self.loss_name = loss
        self.init = init
        self.seed = seed
        last = len(sizes) - 1
        self.layers = [Layer(0, sizes[0])] + [
            Layer(k, sizes[k], hidden[k - 1] if k < last else output, output_layer=k == last)
            for k in range(1, len(sizes))
        ]
        self.connections = Connections()
        rng = random.Random(seed)
        for lower, upper in zip(self.layers, self.layers[1:]):
            self._connect(lower, upper, rng)

    def _connect(self, lower, upper, rng):
        """Create the weights from ``lower`` to ``upper``, drawn in W[j][i] order, then biases."""
        a, draw_bias = init_bound(self.init, len(lower.nodes), len(upper.nodes))
        weights = [[rng.uniform(-a, a) for _ in lower.nodes] for _ in upper.nodes]
        biases = [rng.uniform(-0.1, 0.1) if draw_bias else 0.0 for _ in upper.nodes]
        bias_conns = []
        for node, row, b in zip(upper.nodes, weights, biases):
            bias = Connection(lower.const_node, node, b)
            node.upstream = [Connection(up, node, w) for up, w in zip(lower.nodes, row)]
            node.upstream.append(bias)
            for conn in node.upstream:
                conn.upstream_node.append_downstream_connection(conn)
            self.connections.extend(node.upstream[:-1])
            bias_conns.append(bias)
        self.connections.extend(bias_conns)

    # --- phase 1: forward ---------------------------------------------------------------
    def predict(self, sample):
        """Output vector y (list of n_L floats) for one sample (n_0 numbers)."""
        self._forward(self._check_sample(sample))
        return self.layers[-1].outputs()

    def _forward(self, sample):
        self.layers[0].set_output(sample)
        for layer in self.layers[1:]:
            layer.calc_output()

    # --- phase 2: deltas -----------------------------------------------------------------
    def calc_delta(self, label):
        """δ_j = −∂E/∂net_j: the output layer (式3 generalised), then hidden layers (式4).

        The input layer's deltas are never needed, so never computed.
        """
        out_nodes = self.layers[-1].nodes
        y = [node.output for node in out_nodes]
        if self.output == "softmax":
            for node, d in zip(out_nodes, self._softmax_deltas(y, label)):
                node.delta = d
        else:
            for node, g in zip(out_nodes, self.loss_grad(y, label)):
                node.calc_output_layer_delta(g)
        for layer in reversed(self.layers[1:-1]):
            for node in layer.nodes:
                node.calc_hidden_layer_delta()

    def _softmax_deltas(self, y, t):
        """Output deltas through the softmax Jacobian ∂y_k/∂net_j = y_k(1[k=j] − y_j)."""
        if self.loss_name == "cross_entropy":
            total_t = sum(t)  # fused: δ_j = t_j − y_j Σ_k t_k  (t_j − y_j for one-hot t)
            return [tj - yj * total_t for yj, tj in zip(y, t)]
        g = self.loss_grad(y, t)  # δ_j = −y_j (g_j − Σ_k g_k y_k)
        gy = sum(gk * yk for gk, yk in zip(g, y))
        return [-yj * (gj - gy) for yj, gj in zip(y, g)]

    # --- gradients alone (get_gradient, mini-batches) -------------------------------------
    def calc_gradient(self):
        """Store ∂E/∂w_ji = −δ_j x_i + λ w_ji (biases: −δ_j) in every Connection."""
        self._calc_data_gradient(accumulate=False)
        self._add_l2_gradient()

    def _calc_data_gradient(self, accumulate):
        for layer in self.layers[1:]:
            for node in layer.nodes:
                node.calc_upstream_gradient(accumulate)

    def _add_l2_gradient(self):
        """∂(λ/2 Σ W²)/∂w = λw, on weights only (each node's last upstream is its bias)."""
        l2 = self.l2
        if not l2:
            return
        for layer in self.layers[1:]:
            for node in layer.nodes:
                for conn in node.upstream[:-1]:
                    conn.gradient += l2 * conn.weight

    # --- phase 3: update ------------------------------------------------------------------
    def update_weight(self, rate):
        """One sample's step: every connection computes its gradient and applies 式5.

        Needs ``predict`` and ``calc_delta`` of that sample first; leaves the gradients stored.
        """
        for layer in self.layers[1:]:
            for node in layer.nodes:
                node.update_upstream_weights(rate, self.l2)

    def apply_gradient(self, rate):
        """式5 with the stored gradients: w ← w − η · ∂E/∂w (Connection.update_weight, inlined)."""
        for conn in self.connections:
            conn.weight -= rate * conn.gradient

    # --- training ---------------------------------------------------------------------------
    def train_one_sample(self, label, sample, rate):
        """One SGD step on one sample; returns its loss E before the step."""
        sample = self._check_sample(sample)
        label = self._check_label(label)
        rate = checks.as_finite_float(rate, "rate", positive=True)
        return self._train_batch([label], [sample], rate)

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        """``epoch`` passes over the data in the given order, no shuffling.

        Each step uses ``batch_size`` consecutive samples (the last batch may be shorter) and
        the mean of their gradients. Returns the mean loss E over the last epoch's samples,
        each measured on the forward pass used for its step. Everything is checked first: a
        bad sample anywhere leaves the network untouched.
        """
        rate = checks.as_finite_float(rate, "rate", positive=True)
        epoch = checks.as_positive_int(epoch, "epoch", minimum=0)
        batch_size = checks.as_positive_int(batch_size, "batch_size")
        if len(labels) != len(data_set):
            raise ValueError(
                f"labels has {len(labels)} entries but data_set has {len(data_set)} samples"
            )
        data = [self._check_sample(s, f"data_set[{k}]") for k, s in enumerate(data_set)]
        targets = [self._check_label(t, f"labels[{k}]") for k, t in enumerate(labels)]
        mean_loss = float("nan")
        for _ in range(epoch):
            total = 0.0
            for start in range(0, len(data), batch_size):
                stop = start + batch_size
                total += self._train_batch(targets[start:stop], data[start:stop], rate)
            mean_loss = total / len(data) if data else float("nan")
        return mean_loss

    def _train_batch(self, labels, samples, rate):
        """Step by the batch's mean gradient; returns the batch's summed loss."""
        if len(samples) == 1:  # one sample: the tutorial's fused gradient-and-update pass
            self._forward(samples[0])
            loss = self.loss_fn(self.layers[-1].outputs(), labels[0])
            self.calc_delta(labels[0])
            self.update_weight(rate)
            return loss
        total = 0.0
        for k, (label, sample) in enumerate(zip(labels, samples)):
            self._forward(sample)
            total += self.loss_fn(self.layers[-1].outputs(), label)
            self.calc_delta(label)
            self._calc_data_gradient(accumulate=k > 0)
        n = float(len(samples))
        for conn in self.connections:
            conn.gradient /= n
        self._add_l2_gradient()
        self.apply_gradient(rate)
        return total

    # --- the shared API ---------------------------------------------------------------------
    def get_gradient(self, label, sample):
        """[(dW, db), …] per layer: ∂E/∂W (out × in nested lists) and ∂E/∂b (out), L2 included.

        Leaves these gradients stored in the connections; weights are unchanged.
        """
        sample = self._check_sample(sample)
        label = self._check_label(label)
        self._forward(sample)
        self.calc_delta(label)
        self.calc_gradient()
        return self._collect("gradient")

    def parameters(self):
        """[(W, b), …] per layer, as new nested lists: W[j][i] = w_ji, b[j] = b_j."""
        return self._collect("weight")

    def _collect(self, attr):
        result = []
        for layer in self.layers[1:]:
            W = [[getattr(c, attr) for c in node.upstream[:-1]] for node in layer.nodes]
            b = [getattr(node.upstream[-1], attr) for node in layer.nodes]
            result.append((W, b))
        return result

    def set_parameters(self, params):
        """Load [(W, b), …] (nested lists or arrays); every shape and value is checked first."""
        n_layers = len(self.layers) - 1
        if isinstance(params, (str, bytes)) or not hasattr(params, "__len__"):
            raise TypeError(f"params must be a list of (W, b) pairs, not {type(params).__name__}")
        if len(params) != n_layers:
            raise ValueError(f"params has {len(params)} layers, the network has {n_layers}")
        checked = []
        for k, pair in enumerate(params):
            n_in, n_out = self.layer_sizes[k], self.layer_sizes[k + 1]
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise ValueError(f"params[{k}] must be a (W, b) pair")
            W, b = pair
            if isinstance(W, (str, bytes)) or not hasattr(W, "__len__"):
                raise TypeError(f"params[{k}] W must be a {n_out}×{n_in} matrix")
            if len(W) != n_out:
                raise ValueError(
                    f"params[{k}] W has {len(W)} rows, layer {k + 1} has {n_out} nodes"
                )
            rows = [
                checks.as_vector(row, n_in, f"params[{k}] W[{j}]", f"layer {k}")
                for j, row in enumerate(W)
            ]
            bias = checks.as_vector(b, n_out, f"params[{k}] b", f"layer {k + 1}")
            checked.append((rows, bias))
        for layer, (rows, bias) in zip(self.layers[1:], checked):
            for node, row, b in zip(layer.nodes, rows, bias):
                for conn, w in zip(node.upstream, row):
                    conn.weight = w
                node.upstream[-1].weight = b

    def loss(self, output, label):
        """E of one sample: the data loss (½Σ(t−y)², −Σ t log y or the hinge), without L2."""
        n = self.layer_sizes[-1]
        y = checks.as_vector(output, n, "output", "the output layer")
        return self.loss_fn(y, self._check_label(label))

    def config(self):
        """The constructor's arguments as a JSON-ready dict: Network(**config()) rebuilds it."""
        return {
            "layer_sizes": list(self.layer_sizes), "activation": list(self.activation),
            "output": self.output, "loss": self.loss_name, "init": self.init,
            "l2": self.l2, "seed": self.seed,
        }

    def dump(self):
        """Print every layer, node and connection (the tutorial's dump)."""
        print(repr(self))
        for layer in self.layers:
            layer.dump()
        self.connections.dump()

    def __repr__(self):
        kinds = list(dict.fromkeys(self.activation))
        name = self.output if kinds in ([], [self.output]) else f"{','.join(kinds)}→{self.output}"
        return (
            f"Network({list(self.layer_sizes)}, {name}/{self.loss_name}, "
            f"{len(self.connections)} connections)"
        )

    # --- checks -----------------------------------------------------------------------------
    def _check_sample(self, sample, what="sample"):
        return checks.as_vector(sample, self.layer_sizes[0], what, "the input layer")

    def _check_label(self, label, what="label"):
        return checks.as_vector(label, self.layer_sizes[-1], what, "the output layer")


def _hidden_activations(activation, n_hidden):
    """One activation name per hidden layer, from a name or a sequence of names."""
    names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    if len(names) != n_hidden:
        raise ValueError(
            f"activation lists {len(names)} names but the network has {n_hidden} hidden layers"
        )
    for name in names:
        if name not in HIDDEN_ACTIVATIONS:
            get_activator(name)  # raises with the list of choices
    return tuple(names)
