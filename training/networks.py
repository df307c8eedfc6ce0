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


def as_lists(params):
    """[(W, b), …] of either package as nested Python lists of floats."""
    def plain(a):
        if hasattr(a, "tolist"):
            return a.tolist()
        return [plain(v) if hasattr(v, "__len__") else float(v) for v in a]
    return [(plain(W), plain(b)) for W, b in params]


def flat_parameters(net):
    """Every weight and bias as one list of floats, in Connections order."""
    return [v for W, b in as_lists(net.parameters()) for row in W + [b] for v in row]


def max_parameter_difference(a, b):
    """Largest |difference| between two networks' parameters."""
    pa, pb = flat_parameters(a), flat_parameters(b)
    if len(pa) != len(pb):
        raise ValueError("the two networks have different architectures")
    return max((abs(x - y) for x, y in zip(pa, pb)), default=0.0)
