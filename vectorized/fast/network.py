"""``vectorized.fast.Network``: the textbook network's training, fused and batch-last.

A fast network holds a textbook :class:`vectorized.Network` built from the same arguments (it
checks them and draws the same parameters) and its own layers, which copy the textbook's W and
b (through the public ``layers``, ``W``, ``b``, ``dropout_rng``). Only ``train_one_sample`` and
``train`` run the fast layers; every other method hands the current parameters to the textbook
network and runs its code, so ``predict``, ``get_gradient``, ``loss`` and the four phases give
the textbook's numbers on the fast engine's weights.

One step (:meth:`Network._step`): forward through the fast layers (conv and pooling on
(C, H, W, N) maps, flattened to (N, C·H·W) rows for the first fully connected layer), the
output δ (式7), then from the top down each layer hands the layer below its error (``Wᵀδ``,
with W before the step), steps (式9, 式10 in one pass over W) and the layer below takes its δ
(式8).
"""

import math

import numpy as np

from .. import network as textbook
from ..checks import as_array, check_int, check_real
from ..losses import get_loss, output_delta
from ..stack import as_input, as_maps
from .conv import ConvLayer, Dropout, MaxPoolingLayer
from .layer import FullConnectedLayer


def _own_layer(layer, rng):
    """The fast engine's layer for one textbook layer, with a copy of its W and b."""
    kind = type(layer).__name__
    if kind == "FullConnectedLayer":
        mine = FullConnectedLayer(layer.input_size, layer.output_size, layer.activator,
                                  layer.dtype)
    elif kind == "ConvLayer":
        mine = ConvLayer(layer.input_shape, layer.filter_number, layer.filter_size,
                         layer.zero_padding, layer.stride, layer.activator, layer.dtype)
    elif kind == "MaxPoolingLayer":
        return MaxPoolingLayer(layer.input_shape, layer.pool_size, layer.dtype)
    else:
        return Dropout(layer.p, rng, layer.dtype)
    mine.W, mine.b[...] = layer.W, layer.b
    return mine


def _weights(layer):
    """A layer's W with any held steps, without adding them to its array."""
    return layer.weights() if type(layer) is FullConnectedLayer else layer.W


