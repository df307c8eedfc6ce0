"""The network as a stack of layers (NumPy, batched): :class:`FullConnectedLayer` per pair of
adjacent sizes, or a CNN's conv, pooling, fully connected and dropout layers.

Same API and same numbers as :class:`neurons.network.Network` (docs/conventions.md). Samples
are 1-D arrays ``(in,)``; a batch is a 2-D array ``(N, in)`` with one sample per row (a CNN
also takes maps (C, H, W) and (N, C, H, W)). Every public method checks its arguments once,
before it changes anything, so an error never leaves the network half-updated.

A training step is the tutorial's four phases, each public so that it can be stepped through
beside the ``neurons`` package: :meth:`Network.predict` (式2), :meth:`Network.calc_delta`
(式7, 式8), :meth:`Network.calc_gradient` and :meth:`Network.update_weight` (式9, 式10).
"""

import random

import numpy as np

from .checks import as_array, check_int, check_parameters, check_real, check_settings
from .dropout import Dropout
from .layer import FullConnectedLayer, as_dtype
from .losses import get_loss, output_delta
from .stack import as_data, as_input, as_label, build_layers, describe


class Network:
    """A network of layers: ``layers`` holds one per entry of ``layer_sizes`` after the input.

    ``Network(layer_sizes, *, activation="sigmoid", output="sigmoid", loss="mse",
    init="uniform", l2=0.0, seed=None, dtype="float64")``

    * ``layer_sizes``: e.g. ``[784, 300, 10]``, at least two ints ≥ 1 (any iterable), or a CNN
      spec (docs/design.md): ``["1x28x28", "conv20x5", "pool2", 100, 10]`` with ``"convNxK"``,
      ``"convNxKsSpP"``, ``"poolK"``, ints and ``"dropP"`` (:mod:`vectorized.spec`).
    * ``activation``: the hidden layers' activation, one name or one name per hidden layer
      (conv layers and hidden fully connected layers; pooling and dropout have none).
    * ``output``: the output layer's activation (any activation name or "softmax").
    * ``loss``: "mse" (½Σ(t−y)²), "cross_entropy" (needs ``output="softmax"``) or "hinge".
    * ``init``: "uniform" (U(−0.1, 0.1) for weights and biases), "xavier" or "he".
    * ``l2``: λ of ``E_total = mean(E) + λ/2 Σ W²`` (weights only).
    * ``seed``: int or None, for ``random.Random(seed)``; the same seed gives the same start
      as the neurons package (layer by layer, each W in row-major order, then its b). Dropout
      masks come from ``dropout_rng = np.random.default_rng(seed)``.
    * ``dtype``: "float64" (the reference) or "float32" (the same code on 4-byte floats;
      inputs are cast to it).

    Gradients are the true gradient ``∂E/∂W`` (PyTorch's sign) and a step is ``W −= rate · grad``,
    which is 式5/式9 ``W += η δ xᵀ`` of the article (it stores the negative gradient).

    Attributes: ``layers``, ``layer_sizes``, ``input_shape`` ((n,) or (C, H, W)),
    ``input_size``, ``output_size``, ``dropout_rng`` (None without dropout).
    """

    batched = True  # predict and train take a whole (N, in) batch in one call

    def __init__(self, layer_sizes, *, activation="sigmoid", output="sigmoid", loss="mse",
                 init="uniform", l2=0.0, seed=None, dtype="float64"):
        sizes, specs, hidden, l2, seed = check_settings(layer_sizes, activation, output, loss,
                                                        init, l2, seed)
        self._dtype = as_dtype(dtype)

        self.layer_sizes = sizes
        self.input_shape = specs[0].in_shape  # (n,), or (C, H, W) for a CNN
        self.input_size = specs[0].in_size
        self.output_size = specs[-1].out_size
        self._hidden = hidden
        self._output = output
        self._loss_name = loss
        self._loss_fn = get_loss(loss)[0]
        self._init = init
        self._seed = seed
        self._l2 = l2
        has_dropout = any(spec.kind == "drop" for spec in specs)
        # Dropout masks: one NumPy generator for the network, seeded by `seed` (None without
        # dropout). Its state is part of a training run's state (checkpoints save it).
        self.dropout_rng = np.random.default_rng(self._seed) if has_dropout else None
        self.layers = build_layers(specs, hidden + [output], self._dtype,
                                   dropout_rng=self.dropout_rng)
        self._with_parameters = [layer for layer in self.layers if layer.W is not None]
        rng = random.Random(self._seed)  # layer by layer, in the conventions' draw order
        for layer in self._with_parameters:
            layer.initialize(rng, init)

    # -- attributes ------------------------------------------------------------------------

    @property
    def l2(self):
        """λ of the L2 term ``λ/2 Σ W²`` (settable; must be finite and ≥ 0)."""
        return self._l2

    @l2.setter
    def l2(self, value):
        self._l2 = check_real(value, "l2")

    # The constructor's choices, read-only, as neurons.Network holds them.
    activation = property(lambda self: tuple(self._hidden), doc="hidden activations, one a layer")
    output = property(lambda self: self._output, doc="the output layer's activation")
    loss_name = property(lambda self: self._loss_name, doc="the loss's name")
    init = property(lambda self: self._init, doc="the initialisation's name")
    seed = property(lambda self: self._seed, doc="the seed of random.Random (int or None)")

    @property
    def dtype(self):
        """The NumPy dtype of every array (compares equal to "float64" / "float32")."""
        return self._dtype

    def config(self):
        """JSON-serialisable settings; ``Network(**net.config())`` rebuilds the same network."""
        return {
            "layer_sizes": list(self.layer_sizes),
            "activation": list(self._hidden),
            "output": self._output,
            "loss": self._loss_name,
            "init": self._init,
            "l2": self._l2,
            "seed": self._seed,
            "dtype": self._dtype.name,
        }

    def __repr__(self):
        names = self._hidden + [self._output]
        acts = names[0] if len(set(names)) == 1 else ",".join(names)
        count = sum(layer.W.size + layer.b.size for layer in self._with_parameters)
        return (f"{type(self).__name__}({list(self.layer_sizes)}, {acts}/{self._loss_name}, "
                f"{count} parameters, {self._dtype.name})")

    def dump(self):
        """Print the network layer by layer: what it is, its shapes, activation, W and b."""
        print(repr(self))
        for number, layer in enumerate(self.layers, start=1):
            print(f"layer {number}: {describe(layer)}")
            if layer.W is not None:
                print("  W =", np.array2string(layer.W, prefix="  W = "))
                print("  b =", np.array2string(layer.b, prefix="  b = "))

    # -- checks of samples, labels and rates (entry points only) ---------------------------

    def _sample(self, sample, name="sample", *, batch=True):
        """``sample`` as the first layer takes it: (in,) or (N, in); a CNN's (C, H, W) or
        (N, C, H, W), from any of the forms :func:`~vectorized.stack.as_maps` accepts."""
        return as_input(sample, name, self._dtype, self.input_shape, batch=batch)

    def _label(self, label, like, name="label", rows=None):
        """``label`` as (out,) or (N, out), like ``like`` (:func:`vectorized.stack.as_label`)."""
        return as_label(label, like, name, rows, self.output_size, self._dtype)

    def _rate(self, rate):
        return check_real(rate, "rate", positive=True)

    # -- the four phases of a step ---------------------------------------------------------

    def predict(self, sample, *, training=False, checked=False):
        """Phase 1, forward (式2 layer by layer): the output for one sample ``(in,)`` →
        ``(out,)``, or a batch ``(N, in)`` → ``(N, out)``. A CNN takes a flat C·H·W vector or
        (C, H, W), a batch (N, C·H·W) or (N, C, H, W).

        ``training=True`` (what ``train_one_sample`` and ``train`` pass) lets dropout layers
        drop; by default they are the identity. ``checked=True``: the caller has checked
        ``sample`` already (and shaped it as the first layer takes it)."""
        x = sample if checked else self._sample(sample)
        for layer in self.layers:
            if isinstance(layer, Dropout):
                x = layer.forward(x, training)
                continue
            if isinstance(layer, FullConnectedLayer) and x.ndim >= 3:
                x = x.reshape(x.shape[:-3] + (-1,))  # flatten (C, H, W) row-major
            x = layer.forward(x)  # 式2; formula (1) in a conv layer
        return x

    def calc_delta(self, label, *, checked=False):
        """Phase 2: ``δ = −∂E/∂net`` of every layer but the input, for the last ``predict`` and
        ``label`` (a target like its output: (out,) or (N, out)). The output layer by 式7
        (:func:`~vectorized.losses.output_delta`, every output and loss), then each layer below
        from the one above by 式8: ``backward(δ_above, W_above)`` under a fully connected
        layer, else ``backward`` of what the layer above hands down (``error_below()``: col2im
        of ``Wᵀδ`` from a conv layer, δ at the winners from pooling, ``mask ⊙ δ`` from
        dropout). ``checked=True``: ``label`` is checked already."""
        top = self.layers[-1]
        t = label
        if not checked:
            if top.output is None:
                raise RuntimeError("no output to compare with the label: call predict first")
            t = self._label(label, top.input)
        top.delta = output_delta(top.activator, self._loss_name, top.net, top.output, t)  # 式7
        for layer, above in zip(self.layers[-2::-1], self.layers[:0:-1]):
            if isinstance(above, FullConnectedLayer):
                layer.backward(above.delta, above.W)  # 式8
            else:
                layer.backward(above.error_below())  # 式8 through a conv/pool/dropout layer

    def calc_gradient(self):
        """Phase 3a: every layer's ``W_grad = ∂E/∂W`` (λW included) and ``b_grad = ∂E/∂b`` for
        the last ``predict`` and ``calc_delta`` (a batch: the mean over its rows)."""
        for layer in self._with_parameters:
            layer.calc_gradient(self._l2)

    def update_weight(self, rate, *, checked=False):
        """Phase 3b, 式9 and 式10: ``W −= rate · W_grad``, ``b −= rate · b_grad`` in every layer,
        with the gradients ``calc_gradient`` computed. ``checked=True``: ``rate`` is checked
        already."""
        if not checked:
            rate = self._rate(rate)
            if any(layer.W_grad is None for layer in self._with_parameters):
                raise RuntimeError("no gradient to apply: run calc_gradient first")
        for layer in self._with_parameters:
            layer.update(rate)  # 式9, 式10

    # -- training ---------------------------------------------------------------------------

    def train_one_sample(self, label, sample, rate):
        """One gradient step on one sample (the tutorial's argument order: label first):
        ``predict`` (dropout on), ``calc_delta``, ``calc_gradient``, ``update_weight``. Returns
        the sample's data loss E measured before the step. Everything is checked first, once."""
        rate = self._rate(rate)
        x = self._sample(sample, batch=False)
        t = self._label(label, x)
        y = self.predict(x, training=True, checked=True)
        self.calc_delta(t, checked=True)
        self.calc_gradient()
        self.update_weight(rate, checked=True)
        return float(self._loss_fn(y, t))

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        """``epoch`` passes over the data in the given order (no shuffling), in consecutive
        batches of ``batch_size`` rows (the last may be shorter); each batch goes through the
        same four phases and steps once by its mean data gradient plus ``λW``. Returns the mean
        data loss over the last epoch's samples, each measured on the forward pass used for its
        step (NaN when ``epoch`` is 0). A CNN's data: (N, C·H·W) or (N, C, H, W)."""
        rate = self._rate(rate)
        epoch = check_int(epoch, "epoch", 0)
        batch_size = check_int(batch_size, "batch_size", 1)
        data = as_data(data_set, self._dtype, self.input_shape)
        targets = self._label(labels, data, "labels", rows=True)
        n = data.shape[0]
        mean_loss = float("nan")
        for _ in range(epoch):
            total = 0.0
            for start in range(0, n, batch_size):
                rows = start if batch_size == 1 else slice(start, start + batch_size)
                total += self._step(targets[rows], data[rows], rate)
            mean_loss = total / n
        return mean_loss

    def _step(self, t, x, rate):
        """The four phases on a checked sample (or batch) ``x`` and target ``t``; returns the
        data loss E before the step (a batch: the sum over its rows)."""
        y = self.predict(x, training=True, checked=True)
        self.calc_delta(t, checked=True)
        self.calc_gradient()
        self.update_weight(rate, checked=True)
        return float(np.sum(self._loss_fn(y, t)))

    # -- the rest of the shared API ---------------------------------------------------------

    def loss(self, output, label):
        """Data loss E of one sample (float); for a 2-D batch, the mean of E over its rows.
        The L2 term is not included."""
        y = as_array(output, "output", self._dtype, self.output_size, "the output layer")
        t = self._label(label, y)
        if y.ndim == 2 and y.shape[0] == 0:
            raise ValueError("output is an empty batch")
        return float(np.mean(self._loss_fn(y, t)))

    def get_gradient(self, label, sample):
        """``[(dW, db), ...]`` per layer with parameters: ``∂E_total/∂W`` (out, in) — a conv
        layer's (N, C, K, K) — including ``λW``, and ``∂E/∂b`` (out,), for one sample; for a
        batch the mean data gradient plus ``λW``. Runs ``predict`` (no dropout),
        ``calc_delta`` and ``calc_gradient`` (so the layers' ``delta`` and ``W_grad`` then
        belong to this sample) and returns copies; the parameters do not change."""
        x = self._sample(sample)
        t = self._label(label, x)
        if x.ndim in (2, 4) and x.shape[0] == 0:
            raise ValueError("sample is an empty batch")
        self.predict(x, checked=True)
        self.calc_delta(t, checked=True)
        self.calc_gradient()
        return [(layer.W_grad.copy(), layer.b_grad.copy()) for layer in self._with_parameters]

    def parameters(self):
        """``[(W, b), ...]`` per layer with parameters, copies: W (out, in) or a conv layer's
        (N, C, K, K), b (out,) or (N,). Pooling and dropout layers have none."""
        return [(layer.W.copy(), layer.b.copy()) for layer in self._with_parameters]

    def set_parameters(self, params):
        """Replace every (W, b) (one pair per layer with parameters) from nested lists or
        arrays; checks every shape and value first: nothing changes unless all are valid."""
        layers = self._with_parameters
        checked = check_parameters(params, layers, self.layers, self._dtype)
        for (W, b), layer in zip(checked, layers):
            layer.W[...] = W
            layer.b[...] = b
