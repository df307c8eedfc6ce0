"""What ``check`` can compare with the reference, behind one interface (:class:`Candidate`).

* A class with the project's API: ``Cls(layer_sizes, activation=…, output=…, loss=…, l2=…)``,
  ``set_parameters``, ``predict``, ``get_gradient``; used when present: ``parameters``,
  ``loss``, ``calc_delta`` + ``layers[k].delta`` (or the tutorial's ``layers[k].nodes[j].delta``
  with the input layer first), ``train_one_sample``, ``train``. What it supports is probed
  through its constructor (a keyword it does not take, or a ValueError / TypeError /
  NotImplementedError it raises, skips the case) or declared in an optional class attribute
  ``check_supports`` (see :meth:`ApiClass._declared`).
* Functions ``forward(params, X)`` → Y and ``backward(params, X, T)`` → [(dW, db), …] on NumPy
  arrays: ``params`` is [(W, b), …] with W (out, in), X (N, in) and T (N, out) one sample per
  row; the gradient of a batch is the mean over its rows plus λW. A CNN (only when its
  layer_sizes are given) gets conv W (N, C, K, K) and X (N, C·H·W), flat rows.
* A PyTorch ``nn.Module`` (see :mod:`.torch_candidate`).

Every method returns NumPy arrays, or None where the candidate does not expose the quantity.
"""

import inspect

import numpy as np

from neurons_lab.training.errors import TrainingError

DEFAULTS = {"activation": "sigmoid", "output": "sigmoid", "loss": "mse", "l2": 0.0}


class CheckError(TrainingError):
    """A target that cannot be checked (not found, not importable, not a candidate)."""


class Unsupported(Exception):
    """The candidate does not take this case (it is skipped)."""


def arrays(params):
    """[(W, b), …] as fresh float64 arrays."""
    return [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]


class Candidate:
    """The interface: ``prepare(case)`` then the quantities on that case's network."""

    name = "candidate"
    fixed = None  # settings every case must use (e.g. a torch module's architecture)
    cnn = True

    def prepare(self, case):
        raise NotImplementedError

    def set(self, params):
        raise NotImplementedError

    def parameters(self):
        return None

    def output(self, x):
        raise NotImplementedError

    def loss(self, y, t):
        return None

    def deltas(self, x, t):
        return None

    def gradient(self, t, x):
        raise NotImplementedError

    def batch_gradient(self, T, X):
        return None

    def step(self, t, x, rate):
        return None

    def batch_step(self, T, X, rate):
        return None


