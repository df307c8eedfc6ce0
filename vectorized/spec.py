"""Parse a ``layer_sizes`` list — fully connected (``[784, 100, 10]``) or convolutional
(``["1x28x28", "conv20x5", "pool2", 100, 10]``, docs/design.md) — into one :class:`LayerSpec` per
layer, with the shape each one takes and gives.

Entries (the first is the input): ``"CxHxW"`` or an int (the input); ``"convNxK"`` (N filters
K×K, stride 1, no padding) or ``"convNxKsSpP"`` (stride S, zero padding P; either part may be
left out); ``"poolK"`` (K×K max-pooling, stride K); an int n (a fully connected layer of n
nodes; the last entry, the output layer, is always one); ``"dropP"`` (inverted dropout with
probability P, right after a fully connected hidden layer).

Sizes round down as in PyTorch: conv ``⌊(H + 2P − K)/S⌋ + 1``, pool ``⌊H/K⌋``. A fully
connected layer above a feature map reads it flattened row-major from (C, H, W).

Standard library only: the object-graph package holds its twin (neurons/spec.py).
"""

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from numbers import Integral

_INPUT = re.compile(r"(\d+)x(\d+)x(\d+)", re.ASCII)
_CONV = re.compile(r"conv(\d+)x(\d+)(?:s(\d+))?(?:p(\d+))?", re.ASCII)
_POOL = re.compile(r"pool(\d+)", re.ASCII)
_DROP = re.compile(r"drop([+-]?(?:\d+\.?\d*|\.\d+))", re.ASCII)

EXPECTED = "expected 'convNxK', 'convNxKsSpP', 'poolK', 'dropP' or an int"


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a spec (the input itself has none).

    ``kind``: "conv", "pool", "full" or "drop"; ``index``: its position in ``layer_sizes``;
    ``token``: the entry as written; ``in_shape``/``out_shape``: ``(C, H, W)`` for a feature
    map, ``(n,)`` for a vector (a "full" layer may take a map: it flattens it).
    ``filters`` (conv N), ``kernel`` (conv/pool K), ``stride`` (conv S; pool K), ``padding``
    (conv P), ``p`` (drop).
    """

    kind: str
    index: int
    token: object
    in_shape: tuple
    out_shape: tuple
    filters: int = 0
    kernel: int = 0
    stride: int = 1
    padding: int = 0
    p: float = 0.0

    @property
    def in_size(self):
        """Number of values the layer takes (C·H·W for a map)."""
        return _product(self.in_shape)

    @property
    def out_size(self):
        return _product(self.out_shape)


def _product(shape):
    result = 1
    for n in shape:
        result *= n
    return result


def conv_size(n, kernel, stride=1, padding=0):
    """A conv layer's output height (or width) over ``n`` input rows: ⌊(n + 2P − K)/S⌋ + 1."""
    return (n + 2 * padding - kernel) // stride + 1


def layer_entries(layer_sizes):
    """``layer_sizes`` as a tuple, in the order given (a list, a tuple, any ordered iterable).

    TypeError for a set or a dict (their order is not the network's: ``{3, 2}`` would build
    2 → 3), a string, a single number or an array that is not 1-D."""
    if (isinstance(layer_sizes, (str, bytes, Set, Mapping)) or not hasattr(layer_sizes, "__iter__")
            or getattr(layer_sizes, "ndim", 1) != 1):
        raise TypeError("layer_sizes must be a list or tuple of layer sizes, in order, got "
                        f"{layer_sizes!r} ({type(layer_sizes).__name__})")
    return tuple(layer_sizes)


def has_layer_names(layer_sizes):
    """True when ``layer_sizes`` holds a layer name (a CNN spec or dropout): a string that is
    not just digits ('2' where a size belongs is a size given as text: refused as such)."""
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__iter__"):
        return False
    return any(isinstance(entry, str) and not entry.strip().isdigit() for entry in layer_sizes)


