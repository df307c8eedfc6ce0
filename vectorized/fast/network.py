"""``vectorized.fast.Network``: the textbook network with a fused training step.

Same constructor, API and phases as :class:`vectorized.network.Network` (it is a subclass);
``train_one_sample`` and ``train`` skip the kept gradient: each layer passes its ``Wᵀδ`` down
and then steps with :meth:`~vectorized.fast.layer.FullConnectedLayer.sgd_step`. Ready inputs
(a finite 1-D array of the network's dtype, a float rate) skip the general checks.

A CNN spec (or dropout) takes the same fused step through a mixed stack (:meth:`_step`):
the fully connected layers step with ``sgd_step``, the textbook conv layers with their own
``calc_gradient`` and ``update`` (their W is small), pooling and dropout hand δ down as in the
textbook. On the CNN article's dropout network (two conv layers, 2 × 1,000 fully connected,
float32, batch 10) the two large layers' gradient, λW and step passes were half of a step.
"""

import math

import numpy as np

from .. import network as textbook
from ..checks import check_int
from ..losses import output_delta
from .conv import ConvLayer
from .layer import FullConnectedLayer


class Network(textbook.Network):
    """:class:`vectorized.Network` with the fast step; ``dtype`` "float64" or "float32"."""

    layer_class = FullConnectedLayer
    conv_class = ConvLayer

    # -- validation: a short path for inputs that are ready as they are ---------------------

    def _is_ready_vector(self, value, length):
        """True for a finite 1-D array of the network's dtype with ``length`` values, usable
        without a copy. Finiteness in one dot product: ``Σ v²`` is finite only if every ``v``
        is. Values so large that their squares overflow get the full check, which accepts
        them."""
        return (type(value) is np.ndarray and value.dtype is self._dtype and value.ndim == 1
                and value.shape[0] == length and math.isfinite(value @ value))

    def _sample(self, sample, name="sample", *, batch=True):
        if len(self.input_shape) == 1 and self._is_ready_vector(sample, self.input_size):
            return sample
        return super()._sample(sample, name, batch=batch)

    def _label(self, label, like, name="label", rows=None):
        if like.ndim == 1 and self._is_ready_vector(label, self.output_size):
            return label
        return super()._label(label, like, name, rows)

    def _is_ready_rows(self, value):
        """True for a non-empty C-contiguous (N, in) array of the network's dtype whose rows all
        sum to finite numbers: a NaN or an infinity in a row makes its sum NaN or infinite, so
        the row sums (one matrix-vector product, 3× faster than ``np.isfinite`` on 4096 × 784
        float32) prove every value finite. Sums that overflow get the full check."""
        if not (type(value) is np.ndarray and value.dtype is self._dtype and value.ndim == 2
                and value.shape[0] > 0 and value.shape[1] == self.input_size
                and len(self.input_shape) == 1 and value.flags.c_contiguous):
            return False
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow only means "check"
            sums = value @ np.ones(self.input_size, dtype=self._dtype)
        return bool(np.isfinite(sums).all())

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        if not self._is_ready_rows(data_set):
            return super().train(labels, data_set, rate, epoch, batch_size)
        rate = self._rate(rate)  # the textbook's checks, in its order, on the other arguments
        epoch = check_int(epoch, "epoch", 0)
        batch_size = check_int(batch_size, "batch_size", 1)
        targets = self._label(labels, data_set, "labels", rows=True)
        return self._epochs(targets, data_set, rate, epoch, batch_size)

    train.__doc__ = textbook.Network.train.__doc__

    def _rate(self, rate):
        if type(rate) is float and math.isfinite(rate) and rate > 0.0:  # skips the ABC check
            return rate
        return super()._rate(rate)

    # -- the fused step ---------------------------------------------------------------------

    def _step(self, t, x, rate):
        """One step on a validated sample or batch: forward, the output δ (式7), then layer by
        layer from the top: the error the layer hands down, from its parameters before the
        step (a fully connected layer's ``Wᵀδ``, else its ``error_below()``), the layer's step
        (``sgd_step``, or a conv layer's ``calc_gradient`` and ``update``; nothing for pooling
        and dropout, 式9, 式10), and the δ of the layer below from that error (式8). A CNN or
        dropout runs the forward pass through ``predict`` (dropout on: the textbook engine's
        masks). Returns E before the step (a batch: the sum over its rows)."""
        layers, l2 = self.layers, self._l2
        if len(self._with_parameters) == len(layers) and len(self.input_shape) == 1:
            for layer in layers:
                x = layer.forward(x)  # 式2
            y = x
        else:
            y = self.predict(x, training=True)  # flattening, dropout masks
        top = layers[-1]
        if y.ndim == 2 and top.activator == "sigmoid" and self._loss_name == "mse":
            error = t - y  # −∂E/∂y of E = ½ Σ (t − y)², shared by E and δ (a dozen small calls
            flat = error.reshape(-1)  # fewer than the general loss and output_delta)
            loss = 0.5 * float(flat @ flat)  # E summed over the batch
            delta = 1.0 - y  # 式7: δ = y(1 − y)(t − y)
            delta *= y
            delta *= error
        else:
            loss = self._loss_fn(y, t)
            loss = float(loss if y.ndim == 1 else loss.sum())
            delta = output_delta(top.activator, self._loss_name, top.net, y, t)  # 式7
        for index in range(len(layers) - 1, -1, -1):
            layer = layers[index]
            fused = isinstance(layer, FullConnectedLayer)
            if index > 0:
                error = layer.weighted_delta(delta) if fused else layer.error_below()
            if fused:
                layer.sgd_step(delta, rate, l2)  # 式9, 式10
            elif layer.W is not None:
                layer.calc_gradient(l2)
                layer.update(rate)  # 式9, 式10
            if index > 0:
                below = layers[index - 1]
                delta = (below.hidden_delta(error) if isinstance(below, FullConnectedLayer)
                         else below.backward_error(error.reshape(below.net.shape)))  # 式8
        return loss