class ApiClass(Candidate):
    """A class with the project's API (see the module docstring)."""

    def __init__(self, cls, name=None):
        for method in ("predict", "get_gradient", "set_parameters"):
            if not callable(getattr(cls, method, None)):
                raise CheckError(f"{cls.__name__} has no method {method}: check needs "
                                 "predict, get_gradient and set_parameters")
        self.cls, self.name = cls, name or cls.__name__
        try:
            self.signature = inspect.signature(cls)
        except (TypeError, ValueError):
            self.signature = None
        self.net = None

    def _kwargs(self, case):
        config = case.config()
        acts = config["activation"]
        config["activation"] = acts[0] if len(set(acts)) == 1 else acts
        if not acts:
            config["activation"] = DEFAULTS["activation"]
        kwargs = {}
        accepts = self.signature.parameters if self.signature else {}
        takes_any = any(p.kind == p.VAR_KEYWORD for p in accepts.values())
        for key, default in DEFAULTS.items():
            if key in accepts or takes_any:
                kwargs[key] = config[key]
            elif config[key] != default:
                raise Unsupported(f"{self.name}() takes no {key}= (needed: {config[key]!r})")
        return config["layer_sizes"], kwargs

    def _declared(self, case):
        """Refuse a case the class's optional ``check_supports`` dict leaves out:
        {"activation": [...], "output": [...], "loss": [...], "l2": bool, "cnn": bool}."""
        declared = getattr(self.cls, "check_supports", None)
        if not isinstance(declared, dict):
            return
        if case.is_cnn and not declared.get("cnn", True):
            raise Unsupported(f"{self.name} declares no CNNs")
        if case.l2 and not declared.get("l2", True):
            raise Unsupported(f"{self.name} declares no l2")
        for key, values in (("activation", case.activation), ("output", (case.output,)),
                            ("loss", (case.loss,))):
            allowed = declared.get(key)
            if allowed is not None and any(v not in allowed for v in values):
                raise Unsupported(f"{self.name} declares {key} in {list(allowed)} only")

    def prepare(self, case):
        self._declared(case)
        sizes, kwargs = self._kwargs(case)
        try:
            self.net = self.cls(sizes, **kwargs)
        except (ValueError, TypeError, NotImplementedError) as error:
            raise Unsupported(f"{self.name} refused it: {error}") from None

    def set(self, params):
        self.net.set_parameters(arrays(params))

    def parameters(self):
        if not callable(getattr(self.net, "parameters", None)):
            return None
        return arrays(self.net.parameters())

    def output(self, x):
        return np.asarray(self.net.predict(x), dtype=float)

    def loss(self, y, t):
        if not callable(getattr(self.net, "loss", None)):
            return None
        return float(self.net.loss(y, t))

    def deltas(self, x, t):
        if not callable(getattr(self.net, "calc_delta", None)):
            return None
        layers = list(getattr(self.net, "layers", None) or [])
        if layers and all(hasattr(layer, "delta") for layer in layers):  # fc.py: an array
            self.net.predict(x)
            self.net.calc_delta(t)
            return [np.array(layer.delta, dtype=float) for layer in layers]
        if layers and all(hasattr(layer, "nodes") for layer in layers):  # the tutorial: nodes
            self.net.predict(x)
            self.net.calc_delta(t)
            return [np.array([node.delta for node in layer.nodes], dtype=float)
                    for layer in layers[1:]]  # layers[0] is the input layer
        return None

    def gradient(self, t, x):
        return arrays(self.net.get_gradient(t, x))

    def batch_gradient(self, T, X):
        try:
            return arrays(self.net.get_gradient(T, X))
        except (ValueError, TypeError, IndexError):  # one sample at a time only
            return None

    def step(self, t, x, rate):
        if not callable(getattr(self.net, "train_one_sample", None)) or \
                self.parameters() is None:
            return None
        self.net.train_one_sample(t, x, rate)
        return self.parameters()

    def batch_step(self, T, X, rate):
        if not callable(getattr(self.net, "train", None)) or self.parameters() is None:
            return None
        try:
            self.net.train(T, X, rate, 1, len(X))
        except TypeError:  # no batch_size
            return None
        return self.parameters()


class Functions(Candidate):
    """``forward(params, X)`` and ``backward(params, X, T)`` (rows are samples)."""

    cnn = False

    def __init__(self, forward, backward, name=None, fixed=None):
        for f in (forward, backward):
            if not callable(f):
                raise CheckError(f"{f!r} is not a function")
        self.forward, self.backward = forward, backward
        self.name = name or f"{forward.__name__}, {backward.__name__}"
        self.fixed = dict(DEFAULTS, **(fixed or {}))
        self.params = None

    def prepare(self, case):
        pass  # the settings are fixed (see ``fixed``); a CNN only when the user gave one

    def set(self, params):
        self.params = arrays(params)

    def output(self, x):
        y = np.asarray(self.forward(arrays(self.params), np.atleast_2d(x)), dtype=float)
        return y.reshape(-1) if np.ndim(x) == 1 and y.size == y.shape[-1] else y

    def gradient(self, t, x):
        return self.batch_gradient(np.atleast_2d(t), np.atleast_2d(x))

    def batch_gradient(self, T, X):
        return arrays(self.backward(arrays(self.params), np.asarray(X), np.asarray(T)))
