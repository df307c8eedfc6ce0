"""Scoring networks on a labelled set — the one evaluation path of the tools: one loop predicts
(:func:`network_outputs`), one type holds a result (:class:`Evaluation`: loss, error rate,
per-digit accuracy, confusion matrix); a majority vote of several networks; the most confident
mistakes. A network with ``batched = True`` (``vectorized``) predicts (B, n_in) → (B, n_out),
any other (``neurons``) one sample at a time; a sample's class is its largest output's index.
"""

from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from typing import Optional

import numpy as np

from .data import one_hot
from .errors import TrainingError

# Rows per predict call of a batched network. A CNN's intermediate maps grow with it (scoring
# CNN 3 on 10,000 images peaked at 2.1 GB resident with 4096 rows, 0.42 GB with 512).
CHUNK = 512


def as_float64(batch):
    return np.asarray(batch, dtype=np.float64)


def one_hot_encoder(n_classes):
    """encode(classes) → (k, n_classes) one-hot float64 rows (the default ``encode``)."""
    return partial(one_hot, n_classes=n_classes)


def network_outputs(net, features, *, transform=None, chunk_size=CHUNK, finite=True):
    """Outputs of ``net`` for every row of ``features``: float64 (N, n_out), one ``predict``
    per ``chunk_size`` rows for a batched network, one per row otherwise.

    transform: selected rows → floats the network takes (e.g. a training.data.Preprocessor);
    default ``astype(float64)``. With ``finite``, raises TrainingError (a ValueError) if any
    output is NaN or infinite (a diverged network), naming how many rows and the first.
    """
    if len(features) == 0:
        raise ValueError("cannot evaluate on an empty set")
    transform = transform or as_float64
    chunks = []
    with np.errstate(all="ignore"):
        for start in range(0, len(features), chunk_size):
            x = transform(features[start:start + chunk_size])
            if getattr(net, "batched", False):
                y = np.asarray(net.predict(x), dtype=np.float64)
            else:
                y = np.array([net.predict(row) for row in np.asarray(x).tolist()],
                             dtype=np.float64)
            if y.ndim != 2 or len(y) != len(x):
                raise ValueError(f"predict gave outputs of shape {y.shape} for {len(x)} rows")
            chunks.append(y)
    outputs = np.concatenate(chunks)
    bad = np.flatnonzero(~np.isfinite(outputs).all(axis=1))
    if finite and bad.size:
        raise TrainingError(f"the network's outputs hold NaN or infinity for {bad.size:,} of "
                            f"{len(outputs):,} samples (the first is #{bad[0]}): it has "
                            "diverged")
    return outputs


def evaluate(net, features, classes, *, encode=None, transform=None, chunk_size=CHUNK):
    """:class:`Evaluation` of ``net`` on (features, classes), with the mean loss (``net.loss``
    of ``encode(classes)``, default one-hot; no L2 term). A sample whose output holds NaN or
    infinity counts as an error and makes the loss inf (a diverged network is scored, not
    crashed on)."""
    outputs = network_outputs(net, features, transform=transform, chunk_size=chunk_size,
                              finite=False)
    encode = encode or one_hot_encoder(outputs.shape[1])
    classes = np.asarray(classes)
    if not np.isfinite(outputs).all():
        return score(outputs, classes, loss=float("inf"))
    total, batched = 0.0, getattr(net, "batched", False)
    with np.errstate(all="ignore"):
        for start in range(0, len(outputs), chunk_size):
            y, t = outputs[start:start + chunk_size], encode(classes[start:start + chunk_size])
            if batched:
                total += net.loss(y, t) * len(y)  # loss of a 2-D batch is the row mean
            else:
                total += sum(map(net.loss, y.tolist(), np.asarray(t).tolist()))
    return score(outputs, classes, loss=float(total / len(classes)))


