"""When to stop: early stopping on the validation error rate, divergence, and "not learning".

Early stopping follows the tutorial: stop as soon as the validation error rate rises above the
best so far (``patience=0``); ``patience=k`` allows k evaluations without improvement (a
strictly lower error rate). A tie is not a rise.
"""

import math

import numpy as np

from .history import decode_float, encode_float

# "Not learning": this many evaluations, every one at or above this share of chance level
# (chance = 1 − 1/K for K classes: 90 % error for MNIST).
NOT_LEARNING_EVALUATIONS = 3
NEAR_CHANCE = 0.9


class EarlyStopping:
    """The best evaluation so far, its parameters, and evaluations since it."""

    def __init__(self):
        self.best_epoch = self.best_error_rate = self.best_loss = self.best_parameters = None
        self.evals_since_best = 0

    def judge(self, epoch, scores, patience, parameters):
        """Record an evaluation; return why to stop, or None to go on (``parameters``, the
        network's, are copied when the evaluation is the best so far)."""
        if self.best_error_rate is None or scores.error_rate < self.best_error_rate:
            self.best_epoch, self.best_error_rate = epoch, scores.error_rate
            self.best_loss, self.evals_since_best = scores.loss, 0
            self.best_parameters = copy_parameters(parameters)
            return None
        self.evals_since_best += 1
        return self.verdict(epoch, scores.error_rate, patience)

    def verdict(self, epoch, error_rate, patience):
        """Why a run whose last evaluation (``epoch``) gave ``error_rate`` stops, or None."""
        if (patience is None or self.best_error_rate is None
                or error_rate <= self.best_error_rate or self.evals_since_best <= patience):
            return None
        return (f"validation error rate {100 * error_rate:.2f} % after epoch {epoch} is above "
                f"the best, {100 * self.best_error_rate:.2f} % after epoch {self.best_epoch}, "
                f"with {self.evals_since_best} evaluation(s) without improvement "
                f"(patience {patience})")

    def to_dict(self):
        return {"epoch": self.best_epoch, "error_rate": encode_float(self.best_error_rate),
                "loss": encode_float(self.best_loss), "evals_since_best": self.evals_since_best}

    @classmethod
    def from_dict(cls, saved, best_parameters):
        """The bookkeeping of a checkpoint (KeyError/TypeError/ValueError if malformed)."""
        stopping = cls()
        stopping.best_epoch = None if saved["epoch"] is None else int(saved["epoch"])
        stopping.best_error_rate = decode_float(saved["error_rate"])
        stopping.best_loss = decode_float(saved["loss"])
        stopping.evals_since_best = int(saved["evals_since_best"])
        stopping.best_parameters = best_parameters
        return stopping


def divergence(epoch, loss, parameters, rate, which="mean training loss"):
    """One line saying how the run diverged in ``epoch``, or None if it did not."""
    if not math.isfinite(loss):
        what = f"the {which} is {loss}"
    elif not all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in parameters):
        what = "some parameters are NaN or infinite"
    else:
        return None
    return f"training diverged in epoch {epoch}: {what}; try a smaller rate than {rate:g}"


def not_learning(error_rates, n_classes, what):
    """The note "not learning" when all ``error_rates`` are at chance level (within
    NEAR_CHANCE of 1 − 1/K for K classes), else None; ``what`` says which rates."""
    chance = 1 - 1 / n_classes
    if n_classes > 1 and all(rate >= NEAR_CHANCE * chance for rate in error_rates):
        return (f"not learning: the {what}, chance level is {100 * chance:.0f} %; the rate may "
                "be too large (or too small)")
    return None


def copy_parameters(params):
    """[(W, b), …] as new float arrays (lists become float64, float32 stays float32)."""
    def copy(value):
        array = np.array(value)
        return array if array.dtype.kind == "f" else array.astype(np.float64)
    return [(copy(W), copy(b)) for W, b in params]
