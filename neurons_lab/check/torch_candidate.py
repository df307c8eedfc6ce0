"""A PyTorch ``nn.Module`` as a check candidate, in float64.

Its architecture is read as :func:`neurons_lab.interop.describe_torch` reads it (a Sequential
of Linear, Conv2d, MaxPool2d, Flatten, Dropout and activations); any other module is checked
against the settings given (``fixed``: layer_sizes, activation, output), its parameters taken
in registration order as (weight, bias) pairs. Gradients come from autograd on the project's
loss: ``mean over the batch of E + λ/2 ΣW²`` (weights only); a step is ``torch.optim.SGD``.
The module runs in ``eval()`` mode: dropout is the identity.
"""

import copy

import numpy as np

from .candidates import DEFAULTS, Candidate, CheckError, Unsupported, arrays


class TorchModule(Candidate):
    cnn = False

    def __init__(self, module, name=None, fixed=None, input_shape=None):
        import torch

        from neurons_lab.interop_torch import describe
        self.torch = torch
        self.module = copy.deepcopy(module).double().eval()
        self.name = name or type(module).__name__
        described = None
        try:
            described, _ = describe(torch, self.module, input_shape)
        except ValueError as error:
            if not fixed or "layer_sizes" not in fixed:
                raise CheckError(f"{self.name}: {error}; give the network it should be "
                                 "(--layers, --activation, --output)") from None
        # a module read as a Sequential keeps its own settings; another, those given (the
        # rest as Network's defaults, like forward/backward functions)
        self.fixed = dict(described or DEFAULTS, **(fixed or {}))
        self.cnn = isinstance(self.fixed["layer_sizes"][0], str)
        self.input_shape = input_shape
        self.weights = list(self.module.parameters())
        self.loss_name, self.l2 = "mse", 0.0

    def prepare(self, case):
        shapes = case.shapes()
        got = [tuple(p.shape) for p in self.weights]
        want = [tuple(s) for pair in shapes for s in pair]
        if got != want:
            raise CheckError(f"{self.name}'s parameters have shapes {got}; the network "
                             f"{list(case.layer_sizes)} needs {want}")
        self.case, self.loss_name, self.l2 = case, case.loss, case.l2
        if case.is_cnn:
            self.input_shape = tuple(int(v) for v in case.layer_sizes[0].split("x"))

    def set(self, params):
        with self.torch.no_grad():
            for p, value in zip(self.weights, (a for pair in params for a in pair)):
                p.copy_(self.torch.tensor(value, dtype=self.torch.float64))

    def parameters(self):
        values = [p.detach().numpy().copy() for p in self.weights]
        return arrays(zip(values[::2], values[1::2]))

    def _input(self, X):
        x = self.torch.tensor(np.atleast_2d(X), dtype=self.torch.float64)
        return x.reshape((len(x),) + tuple(self.input_shape)) if self.input_shape else x

    def output(self, x):
        with self.torch.no_grad():
            y = self.module(self._input(x)).numpy()
        return y.reshape(-1) if np.ndim(x) == 1 else y

    def _total(self, T, X):
        """E_total of a batch as a torch scalar."""
        torch = self.torch
        y, t = self.module(self._input(X)), torch.tensor(np.atleast_2d(T))
        if self.loss_name == "mse":
            E = 0.5 * ((t - y) ** 2).sum(dim=1)
        elif self.loss_name == "cross_entropy":
            E = -(t * torch.log(torch.clamp(y, min=1e-300))).sum(dim=1)
        else:  # hinge, margin 1
            c = t.argmax(dim=1, keepdim=True)
            margins = torch.clamp(y - y.gather(1, c) + 1.0, min=0.0)
            E = margins.sum(dim=1) - 1.0  # the correct class's own margin is 1
        total = E.mean()
        if self.l2:
            total = total + 0.5 * self.l2 * sum((w ** 2).sum() for w in self.weights[::2])
        return total

    def gradient(self, t, x):
        return self.batch_gradient(t, x)

    def batch_gradient(self, T, X):
        self.module.zero_grad()
        self._total(T, X).backward()
        grads = [p.grad.numpy().copy() for p in self.weights]
        return arrays(zip(grads[::2], grads[1::2]))

    def step(self, t, x, rate):
        optimizer = self.torch.optim.SGD(self.weights, lr=rate)
        optimizer.zero_grad()
        self._total(t, x).backward()
        optimizer.step()
        return self.parameters()

    def batch_step(self, T, X, rate):
        return self.step(T, X, rate)


def is_module(obj):
    """True for a torch nn.Module instance or subclass (False when torch is not installed)."""
    import sys
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    nn = torch.nn.Module
    return isinstance(obj, nn) or isinstance(obj, type) and issubclass(obj, nn)


__all__ = ["TorchModule", "is_module", "Unsupported"]
