"""Helpers shared by the tests (one home each): parameter comparison, the scalar sigmoid, the
sigmoid's test grid, a central-difference gradient, one training step phase by phase, the
command line in-process, and a stand-in network for the trainer.

Import as ``from tests.helpers import ...`` (the project root is on pytest's path).
"""

import math
import warnings

import numpy as np

from neurons_lab.cli import main
from neurons_lab.training.trainer import Trainer, TrainSettings

# -- parameters --------------------------------------------------------------------------------


#: Small networks on which vectorized.fast's BLAS paths are held to the NumPy ones
#: (tests/test_fast_blas.py, tests/test_fast_numpy_blas.py).
FAST_CONFIGS = [
    dict(layer_sizes=[6, 5, 4], seed=1),
    dict(layer_sizes=[6, 5, 4], seed=2, l2=0.01),
    dict(layer_sizes=[7, 6, 5, 3], activation=["tanh", "relu"], output="softmax",
         loss="cross_entropy", l2=0.05, seed=3),
    dict(layer_sizes=[5, 8, 3], activation="elu", output="identity", loss="hinge", seed=4),
]


def flat(params):
    """[(W, b), …] (nested lists or arrays) as one list of floats, W row by row then b."""
    return [float(v) for W, b in params for v in np.ravel(W).tolist() + np.ravel(b).tolist()]


