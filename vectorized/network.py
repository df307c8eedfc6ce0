"""The fully connected network as a stack of :class:`FullConnectedLayer` (NumPy, batched).

Same API and same numbers as :class:`neurons.network.Network` (see ../shared/DESIGN.md and
docs/conventions.md). Samples are 1-D arrays ``(in,)``; a batch is a 2-D array ``(N, in)``
with one sample per row. Every public method validates its arguments completely before it
changes anything, so an error never leaves the network half-updated.
"""

import math
import numbers
import random

import numpy as np

from .activators import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .layer import FullConnectedLayer, as_dtype
from .losses import LOSS_NAMES, get_loss, softmax_cross_entropy_delta

INIT_NAMES = ("uniform", "xavier", "he")


# -- argument checks (each raises TypeError / ValueError naming the argument) -----------------


def _check_int(value, name, minimum):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_real(value, name, *, positive=False):
    if type(value) is float and math.isfinite(value) and value > 0.0:  # the usual rate
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if not positive and value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _as_array(value, name, dtype):
    """``value`` as an array of ``dtype``: TypeError unless it holds plain numbers (no strings,
    objects, bools or complex), ValueError if ragged or not finite. No copy when it already is
    an array of that dtype."""
    if not isinstance(value, np.ndarray):
        if isinstance(value, (str, bytes)):
            raise TypeError(f"{name} must contain numbers, got a string")
        try:
            value = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{name} is not a rectangular array of numbers ({error})") from None
    if value.dtype != dtype:
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must contain numbers, got values of dtype {value.dtype}")
        with np.errstate(over="ignore"):  # beyond float32's range gives inf: caught below
            value = value.astype(dtype)
    if not np.isfinite(value).all():
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return value


def _check_rows(array, name, width, what, *, batch=True):
    """Check a (width,) sample or a (N, width) batch; ``what`` names the layer."""
    if array.ndim == 1 or not batch:
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D with {width} values, got shape {array.shape}")
        if array.shape[0] != width:
            raise ValueError(f"{name} has {array.shape[0]} values, {what} has {width}")
    elif array.ndim == 2:
        if array.shape[1] != width:
            raise ValueError(f"{name} rows have {array.shape[1]} values, {what} has {width}")
    else:
        raise ValueError(
            f"{name} must be a sample ({width},) or a batch (N, {width}), got shape {array.shape}"
        )


def _check_name(value, name, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(allowed)}")
    return value