@dataclass(frozen=True, eq=False)
class Evaluation:
    """outputs (N, C) float64; predicted (N,) int64 (−1 where an output is not finite);
    accuracy and error_rate (1 − accuracy); per_class (C,) (NaN where a class has no samples);
    confusion (C, C) int64, rows true, columns predicted (finite outputs only); true (N,) the
    classes; loss: the mean loss when :func:`evaluate` computed it, else None."""

    outputs: np.ndarray
    predicted: np.ndarray
    accuracy: float
    per_class: np.ndarray
    confusion: np.ndarray
    true: np.ndarray
    loss: Optional[float] = None

    @property
    def error_rate(self):
        return np.count_nonzero(self.predicted != self.true) / len(self.true)


def score(outputs, true, *, loss=None):
    """An :class:`Evaluation` of outputs (N, C) against true classes (N,) int, 0 … C − 1."""
    outputs = np.asarray(outputs, dtype=np.float64)
    true = np.asarray(true)
    if true.ndim != 1 or true.dtype.kind not in "iu":
        raise TypeError(f"true must be a 1-D array of integer class indices, got dtype "
                        f"{true.dtype} shape {true.shape}")
    if outputs.ndim != 2 or len(outputs) != len(true):
        raise ValueError(f"outputs {outputs.shape} must be (N, C) with N = {len(true)} labels")
    n = outputs.shape[1]
    if true.size and (true.min() < 0 or true.max() >= n):
        raise ValueError(f"true holds classes {true.min()} … {true.max()}, but the outputs "
                         f"have {n} columns")
    finite = np.isfinite(outputs).all(axis=1)
    predicted = np.where(finite, np.argmax(np.where(finite[:, None], outputs, 0), axis=1), -1)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (true[finite], predicted[finite]), 1)
    totals = np.bincount(true, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(totals > 0, np.diag(confusion) / totals, np.nan)
    return Evaluation(outputs, predicted.astype(np.int64),
                      np.count_nonzero(predicted == true) / len(true), per_class, confusion,
                      true, loss)


def vote(outputs):
    """The ensemble's class per sample: outputs, finite, one (N, C) array per network →
    (N,) int64. Each network votes for its predicted class, the class with the most votes
    wins; a tie goes to the tied class with the highest *mean output* (probabilities for a
    softmax output, raw sigmoid values otherwise), then to the smallest class."""
    stack = np.asarray(outputs, dtype=np.float64)  # (networks, N, C)
    _, n, n_classes = stack.shape
    votes = np.zeros((n, n_classes), dtype=np.int64)
    for y in stack:
        votes[np.arange(n), np.argmax(y, axis=1)] += 1
    mean = stack.mean(axis=0)
    mean[votes < votes.max(axis=1, keepdims=True)] = -np.inf  # only the most-voted compete
    return np.argmax(mean, axis=1).astype(np.int64)  # argmax takes the first of equal means


def vote_anatomy(outputs, predicted, true):
    """Where the vote ``predicted`` (N,) gains and loses against its members, ``outputs`` one
    (N, C) array per network, labels ``true`` (N,), in counts of samples: disagree (the
    members do not all predict the same class), all_wrong (every member is wrong: no vote can
    be right there), best (index of the member with the fewest errors, the first of equals)
    and best_errors, fixed (the best member is wrong and the vote right), broken (the best
    member is right and the vote wrong)."""
    classes = np.argmax(outputs, axis=2)  # (networks, N): each member's class per sample
    wrong = classes != true
    best = int(np.argmin(wrong.sum(axis=1)))
    vote_right = predicted == true
    return SimpleNamespace(
        disagree=int(np.count_nonzero((classes != classes[0]).any(axis=0))),
        all_wrong=int(np.count_nonzero(wrong.all(axis=0))),
        best=best, best_errors=int(wrong[best].sum()),
        fixed=int(np.count_nonzero(wrong[best] & vote_right)),
        broken=int(np.count_nonzero(~wrong[best] & ~vote_right)))


def confident_mistakes(outputs, true):
    """Indices of the wrongly classified samples, most confident first: sorted by the output
    of the predicted class, highest first, equal outputs by index. (M,) int64.

    outputs (N, C) finite, true (N,): an :class:`Evaluation`'s ``outputs`` and ``true``."""
    predicted = np.argmax(outputs, axis=1)
    wrong = np.flatnonzero(predicted != true)
    confidence = outputs[wrong, predicted[wrong]]
    return wrong[np.lexsort((wrong, -confidence))]
