"""Choosing an implementation by name, and comparing two networks through the shared API."""

import importlib

IMPLEMENTATIONS = ("neurons", "vectorized")


def network_class(impl):
    """The Network class of ``impl`` ("neurons" or "vectorized")."""
    if impl not in IMPLEMENTATIONS:
        raise ValueError(f"unknown implementation {impl!r}; choose one of "
                         f"{', '.join(IMPLEMENTATIONS)}")
    return importlib.import_module(impl).Network


def build(impl, config):
    """A network of implementation ``impl`` from constructor keyword arguments."""
    config = dict(config)
    if impl != "vectorized":
        config.pop("dtype", None)  # only the matrix version has a dtype
    return network_class(impl)(**config)


def flat_parameters(net):
    """Every weight and bias as one list of floats, in Connections order."""
    values = []
    for W, b in net.parameters():
        W = W.tolist() if hasattr(W, "tolist") else W
        b = b.tolist() if hasattr(b, "tolist") else b
        for row in W:
            values.extend(float(v) for v in row)
        values.extend(float(v) for v in b)
    return values


def max_parameter_difference(a, b):
    """Largest |difference| between two networks' parameters."""
    pa, pb = flat_parameters(a), flat_parameters(b)
    if len(pa) != len(pb):
        raise ValueError("the two networks have different architectures")
    return max((abs(x - y) for x, y in zip(pa, pb)), default=0.0)
