"""Network: the tutorial's network as an object graph, trained node by node — fully connected,
or a CNN of conv Nodes with shared weights, pool Nodes and dropout Nodes.

One training step is four visible phases (``train_one_sample``), as in the tutorial:
  1. ``predict``        — forward, layer by layer: every Node's calc_output (式1);
  2. ``calc_delta``     — δ of the output layer (式3), then of each hidden layer (式4);
  3. ``calc_gradient``  — every Connection's calc_gradient: −δ_j x_i (+ λw on weights);
  4. ``update_weight``  — every Connection's update_weight: w −= rate · gradient (式5).
``train_one_sample`` checks its arguments once and calls the four phases itself. A mini-batch
runs phases 1–3 per sample, adds each gradient to its Connection's (or SharedWeight's)
``batch_sum``, then steps once by the mean. Each formula is written once, in the method named
above.
"""

import random
from numbers import Integral

from . import checks, params
from .activators import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, get_activator
from .build import build, count_hidden
from .dropout import DropoutLayer
from .initialization import INITS, init_bound
from .losses import get_loss
from .spec import has_layer_names, layer_entries, parse_layer_sizes

__all__ = ["INITS", "Network"]


class Network:
    """A network ``layer_sizes = [n_0, …, n_L]`` built from Node objects, or a CNN spec
    (``["1x28x28", "conv20x5", "pool2", 100, 10]``: "convNxK", "convNxKsSpP", "poolK", ints and
    "dropP", docs/design.md; parsed by neurons.spec).

    ``layers[k]`` is entry k of ``layer_sizes`` (Layer, ConvLayer, PoolLayer, DropoutLayer).
    Weights and biases are Connection objects; ``connections`` lists them all (see Connections
    for the order). A conv layer's Connections share their filter's SharedWeights
    (neurons.shared): ``weights`` lists every trained number once (fully connected
    Connections and SharedWeights) and is what steps (式5) and mini-batches run over.
    ``dropout_rng``: the ``random.Random(seed)`` of the dropout masks (None without dropout;
    vectorized uses NumPy's generator, so masks differ between the packages).
    See docs/conventions.md for every formula and sign.
    """

    batched = False  # predict and train take one sample per row (the vectorized one batches)

    def __init__(self, layer_sizes, *, activation="sigmoid", output="sigmoid", loss="mse",
                 init="uniform", l2=0.0, seed=None):
        entries = layer_entries(layer_sizes)
        sizes = entries if has_layer_names(entries) else checks.check_layer_sizes(entries)
        specs = parse_layer_sizes(sizes)
        hidden = _hidden_activations(activation, count_hidden(specs))
        if output not in OUTPUT_ACTIVATIONS:
            get_activator(output, output=True)  # raises the "unknown activation" error
        self._loss_fn, self._loss_grad = get_loss(loss)
        if loss == "cross_entropy" and output != "softmax":
            # −Σ t log y is only a cross-entropy of a probability vector
            raise ValueError(f"loss 'cross_entropy' needs output='softmax', got output={output!r}")
        init_bound(init, 1, 1)  # validate the name before building anything
        self.l2 = checks.as_finite_float(l2, "l2", non_negative=True)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
            raise TypeError(f"seed must be an int or None, got {seed!r}")
        seed = None if seed is None else int(seed)  # NumPy's ints too: random.Random wants int

        self.layer_sizes = sizes
        self.input_shape = specs[0].in_shape  # (n,), or (C, H, W) for a CNN
        self.input_size = specs[0].in_size
        self.output_size = specs[-1].out_size
        self.activation = hidden
        self.output = output
        self.loss_name = loss
        self.init = init
        self.seed = seed
        graph = build(specs, list(hidden) + [output], init, random.Random(seed))
        self.layers = graph.layers
        self.connections = graph.connections  # a Connections, filled as the tutorial does
        self.weights = graph.weights
        self.shared_weights = graph.shared_weights
        self._with_parameters = graph.with_parameters
        self._dropout = [layer for layer in self.layers if isinstance(layer, DropoutLayer)]
        self.dropout_rng = random.Random(seed) if self._dropout else None

    @property
    def l2(self):
        """λ of the L2 term ``λ/2 Σ W²`` (settable; must be finite and ≥ 0)."""
        return self._l2

    @l2.setter
    def l2(self, value):
        self._l2 = checks.as_finite_float(value, "l2", non_negative=True)

    # --- phase 1: forward ---------------------------------------------------------------
    def predict(self, sample, *, training=False, checked=False):
        """Output vector y (list of n_L floats) for one sample (n_0 numbers; a CNN's map
        flattened row-major from (C, H, W)). ``training=True`` (what training passes) draws
        fresh dropout masks; otherwise dropout is the identity. ``checked=True``: the caller
        (train_one_sample, train, get_gradient) has checked ``sample`` already."""
        if not checked:
            sample = self._check_sample(sample)
        self.layers[0].set_output(sample)
        for layer in self._dropout:
            layer.draw_masks(self.dropout_rng if training else None)
        for layer in self.layers[1:]:
            layer.calc_output()  # 式1, node by node (formula (1) in a conv layer; max in a pool)
        return self.layers[-1].outputs()

    # --- phase 2: deltas -----------------------------------------------------------------
    def calc_delta(self, label, *, checked=False):
        """δ_j = −∂E/∂net_j: the output layer (式3 generalised), then hidden layers (式4).

        Needs ``predict`` of the sample first. The input layer's deltas are never needed, so
        never computed. ``checked=True``: ``label`` is checked already.
        """
        if not checked:
            label = self._check_label(label)
        out_nodes = self.layers[-1].nodes
        y = [node.output for node in out_nodes]
        dE_dy = self._loss_grad(y, label)
        for node in out_nodes:
            node.calc_output_layer_delta(label, y, dE_dy, self.loss_name)
        for layer in reversed(self.layers[1:-1]):
            for node in layer.nodes:
                node.calc_hidden_layer_delta()

    # --- phase 3: gradients ----------------------------------------------------------------
    def calc_gradient(self):
        """Every Connection stores ∂E/∂w_ji = −δ_j x_i (+ λ w_ji on weights; biases: −δ_j).

        A conv layer's SharedWeights then sum their Connections' −δ_j x_i and add λw once
        (neurons.shared). Needs ``predict`` and ``calc_delta`` of the sample first; weights
        are unchanged.
        """
        l2 = self.l2
        for conn in self.connections:
            conn.calc_gradient(l2)
        for shared in self.shared_weights:
            shared.calc_gradient(l2)

    # --- phase 4: update -------------------------------------------------------------------
    def update_weight(self, rate, *, checked=False):
        """式5 on every Connection with the gradient it holds: w ← w − η · ∂E/∂w.

        The article writes w ← w + η δ_j x_i: it stores the negative gradient, we the gradient.
        ``checked=True``: ``rate`` is checked already.
        """
        if not checked:
            rate = checks.as_finite_float(rate, "rate", positive=True)
        for weight in self.weights:  # each fully connected Connection, each SharedWeight once
            weight.update_weight(rate)

    # --- training ---------------------------------------------------------------------------
    def train_one_sample(self, label, sample, rate):
        """One SGD step on one sample: predict, calc_delta, calc_gradient, update_weight.

        Returns the sample's loss E before the step. Everything is checked first, once.
        """
        sample = self._check_sample(sample)
        label = self._check_label(label)
        rate = checks.as_finite_float(rate, "rate", positive=True)
        y = self.predict(sample, training=True, checked=True)
        self.calc_delta(label, checked=True)
        self.calc_gradient()
        self.update_weight(rate, checked=True)
        return self._loss_fn(y, label)

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        """``epoch`` passes over the data in the given order, no shuffling.

        Each step uses ``batch_size`` consecutive samples (the last batch may be shorter) and
        the mean of their gradients: phases 1–3 per sample, each Connection adding its gradient
        to its ``batch_sum``, then one step (式5) by the mean. Returns the mean loss E over the
        last epoch's samples, each measured on the forward pass used for its step (NaN when
        ``epoch`` is 0). Everything is checked first: a bad sample anywhere leaves the network
        untouched.
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
                batch = range(start, min(start + batch_size, len(data)))
                for k in batch:
                    y = self.predict(data[k], training=True, checked=True)
                    total += self._loss_fn(y, targets[k])
                    self.calc_delta(targets[k], checked=True)
                    self.calc_gradient()
                    for weight in self.weights:
                        weight.add_to_batch()
                for weight in self.weights:
                    weight.take_batch_mean(len(batch))
                self.update_weight(rate, checked=True)
            mean_loss = total / len(data)
        return mean_loss

    # --- the shared API ---------------------------------------------------------------------
    def get_gradient(self, label, sample):
        """[(dW, db), …] per layer with parameters: ∂E/∂W (out × in nested lists; a conv
        layer's N×C×K×K) and ∂E/∂b (out, or N), L2 included. No dropout.

        Leaves these gradients stored in the connections; weights are unchanged.
        """
        sample = self._check_sample(sample)
        label = self._check_label(label)
        self.predict(sample, checked=True)
        self.calc_delta(label, checked=True)
        self.calc_gradient()
        return params.collect(self._with_parameters, "gradient")

    def parameters(self):
        """[(W, b), …] per layer with parameters, as new nested lists: W[j][i] = w_ji and
        b[j] = b_j; a conv layer's W[f][c][u][v] (N, C, K, K) and b[f] (N,)."""
        return params.collect(self._with_parameters, "weight")

    def set_parameters(self, parameters):
        """Load [(W, b), …] (nested lists or arrays); every shape and value is checked first."""
        checked = params.check(parameters, self._with_parameters, self.layers)
        params.load(self._with_parameters, checked)

    def loss(self, output, label):
        """E of one sample: the data loss (½Σ(t−y)², −Σ t log y or the hinge), without L2."""
        y = checks.as_vector(output, self.output_size, "output", "the output layer")
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
            layer.dump()  # a conv layer also prints its SharedWeights
        self.connections.dump()

    def __repr__(self):
        kinds = list(dict.fromkeys(self.activation))
        name = self.output if kinds in ([], [self.output]) else f"{','.join(kinds)}→{self.output}"
        shared = f", {len(self.shared_weights)} shared weights" if self.shared_weights else ""
        return (
            f"Network({list(self.layer_sizes)}, {name}/{self.loss_name}, "
            f"{len(self.connections)} connections{shared})"
        )

    # --- checks -----------------------------------------------------------------------------
    def _check_sample(self, sample, what="sample"):
        return checks.as_vector(sample, self.input_size, what, "the input layer")

    def _check_label(self, label, what="label"):
        return checks.as_vector(label, self.output_size, what, "the output layer")


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
