"""The network as matrices: one ``FullConnectedLayer`` per pair of layers, NumPy, batched; a
CNN spec adds ``ConvLayer``, ``MaxPoolingLayer`` and ``Dropout`` (docs/design.md).

Same API and same numbers as the ``neurons`` package (see docs/design.md), written as the
textbook writes it. ``vectorized.fast`` is the same network pushed for speed (opt-in).
"""

from .activators import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .conv import ConvLayer
from .dropout import Dropout
from .layer import DTYPES, FullConnectedLayer
from .losses import LOSSES
from .network import INITS, Network
from .pool import MaxPoolingLayer

__all__ = [
    "DTYPES",
    "HIDDEN_ACTIVATIONS",
    "INITS",
    "LOSSES",
    "OUTPUT_ACTIVATIONS",
    "ConvLayer",
    "Dropout",
    "FullConnectedLayer",
    "MaxPoolingLayer",
    "Network",
]
