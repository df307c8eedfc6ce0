"""Network: the tutorial's fully connected network as an object graph, trained node by node.

One training step is four visible phases (``train_one_sample``), as in the tutorial:
  1. ``predict``        — forward, layer by layer: every Node's calc_output (式1);
  2. ``calc_delta``     — δ of the output layer (式3), then of each hidden layer (式4);
  3. ``calc_gradient``  — every Connection's calc_gradient: −δ_j x_i (+ λw on weights);
  4. ``update_weight``  — every Connection's update_weight: w −= rate · gradient (式5).
A mini-batch runs phases 1–3 per sample, adds each gradient to its Connection's ``batch_sum``,
then steps once by the mean. Each formula is written once, in the method named above.
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
        self._loss_fn, self._loss_grad = get_loss(loss)
        if loss == "cross_entropy" and output != "softmax":
            # −Σ t log y is only a cross-entropy of a probability vector
            raise ValueError(f"loss 'cross_entropy' needs output='softmax', got output={output!r}")
        init_bound(init, 1, 1)  # validate the name before building anything
        self.l2 = checks.as_finite_float(l2, "l2", non_negative=True)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an int or None, got {seed!r}")

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
        rows = [[Connection(up, node, w) for up, w in zip(lower.nodes, row)]
                for node, row in zip(upper.nodes, weights)]
        bias_conns = [Connection(lower.const_node, node, b) for node, b in zip(upper.nodes, biases)]
        # every node's upstream list: its weights in i order, then its bias (last)
        for row, bias in zip(rows, bias_conns):
            for conn in row + [bias]:
                conn.downstream_node.append_upstream_connection(conn)
                conn.upstream_node.append_downstream_connection(conn)
        for conn in [c for row in rows for c in row] + bias_conns:
            self.connections.add_connection(conn)

    @property
    def l2(self):
        """λ of the L2 term ``λ/2 Σ W²`` (settable; must be finite and ≥ 0)."""
        return self._l2

    @l2.setter
    def l2(self, value):
        self._l2 = checks.as_finite_float(value, "l2", non_negative=True)

    # --- phase 1: forward ---------------------------------------------------------------
    def predict(self, sample):
        """Output vector y (list of n_L floats) for one sample (n_0 numbers)."""
        self.layers[0].set_output(self._check_sample(sample))
        for layer in self.layers[1:]:
            layer.calc_output()  # 式1, node by node
        return self.layers[-1].outputs()

    # --- phase 2: deltas -----------------------------------------------------------------
    def calc_delta(self, label):
        """δ_j = −∂E/∂net_j: the output layer (式3 generalised), then hidden layers (式4).

        Needs ``predict`` of the sample first. The input layer's deltas are never needed, so
        never computed.
        """
        label = self._check_label(label)
        out_nodes = self.layers[-1].nodes
        y = [node.output for node in out_nodes]
        if self.output == "softmax":  # each node gets y_j ∂E/∂y_j and the layer's sum of them
            if self.loss_name == "cross_entropy":
                y_dE_dy = [-tk for tk in label]  # y_k · (−t_k / y_k), without dividing by y_k
            else:
                y_dE_dy = [yk * gk for yk, gk in zip(y, self._loss_grad(y, label))]
            total = sum(y_dE_dy)
            for node, yg in zip(out_nodes, y_dE_dy):
                node.calc_output_layer_delta(yg, total)
        else:
            for node, g in zip(out_nodes, self._loss_grad(y, label)):
                node.calc_output_layer_delta(g)
        for layer in reversed(self.layers[1:-1]):
            for node in layer.nodes:
                node.calc_hidden_layer_delta()

    # --- phase 3: gradients ----------------------------------------------------------------
    def calc_gradient(self):
        """Every Connection stores ∂E/∂w_ji = −δ_j x_i (+ λ w_ji on weights; biases: −δ_j).

        Needs ``predict`` and ``calc_delta`` of the sample first; weights are unchanged.
        """
        l2 = self.l2
        for conn in self.connections:
            conn.calc_gradient(l2)

    # --- phase 4: update -------------------------------------------------------------------
    def update_weight(self, rate):
        """式5 on every Connection with the gradient it holds: w ← w − η · ∂E/∂w.

        The article writes w ← w + η δ_j x_i: it stores the negative gradient, we the gradient.
        """
        rate = checks.as_finite_float(rate, "rate", positive=True)
        for conn in self.connections:
            conn.update_weight(rate)

    # --- training ---------------------------------------------------------------------------
    def train_one_sample(self, label, sample, rate):
        """One SGD step on one sample: predict, calc_delta, calc_gradient, update_weight.

        Returns the sample's loss E before the step. Everything is checked first.
        """
        sample = self._check_sample(sample)
        label = self._check_label(label)
        rate = checks.as_finite_float(rate, "rate", positive=True)
        return self._train_batch([label], [sample], rate)

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        """``epoch`` passes over the data in the given order, no shuffling.

        Each step uses ``batch_size`` consecutive samples (the last batch may be shorter) and
        the mean of their gradients. Returns the mean loss E over the last epoch's samples,
        each measured on the forward pass used for its step (NaN when ``epoch`` is 0).
        Everything is checked first: a bad sample anywhere leaves the network untouched.
        """
        rate = checks.as_finite_float(rate, "rate", positive=True)
        epoch = checks.as_positive_int(epoch, "epoch", minimum=0)
        batch_size = checks.as_positive_int(batch_size, "batch_size")
        data = checks.as_rows(data_set, "data_set")
        targets = checks.as_rows(labels, "labels")
        if not data:
            raise ValueError("data_set is empty")
        if len(targets) != len(data):
            raise ValueError(f"labels has {len(targets)} rows, the samples have {len(data)}")
        data = [self._check_sample(s, f"data_set[{k}]") for k, s in enumerate(data)]
        targets = [self._check_label(t, f"labels[{k}]") for k, t in enumerate(targets)]
        mean_loss = float("nan")
        for _ in range(epoch):
            total = 0.0
            for start in range(0, len(data), batch_size):
                stop = start + batch_size
                total += self._train_batch(targets[start:stop], data[start:stop], rate)
            mean_loss = total / len(data)
        return mean_loss

    def _train_batch(self, labels, samples, rate):
        """One step by the batch's mean gradient; returns the batch's summed loss E."""
        if len(samples) == 1:  # one sample: the tutorial's four phases
            loss = self._loss_fn(self.predict(samples[0]), labels[0])
            self.calc_delta(labels[0])
            self.calc_gradient()
            self.update_weight(rate)
            return loss
        total = 0.0
        for label, sample in zip(labels, samples):
            total += self._loss_fn(self.predict(sample), label)
            self.calc_delta(label)
            self.calc_gradient()
            for conn in self.connections:
                conn.add_to_batch()
        n = len(samples)
        for conn in self.connections:
            conn.take_batch_mean(n)
        self.update_weight(rate)
        return total

    # --- the shared API ---------------------------------------------------------------------
    def get_gradient(self, label, sample):
        """[(dW, db), …] per layer: ∂E/∂W (out × in nested lists) and ∂E/∂b (out), L2 included.

        Leaves these gradients stored in the connections; weights are unchanged.
        """
        sample = self._check_sample(sample)
        label = self._check_label(label)
        self.predict(sample)
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
        return self._loss_fn(y, self._check_label(label))

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
    if isinstance(activation, str):
        names, checked = [activation] * n_hidden, [activation]  # a name is checked even unused
    elif isinstance(activation, (list, tuple)):
        names = checked = list(activation)
    else:
        raise TypeError(f"activation must be a name or a list of names, got {activation!r}")
    if len(names) != n_hidden:
        raise ValueError(
            f"activation has {len(names)} names, the network has {n_hidden} hidden layers"
        )
    for name in checked:
        if name not in HIDDEN_ACTIVATIONS:
            get_activator(name)  # raises with the list of choices
    return tuple(names)
