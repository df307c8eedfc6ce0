"""``vectorized.fast``: the same network, pushed towards the machine's limit (opt-in).

``vectorized.fast.Network`` takes the arguments of :class:`vectorized.Network` (``dtype``
"float64" or "float32" included), has the same API and phases, and gives the same numbers to
rounding (the equivalence tests hold it to 1e-9 against both packages). Everything here exists
only for speed; the textbook engine runs none of it.

FIGURES
"""

from ..layer import DTYPES
from .layer import FullConnectedLayer
from .network import Network

__all__ = ["DTYPES", "FullConnectedLayer", "Network"]