def parse_layer_sizes(layer_sizes):
    """The list of :class:`LayerSpec` for ``layer_sizes`` (``specs[0].in_shape`` is the input).

    TypeError/ValueError with one message naming the entry (``layer_sizes[k] = 'token': ...``)
    for anything the network could not build. A plain list of ints gives "full" layers only.
    """
    entries = list(layer_entries(layer_sizes))
    if len(entries) < 2:
        raise ValueError(f"layer_sizes needs at least two layers (input, output), got {entries}")
    for k, entry in enumerate(entries):
        if not isinstance(entry, str) or entry.isdigit():  # "4" is a size written as text
            _check_size(entry, k)
    shape = _input_shape(entries[0])
    specs = []
    for k in range(1, len(entries)):
        token = entries[k]
        if k == len(entries) - 1 and not isinstance(token, Integral):
            raise ValueError(f"layer_sizes[{k}] = {token!r}: the last entry must be the output "
                             "layer (an int)")
        spec = _layer(k, token, shape, specs[-1] if specs else None)
        specs.append(spec)
        shape = spec.out_shape
    return specs


def _check_size(entry, k):
    if isinstance(entry, bool) or not isinstance(entry, Integral):
        raise TypeError(f"layer_sizes[{k}] must be an int or a layer name such as 'conv20x5', "
                        f"got {entry!r}")
    if entry < 1:
        raise ValueError(f"layer_sizes[{k}] must be at least 1, got {entry}")


def _input_shape(entry):
    if not isinstance(entry, str):
        return (int(entry),)
    match = _INPUT.fullmatch(entry)
    if match is None or min(int(g) for g in match.groups()) < 1:
        raise ValueError(f"layer_sizes[0] = {entry!r}: the input must be an int or a shape "
                         "'CxHxW' with sizes at least 1")
    return tuple(int(g) for g in match.groups())


def _layer(k, token, shape, below):
    """The LayerSpec of entry ``k`` on top of ``shape`` (``below``: the previous LayerSpec)."""
    def fail(message):
        return ValueError(f"layer_sizes[{k}] = {token!r}: {message}")

    if not isinstance(token, str):
        return LayerSpec("full", k, token, shape, (int(token),))
    conv, pool, drop = _CONV.fullmatch(token), _POOL.fullmatch(token), _DROP.fullmatch(token)
    if conv is None and pool is None and drop is None:
        raise fail(f"unknown layer; {EXPECTED}")
    if drop is not None:
        p = float(drop.group(1))
        if below is None or below.kind != "full":
            raise fail("dropout must follow a fully connected hidden layer")
        if not 0.0 <= p < 1.0:
            raise fail("the dropout probability must be in [0, 1)")
        return LayerSpec("drop", k, token, shape, shape, p=p)
    if len(shape) != 3:
        raise fail(f"needs a feature map (C, H, W) below it, got a vector of {shape[0]} values")
    C, H, W = shape
    if pool is not None:
        K = int(pool.group(1))
        if K < 1:
            raise fail("the pooling size must be at least 1")
        if H // K < 1 or W // K < 1:
            raise fail(f"{K}x{K} pooling leaves nothing of the {H}x{W} input")
        return LayerSpec("pool", k, token, shape, (C, H // K, W // K), kernel=K, stride=K)
    N, K = int(conv.group(1)), int(conv.group(2))
    S = int(conv.group(3)) if conv.group(3) is not None else 1
    P = int(conv.group(4)) if conv.group(4) is not None else 0
    if N < 1:
        raise fail("a conv layer needs at least 1 filter")
    if K < 1:
        raise fail("the kernel size must be at least 1")
    if S < 1:
        raise fail("the stride must be at least 1")
    if P >= K:
        raise fail(f"the padding {P} must be smaller than the kernel size {K}")
    if H + 2 * P < K or W + 2 * P < K:
        raise fail(f"a {K}x{K} kernel does not fit the {H}x{W} input (padding {P})")
    out = (N, conv_size(H, K, S, P), conv_size(W, K, S, P))
    return LayerSpec("conv", k, token, shape, out, filters=N, kernel=K, stride=S, padding=P)
