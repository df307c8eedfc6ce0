"""Scoring a network on a set of samples: mean loss and error rate, through the shared API."""

from functools import partial
from typing import NamedTuple

import numpy as np

from .data import one_hot
from .networks import input_output_sizes
from .scoring import CHUNK  # rows per predict call, chosen there


class Evaluation(NamedTuple):
    loss: float         # mean data loss E over the samples (net.loss; no L2 term); inf if
                        # an output is not finite
    error_rate: float   # fraction of samples whose largest output is not their class


def as_float64(batch):
    return np.asarray(batch, dtype=np.float64)


def one_hot_encoder(n_classes):
    """encode(classes) → (k, n_classes) one-hot float64 rows (the default ``encode``)."""
    return partial(one_hot, n_classes=n_classes)


def evaluate(net, features, classes, *, encode=None, transform=None, chunk_size=CHUNK):
    """Mean loss and error rate of ``net`` on (features, classes).

    A batched network gets one ``predict`` per chunk of ``chunk_size`` rows, the other one
    per row. A sample whose output holds NaN or infinity counts as an error with loss inf
    (a diverged network is scored, not crashed on; NumPy's overflow warnings are silenced).
    """
    encode = encode or one_hot_encoder(input_output_sizes(net.layer_sizes)[1])
    transform = transform or as_float64
    classes = np.asarray(classes)
    n = len(classes)
    if n == 0:
        raise ValueError("cannot evaluate on an empty set")
    batched = getattr(net, "batched", False)
    total_loss, wrong = 0.0, 0
    with np.errstate(all="ignore"):
        for start in range(0, n, chunk_size):
            x = transform(features[start:start + chunk_size])
            c = classes[start:start + chunk_size]
            t = encode(c)
            if batched:
                y = np.asarray(net.predict(x))
            else:
                y = np.array([net.predict(row) for row in np.asarray(x).tolist()])
            finite = np.isfinite(y).all(axis=1)
            if not finite.all():
                total_loss = float("inf")
            elif batched:
                total_loss += net.loss(y, t) * len(c)  # loss of a 2-D batch is the row mean
            else:
                total_loss += sum(net.loss(y_row, t_row)
                                  for y_row, t_row in zip(y.tolist(), np.asarray(t).tolist()))
            wrong += int(np.count_nonzero((np.argmax(y, axis=1) != c) | ~finite))
    return Evaluation(loss=float(total_loss / n), error_rate=wrong / n)
