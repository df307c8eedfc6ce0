"""``vectorized.fast``: the same network, trained faster (opt-in).

``vectorized.fast.Network`` takes the arguments of :class:`vectorized.Network` (``dtype``
"float64" or "float32" included), has the same API and gives the same numbers to rounding (the
equivalence tests hold it to 1e-9 against both packages). It is a sibling of the textbook
engine, not a variant of it: it builds a textbook network from the same arguments (which checks
them and draws the parameters), copies the parameters into layers of its own, and trains those.
Everything else (``predict``, ``get_gradient``, ``loss``, the four phases) runs the textbook's
code on the current parameters.

What a training step does differently, each for speed only:

* the gradient is never formed: each layer's step ``W ← (1 − ηλ)·W + η·δxᵀ`` (式9) is one BLAS
  call that adds into W (:meth:`FullConnectedLayer.sgd_step`, :mod:`~vectorized.fast.blas`,
  :mod:`~vectorized.fast.numpy_blas`), after the layer has handed ``Wᵀδ`` down (式8);
* a large layer holds one-sample steps and adds several at once (:mod:`~vectorized.fast.deferred`);
* conv and pooling layers keep a batch's maps as (C, H, W, N), so that each conv product covers
  the whole batch in one matrix product (:mod:`~vectorized.fast.conv`);
* one sample's sigmoid is SciPy's ``expit``, ReLU is ``np.maximum``
  (:mod:`~vectorized.fast.activators`); ready arrays skip the general input checks.

What it costs: reading ``layer.W`` of a fast layer adds its held steps to the array (so a debugger
watch can change the rounding of what follows, which the textbook engine never allows); the fast
layers keep no ``W_grad``; a large float32 layer's W is column-major; which BLAS path runs depends
on what is installed (SciPy, threadpoolctl: ``pip install 'neurons-lab[fast]'``). docs/fast.md
gives the measured ladder of these tricks and where a CNN step's time goes.
"""

from ..layer import DTYPES
from .conv import ConvLayer
from .layer import FullConnectedLayer
from .network import Network

__all__ = ["DTYPES", "ConvLayer", "FullConnectedLayer", "Network"]