class Network:
    """A fully connected network, one :class:`FullConnectedLayer` per pair of adjacent layers.

    ``Network(layer_sizes, *, activation="sigmoid", output="sigmoid", loss="mse",
    init="uniform", l2=0.0, seed=None, dtype="float64")``

    * ``layer_sizes``: e.g. ``[784, 300, 10]``, at least two ints ≥ 1.
    * ``activation``: the hidden layers' activation, one name or one name per hidden layer.
    * ``output``: the output layer's activation (any activation name or "softmax").
    * ``loss``: "mse" (½Σ(t−y)²), "cross_entropy" (needs ``output="softmax"``) or "hinge".
    * ``init``: "uniform" (U(−0.1, 0.1) for weights and biases), "xavier" or "he".
    * ``l2``: λ of ``E_total = mean(E) + λ/2 Σ W²`` (weights only).
    * ``seed``: int or None, for ``random.Random(seed)``; the same seed gives the same start
      as the neurons package.
    * ``dtype``: "float64" (the reference) or "float32" (faster; inputs are cast to it).

    Gradients are the true gradient ``∂E/∂W`` (PyTorch's sign) and a step is ``W −= rate · grad``,
    which is 式5/式9 ``W += η δ xᵀ`` of the article (it stores the negative gradient).
    """

    batched = True  # predict and train take a whole (N, in) batch in one call

    def __init__(self, layer_sizes, *, activation="sigmoid", output="sigmoid", loss="mse",
                 init="uniform", l2=0.0, seed=None, dtype="float64"):
        # Validate everything first.
        if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
            raise TypeError(f"layer_sizes must be a list of ints, got {layer_sizes!r}")
        sizes = tuple(_check_int(size, "layer_sizes entry", 1) for size in layer_sizes)
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs at least two layers (input, output), got {sizes}")
        n_hidden = len(sizes) - 2
        if isinstance(activation, str):
            hidden = [activation] * n_hidden
            _check_name(activation, "hidden activation", HIDDEN_ACTIVATIONS)
        elif isinstance(activation, (list, tuple)):
            hidden = list(activation)
            if len(hidden) != n_hidden:
                raise ValueError(f"activation has {len(hidden)} names, the network has "
                                 f"{n_hidden} hidden layers")
            for name in hidden:
                _check_name(name, "hidden activation", HIDDEN_ACTIVATIONS)
        else:
            raise TypeError(f"activation must be a name or a list of names, got {activation!r}")
        _check_name(output, "output activation", OUTPUT_ACTIVATIONS)
        _check_name(loss, "loss", LOSS_NAMES)
        if loss == "cross_entropy" and output != "softmax":
            raise ValueError(f"loss 'cross_entropy' needs output='softmax', got output={output!r}")
        _check_name(init, "init", INIT_NAMES)
        l2 = _check_real(l2, "l2")
        if seed is not None and (isinstance(seed, (bool, np.bool_))
                                 or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"seed must be an int or None, got {seed!r}")
        self._dtype = as_dtype(dtype)

        self.layer_sizes = sizes
        self._hidden = hidden
        self._output = output
        self._loss_name = loss
        self._loss_fn, self._loss_grad = get_loss(loss)
        self._init = init
        self._seed = None if seed is None else int(seed)
        self._l2 = l2
        activations = hidden + [output]
        self.layers = [
            FullConnectedLayer(n_in, n_out, act, dtype=self._dtype)
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations)
        ]
        rng = random.Random(self._seed)  # layer by layer, in the conventions' draw order
        for layer in self.layers:
            layer.initialize(rng, init)

    # -- attributes ------------------------------------------------------------------------

    @property
    def l2(self):
        """λ of the L2 term ``λ/2 Σ W²`` (settable; must be finite and ≥ 0)."""
        return self._l2

    @l2.setter
    def l2(self, value):
        self._l2 = _check_real(value, "l2")

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

    def _n_parameters(self):
        return sum(layer.W.size + layer.b.size for layer in self.layers)

    def __repr__(self):
        names = self._hidden + [self._output]
        acts = names[0] if len(set(names)) == 1 else ",".join(names)
        return (f"Network({list(self.layer_sizes)}, {acts}/{self._loss_name}, "
                f"{self._n_parameters()} parameters, {self._dtype.name})")

    def dump(self):
        """Print the network layer by layer: sizes, activation, W and b."""
        print(repr(self))
        for number, layer in enumerate(self.layers, start=1):
            print(f"layer {number}: {layer.input_size} -> {layer.output_size}, {layer.activator}")
            print("  W =", np.array2string(layer.W, prefix="  W = "))
            print("  b =", np.array2string(layer.b, prefix="  b = "))

    # -- validation of samples and labels --------------------------------------------------

    def _is_ready_vector(self, value, length):
        """True for a finite 1-D array of the network's dtype with ``length`` values: usable as
        it is (no copy). Anything else goes through the full checks, which name the problem.

        Finiteness in one dot product: ``Σ v²`` is finite only if every ``v`` is (a NaN or inf
        makes it NaN or inf). Finite values so large that their squares overflow fail this
        test and get the full check, which accepts them."""
        return (type(value) is np.ndarray and value.dtype is self._dtype and value.ndim == 1
                and value.shape[0] == length and math.isfinite(value @ value))

    def _sample(self, sample, name="sample", *, batch=True):
        if self._is_ready_vector(sample, self.layer_sizes[0]):  # fast path for one sample
            return sample
        array = _as_array(sample, name, self._dtype)
        _check_rows(array, name, self.layer_sizes[0], "the input layer", batch=batch)
        return array

    def _label(self, label, like, name="label"):
        """``label`` as an array shaped like ``like`` (a sample (in,) or batch (N, in))."""
        n_out = self.layer_sizes[-1]
        if like.ndim == 1 and self._is_ready_vector(label, n_out):  # fast path for one sample
            return label
        array = _as_array(label, name, self._dtype)
        if like.ndim == 2:
            if array.ndim != 2:
                raise ValueError(f"{name} must be 2-D (N, {n_out}) like the batch of samples, "
                                 f"got shape {array.shape}")
            if array.shape[0] != like.shape[0]:
                raise ValueError(f"{name} has {array.shape[0]} rows, the samples have "
                                 f"{like.shape[0]}")
        _check_rows(array, name, n_out, "the output layer", batch=like.ndim == 2)
        return array

    # -- forward / backward (no validation: callers have validated) -------------------------

    def _forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)  # 式2, layer by layer
        return x

    def _output_delta(self, y, t):
        """The output layer's ``δ = −∂E/∂net`` for output ``y`` and target ``t``."""
        if self._loss_name == "cross_entropy":
            return softmax_cross_entropy_delta(y, t)  # fused: δ = t − y Σt
        # 式7 generalised: δ = f'(net) ⊙ (−∂E/∂y); sigmoid + mse gives y(1−y)(t−y)
        error = t - y if self._loss_name == "mse" else -self._loss_grad(y, t)  # −∂E/∂y
        return self.layers[-1].backward_activation(error)

    def _backward(self, y, t):
        """Fill every layer's W_grad, b_grad for output ``y`` and target ``t``."""
        delta = self._output_delta(y, t)
        for index in range(len(self.layers) - 1, -1, -1):
            error = self.layers[index].backward(delta, self._l2, propagate=index > 0)
            if index > 0:
                delta = self.layers[index - 1].backward_activation(error)  # 式8

    def _update(self, rate):
        for layer in self.layers:
            layer.update(rate)  # 式9, 式10

    def _backward_and_update(self, y, t, rate):
        """``_backward(y, t)`` then ``_update(rate)``, layer by layer with
        :meth:`FullConnectedLayer.sgd_step`, which never keeps the gradient: it forms ``η·δxᵀ``
        once (for one sample, a large layer holds it and adds several at a time). Each layer
        passes its ``Wᵀδ`` down before its own W changes, so the result is the same step."""
        delta = self._output_delta(y, t)
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            error = layer.weighted_delta(delta) if index > 0 else None  # with W before the step
            layer.sgd_step(delta, rate, self._l2)  # 式9, 式10
            if index > 0:
                delta = self.layers[index - 1].backward_activation(error)  # 式8

    def _train_step(self, t, x, rate):
        """One step on a validated sample ``x`` (in,) with target ``t`` (out,), or on a batch
        (N, in) with targets (N, out); returns the data loss E before the step (a batch: the
        sum over its rows). ``train_one_sample`` and ``train`` share it, so
        ``train(batch_size=1)`` gives bit-identical parameters to repeated ``train_one_sample``."""
        y = self._forward(x)
        loss = self._loss_fn(y, t)  # one sample: a 0-d value; a batch: one per row
        loss = float(loss if x.ndim == 1 else loss.sum())
        self._backward_and_update(y, t, rate)
        return loss

    # -- public API ------------------------------------------------------------------------

    def predict(self, sample):
        """Output for one sample ``(in,)`` → ``(out,)``, or a batch ``(N, in)`` → ``(N, out)``."""
        return self._forward(self._sample(sample))

    def loss(self, output, label):
        """Data loss E of one sample (float); for a 2-D batch, the mean of E over its rows.
        The L2 term is not included."""
        n_out = self.layer_sizes[-1]
        y = _as_array(output, "output", self._dtype)
        _check_rows(y, "output", n_out, "the output layer")
        t = self._label(label, y)
        if y.ndim == 2 and y.shape[0] == 0:
            raise ValueError("output is an empty batch")
        return float(np.mean(self._loss_fn(y, t)))

    def get_gradient(self, label, sample):
        """``[(dW, db), ...]`` per layer: ``∂E_total/∂W`` (out, in) including ``λW``, and
        ``∂E/∂b`` (out,), for one sample; for a 2-D batch the mean data gradient plus ``λW``.
        Does not change the parameters."""
        x = self._sample(sample)
        t = self._label(label, x)
        if x.ndim == 2 and x.shape[0] == 0:
            raise ValueError("sample is an empty batch")
        self._backward(self._forward(x), t)
        return [(layer.W_grad.copy(), layer.b_grad.copy()) for layer in self.layers]

    def train_one_sample(self, label, sample, rate):
        """One gradient step on one sample (the tutorial's argument order: label first).
        Returns the sample's data loss E measured before the step."""
        rate = _check_real(rate, "rate", positive=True)
        x = self._sample(sample, batch=False)
        t = self._label(label, x)
        return self._train_step(t, x, rate)

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        """``epoch`` passes over the data in the given order (no shuffling), in consecutive
        batches of ``batch_size`` rows (the last may be shorter); each batch steps once by its
        mean data gradient plus ``λW``. Returns the mean data loss over the last epoch's samples,
        each measured on the forward pass used for its step (NaN when ``epoch`` is 0)."""
        rate = _check_real(rate, "rate", positive=True)
        epoch = _check_int(epoch, "epoch", 0)
        batch_size = _check_int(batch_size, "batch_size", 1)
        data = _as_array(data_set, "data_set", self._dtype)
        if data.ndim != 2:
            raise ValueError(f"data_set must be 2-D (one sample per row), got shape {data.shape}")
        _check_rows(data, "data_set", self.layer_sizes[0], "the input layer")
        if data.shape[0] == 0:
            raise ValueError("data_set is empty")
        targets = self._label(labels, data, "labels")

        n = data.shape[0]
        mean_loss = float("nan")
        for _ in range(epoch):
            total = 0.0
            for start in range(0, n, batch_size):
                if batch_size == 1:  # one sample: exactly train_one_sample's arithmetic
                    total += self._train_step(targets[start], data[start], rate)
                else:  # views of the validated arrays, one matrix product per layer
                    stop = start + batch_size
                    total += self._train_step(targets[start:stop], data[start:stop], rate)
            mean_loss = total / n
        return mean_loss

    def parameters(self):
        """``[(W, b), ...]`` per layer, copies: W (out, in), b (out,)."""
        return [(layer.W.copy(), layer.b.copy()) for layer in self.layers]

    def set_parameters(self, params):
        """Replace every (W, b) from nested lists or arrays; checks every shape and value first,
        so nothing changes unless all of them are valid."""
        if isinstance(params, (str, bytes)) or not hasattr(params, "__len__"):
            raise TypeError("params must be a list of (W, b) pairs, one per layer")
        if len(params) != len(self.layers):
            raise ValueError(f"params has {len(params)} layers, the network has "
                             f"{len(self.layers)}")
        checked = []
        for number, (pair, layer) in enumerate(zip(params, self.layers), start=1):
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise ValueError(f"params[{number - 1}] must be a pair (W, b)")
            W = _as_array(pair[0], f"W of layer {number}", self._dtype)
            b = _as_array(pair[1], f"b of layer {number}", self._dtype)
            if W.shape != layer.W.shape:
                raise ValueError(f"W of layer {number} has shape {W.shape}, expected "
                                 f"{layer.W.shape}")
            if b.shape != layer.b.shape:
                raise ValueError(f"b of layer {number} has shape {b.shape}, expected "
                                 f"{layer.b.shape}")
            checked.append((W, b))
        for (W, b), layer in zip(checked, self.layers):
            layer.W[...] = W
            layer.b[...] = b