def unflat(values, sizes):
    """The inverse of :func:`flat` for a fully connected ``layer_sizes``, as nested lists."""
    params, k = [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        W = [list(values[k + j * n_in:k + (j + 1) * n_in]) for j in range(n_out)]
        k += n_in * n_out
        params.append((W, list(values[k:k + n_out])))
        k += n_out
    return params


def params_equal(a, b):
    """Bitwise: same layers, same shapes, same values."""
    return len(a) == len(b) and all(
        np.array_equal(np.asarray(W1), np.asarray(W2)) and np.array_equal(np.asarray(b1),
                                                                            np.asarray(b2))
        for (W1, b1), (W2, b2) in zip(a, b))


def max_difference(net_a, net_b):
    """Largest |difference| between the parameters of two networks (either package)."""
    a, b = flat(net_a.parameters()), flat(net_b.parameters())
    assert len(a) == len(b)
    return max(abs(x - y) for x, y in zip(a, b))


# A parameter, loss or output beyond this means a run blew up even if it is still finite
# (they start near 1): its steps grow with it, and their round-off (~1e-16 of a step of 1e8)
# alone exceeds the 1e-9 training bound. The equivalence contract is for runs that do not
# diverge; the training-agreement tests leave the others out with this predicate.
BLOWN_UP = 1e4


def not_diverged(values):
    """True when every number of ``values`` (parameters, losses, outputs) is finite and at most
    BLOWN_UP in size."""
    values = np.asarray(values, dtype=float)
    return bool(np.all(np.isfinite(values)) and np.all(np.abs(values) <= BLOWN_UP))


def close(a, b, tol):
    """Assert |a − b| ≤ tol, relative to max(|a|, |b|) when that exceeds 1."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    assert a.shape == b.shape
    scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    worst = float(np.max(np.abs(a - b) / scale, initial=0.0))
    assert worst <= tol, f"differ by {worst:.3e} > {tol}"


# -- the sigmoid -------------------------------------------------------------------------------


def sigmoid(z):
    """1 / (1 + e^−z) of one float, for values worked by hand."""
    return 1.0 / (1.0 + math.exp(-z))


def sigmoid_test_points(dtype):
    """A grid from −800 to 800 plus ±0 and the extremes (clipped to float32's range)."""
    x = np.concatenate([np.linspace(-800.0, 800.0, 4001), [0.0, -0.0, 1e308, -1e308]])
    return x.astype(dtype) if dtype is np.float64 else np.clip(x, -1e30, 1e30).astype(dtype)


def check_sigmoid(sigmoid_of_array, x):
    """An array sigmoid against the two-branch formula: a few ulps, no warnings, exact 0, ½, 1."""
    dtype = x.dtype
    e = np.exp(-np.abs(x))
    with np.errstate(under="ignore"):
        two_branches = np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = sigmoid_of_array(x)
    assert y.dtype == dtype
    info = np.finfo(dtype)  # relative to a few ulps; absolutely below the smallest normal
    np.testing.assert_allclose(y, two_branches, rtol=4 * info.eps, atol=info.tiny)
    assert y[x == x.min()].max() == 0.0 and y[x == x.max()].min() == 1.0
    assert y[x == 0.0].tolist() == [0.5] * int(np.count_nonzero(x == 0.0))


# -- 式6, written independently of training.gradcheck ----------------------------------------


def total_loss(net, labels, samples):
    """E_total = mean(E) + λ/2 Σ W² (the function get_gradient differentiates); vectorized."""
    penalty = 0.5 * net.l2 * sum(float(np.sum(W * W)) for W, _ in net.parameters())
    return net.loss(net.predict(samples), labels) + penalty


def numerical_gradient(net, labels, samples, eps=1e-6):
    """式6: (E(θ+ε) − E(θ−ε)) / 2ε for every weight and bias, through the public API."""
    params = net.parameters()
    grads = []
    for index, (W, b) in enumerate(params):
        pair = []
        for array in (W, b):
            grad = np.zeros_like(array)
            for position in np.ndindex(array.shape):
                values = []
                for sign in (1.0, -1.0):
                    perturbed = [(w.copy(), c.copy()) for w, c in params]
                    target = perturbed[index][0 if array is W else 1]
                    target[position] += sign * eps
                    net.set_parameters(perturbed)
                    values.append(total_loss(net, labels, samples))
                grad[position] = (values[0] - values[1]) / (2.0 * eps)
            pair.append(grad)
        grads.append(tuple(pair))
    net.set_parameters(params)
    return grads


# -- one step, phase by phase; the command line ------------------------------------------------


def step_phases(net, sample, label, rate, look):
    """``train_one_sample`` as its four public phases, calling ``look(phase)`` after each
    ("forward", "delta", "gradient", "update"); returns the loss of the forward pass."""
    loss = net.loss(net.predict(sample), label)
    look("forward")
    net.calc_delta(label)
    look("delta")
    net.calc_gradient()
    look("gradient")
    net.update_weight(rate)
    look("update")
    return loss


def run_cli(capsys, *argv):
    """``neurons ARGV…`` in-process: (exit status, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- a stand-in network for the trainer ---------------------------------------------------------


def quiet(**kwargs):
    return TrainSettings(progress=False, **kwargs)


class FakeNet:
    """The shared API around one number w = the number of batches stepped so far.

    Feature rows are [i]: predict([i]) is correct for the eval sample i unless i is below the
    scripted count of wrong answers for the current w (so the held-out error rate after epoch
    e is ``wrong[e] / n_eval`` when each epoch is one batch). Every batch is logged.
    """

    batched = False
    layer_sizes = (1, 2)
    l2 = 0.0

    def __init__(self, wrong=(), losses=None):
        self.wrong = list(wrong)
        self.losses = losses
        self.w = 0.0
        self.calls = []

    def config(self):
        return {"layer_sizes": [1, 2], "activation": [], "output": "softmax", "loss": "fake",
                "init": "uniform", "l2": 0.0, "seed": None}

    def predict(self, sample):
        (i,) = sample
        epoch = int(self.w)
        wrong = self.wrong[epoch - 1] if 0 < epoch <= len(self.wrong) else 0
        return [0.0, 1.0] if i < wrong else [1.0, 0.0]

    def loss(self, output, label):
        return float(sum((t - y) ** 2 for t, y in zip(label, output)))

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        """Like the real ones: step batch by batch through the given rows (the trainer hands
        over several whole batches per call); each batch is logged as one step."""
        assert epoch == 1 and len(data_set) == len(labels)
        total = 0.0
        for start in range(0, len(data_set), batch_size):
            batch = data_set[start:start + batch_size]
            self.calls.append([row[0] for row in batch])
            self.w += 1.0
            loss = 0.5 if self.losses is None else self.losses[len(self.calls) - 1]
            total += loss * len(batch)
        return total / len(data_set)

    def parameters(self):
        return [([[self.w], [self.w]], [0.0, 0.0])]

    def set_parameters(self, params):
        (W, b), = params
        self.w = float(np.asarray(W)[0][0])


def fake_trainer(wrong, n_eval=10, n_train=5, **settings):
    """A trainer whose every epoch is one train call (batch_size = n_train)."""
    net = FakeNet(wrong)
    x = np.arange(n_train, dtype=float).reshape(-1, 1)
    ex = np.arange(n_eval, dtype=float).reshape(-1, 1)
    settings.setdefault("batch_size", n_train)
    trainer = Trainer(net, x, np.zeros(n_train, dtype=int), validation_features=ex,
                      validation_classes=np.zeros(n_eval, dtype=int), settings=quiet(**settings))
    return net, trainer