class Network:
    """:class:`vectorized.Network`'s arguments and API, with the fast training step."""

    batched = True  # predict and train take a whole (N, in) batch in one call

    def __init__(self, layer_sizes, *, activation="sigmoid", output="sigmoid", loss="mse",
                 init="uniform", l2=0.0, seed=None, dtype="float64"):
        self._textbook = textbook.Network(layer_sizes, activation=activation, output=output,
                                          loss=loss, init=init, l2=l2, seed=seed, dtype=dtype)
        self._layers = [_own_layer(layer, self.dropout_rng) for layer in self._textbook.layers]
        self._with_parameters = [layer for layer in self._layers if layer.W is not None]
        for conv, pool in zip(self._layers, self._layers[1:]):  # ReLU after the max (conv.py)
            if type(conv) is ConvLayer and conv.activator == "relu" and \
                    type(pool) is MaxPoolingLayer:
                conv.relu_in_pool = pool.relu = True
        self._textbook_current = True  # the textbook network holds our parameters
        self._loss_fn = get_loss(loss)[0]

    # -- the textbook network's attributes -------------------------------------------------

    def _read(name, doc):  # noqa: N805 (a helper of the class body)
        return property(lambda self: getattr(self._textbook, name), doc=doc)

    layer_sizes = _read("layer_sizes", "the layer sizes or CNN spec, as given")
    activation = _read("activation", "hidden activations, one a layer")
    output = _read("output", "the output layer's activation")
    loss_name = _read("loss_name", "the loss's name")
    init = _read("init", "the initialisation's name")
    seed = _read("seed", "the seed of random.Random (int or None)")
    dtype = _read("dtype", "the NumPy dtype of every array")
    input_shape = _read("input_shape", "(n,) or a CNN's (C, H, W)")
    input_size = _read("input_size", "numbers per sample")
    output_size = _read("output_size", "outputs per sample")
    dropout_rng = _read("dropout_rng", "the dropout masks' NumPy generator (None: no dropout)")
    del _read

    @property
    def layers(self):
        """The textbook network's layers, holding this network's current parameters: what the
        phases (``predict``, ``calc_delta``…) run and set. The fast layers are ``_layers``."""
        return self._current().layers

    @property
    def l2(self):
        """λ of the L2 term ``λ/2 Σ W²`` (settable; must be finite and ≥ 0)."""
        return self._textbook.l2

    @l2.setter
    def l2(self, value):
        self._textbook.l2 = value

    def config(self):
        """JSON-serialisable settings; ``Network(**net.config())`` rebuilds the same network."""
        return self._textbook.config()

    def __repr__(self):
        return repr(self._textbook)

    # -- the textbook network runs everything but training ---------------------------------

    def _current(self):
        """The textbook network, holding this network's parameters."""
        if not self._textbook_current:
            homes = [layer for layer in self._textbook.layers if layer.W is not None]
            for home, mine in zip(homes, self._with_parameters):
                home.W[...], home.b[...] = _weights(mine), mine.b
            self._textbook_current = True
        return self._textbook

    def _copy_back(self):
        homes = [layer for layer in self._textbook.layers if layer.W is not None]
        for home, mine in zip(homes, self._with_parameters):
            mine.W, mine.b[...] = home.W, home.b

    def predict(self, sample, *, training=False):
        return self._current().predict(sample, training=training)

    def calc_delta(self, label):
        return self._current().calc_delta(label)

    def calc_gradient(self):
        return self._current().calc_gradient()

    def update_weight(self, rate):
        self._current().update_weight(rate)
        self._copy_back()

    def loss(self, output, label):
        return self._textbook.loss(output, label)

    def get_gradient(self, label, sample):
        return self._current().get_gradient(label, sample)

    def parameters(self):
        return [(layer.W.copy(), layer.b.copy()) for layer in self._with_parameters]

    def set_parameters(self, params):
        self._current().set_parameters(params)
        self._copy_back()

    def dump(self):
        self._current().dump()

    for _name in ("predict", "calc_delta", "calc_gradient", "update_weight", "loss",
                  "get_gradient", "parameters", "set_parameters", "dump"):
        locals()[_name].__doc__ = getattr(textbook.Network, _name).__doc__
    del _name

    # -- training --------------------------------------------------------------------------

    def _is_ready(self, value, width, ndim):
        """True for a C-contiguous array of the network's dtype, ``ndim`` dimensions, rows of
        ``width``, whose rows all sum to finite numbers: a NaN or an infinity makes its row's
        sum non-finite. Sums that overflow get the textbook's full check."""
        if not (type(value) is np.ndarray and value.dtype is self.dtype and value.ndim == ndim
                and value.shape[-1] == width and value.size and value.flags.c_contiguous):
            return False
        if ndim == 1:  # Σ v² is finite only if every v is
            return math.isfinite(value @ value)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow only means "check"
            return bool(np.isfinite(value @ np.ones(width, dtype=self.dtype)).all())

    def train_one_sample(self, label, sample, rate):
        """One gradient step on one sample (label first); returns its data loss E before the
        step."""
        flat = len(self.input_shape) == 1
        if not (type(rate) is float and math.isfinite(rate) and rate > 0.0):
            rate = check_real(rate, "rate", positive=True)
        if not (flat and self._is_ready(sample, self.input_size, 1)):
            sample = as_input(sample, "sample", self.dtype, self.input_shape, batch=False)
        if not self._is_ready(label, self.output_size, 1):
            label = as_array(label, "label", self.dtype, self.output_size, "the output layer",
                             rows=False)
        return self._step(label[None], sample[None], rate)

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        """``epoch`` passes over the data in order, in batches of ``batch_size`` rows, each
        one step by its mean gradient (see :meth:`vectorized.Network.train`); returns the mean
        data loss over the last epoch (NaN when ``epoch`` is 0)."""
        if not (type(rate) is float and math.isfinite(rate) and rate > 0.0):
            rate = check_real(rate, "rate", positive=True)
        epoch = check_int(epoch, "epoch", 0)
        batch_size = check_int(batch_size, "batch_size", 1)
        if self._is_ready(data_set, self.input_size, 2):
            data = data_set if len(self.input_shape) == 1 else \
                data_set.reshape((-1,) + self.input_shape)
        elif isinstance(data_set, np.ndarray) and data_set.ndim == 4 and \
                len(self.input_shape) == 3:
            data = as_input(data_set, "data_set", self.dtype, self.input_shape)
        else:
            data = as_array(data_set, "data_set", self.dtype, self.input_size,
                            "the input layer", rows=True)
            if len(self.input_shape) == 3:
                data = as_maps(data, "data_set", self.input_shape)
        if data.shape[0] == 0:
            raise ValueError("data_set is empty")
        targets = as_array(labels, "labels", self.dtype, self.output_size, "the output layer",
                           rows=True)
        if targets.ndim != 2 or targets.shape[0] != data.shape[0]:
            raise ValueError(f"labels has {targets.shape[0]} rows, the samples have "
                             f"{data.shape[0]}")
        n, mean_loss = data.shape[0], float("nan")
        for _ in range(epoch):
            total = 0.0
            for start in range(0, n, batch_size):
                stop = start + batch_size
                total += self._step(targets[start:stop], data[start:stop], rate)
            mean_loss = total / n
        return mean_loss

    def _step(self, t, x, rate):
        """One step on a validated batch ``x`` (N, in) or (N, C, H, W) with targets ``t``
        (N, out); returns E before the step, summed over the batch. A batch of one goes through
        the fully connected layers as 1-D vectors (their held steps,
        :mod:`vectorized.fast.deferred`)."""
        self._textbook_current = False
        one = x.shape[0] == 1
        if one:
            t = t[0]
        if len(self.input_shape) == 3:
            x = np.ascontiguousarray(x.transpose(1, 2, 3, 0))  # (C, H, W, N)
        elif one:
            x = x[0]
        layers, l2 = self._layers, self.l2
        flatten = None  # the first layer that reads rows
        for index, layer in enumerate(layers):
            if x.ndim == 4 and not isinstance(layer, (ConvLayer, MaxPoolingLayer)):
                flatten = index
                x = x.reshape(-1) if one else np.ascontiguousarray(x.reshape(-1, x.shape[-1]).T)
            x = layer.forward(x)  # 式2; formula (1) in a conv layer
        top, y = layers[-1], x
        if top.activator == "sigmoid" and self.loss_name == "mse":
            error = t - y  # −∂E/∂y of E = ½ Σ (t − y)², shared by E and δ
            flat = error.reshape(-1)
            loss = 0.5 * float(flat @ flat)  # E summed over the batch
            delta = 1.0 - y  # 式7: δ = y(1 − y)(t − y)
            delta *= y
            delta *= error
        else:
            loss = float(np.sum(self._loss_fn(y, t)))
            delta = output_delta(top.activator, self.loss_name, top.net, y, t)  # 式7
        for index in range(len(layers) - 1, -1, -1):
            layer = layers[index]
            if index > 0:
                error = (layer.weighted_delta(delta) if type(layer) is FullConnectedLayer
                         else layer.error_below())
            if hasattr(layer, "sgd_step"):
                layer.sgd_step(delta, rate, l2)  # 式9, 式10
            if index > 0:
                if index == flatten:  # rows (N, C·H·W) back to maps (C, H, W, N)
                    shape = layers[index - 1].output_shape
                    error = error.reshape(shape + (1,)) if one else error.T.reshape(shape + (-1,))
                delta = layers[index - 1].hidden_delta(error)  # 式8
        return loss
