"""The network as matrices: one ``FullConnectedLayer`` per pair of layers, NumPy, batched.

Same API and same numbers as the ``neurons`` package (see ../shared/DESIGN.md).
"""

from .activators import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .layer import DTYPES, FullConnectedLayer
from .losses import LOSS_NAMES
from .network import INIT_NAMES, Network

__all__ = [
    "DTYPES",
    "HIDDEN_ACTIVATIONS",
    "INIT_NAMES",
    "LOSS_NAMES",
    "OUTPUT_ACTIVATIONS",
    "FullConnectedLayer",
    "Network",
]
