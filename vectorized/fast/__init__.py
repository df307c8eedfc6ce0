"""``vectorized.fast``: the same network, pushed towards the machine's limit (opt-in).

``vectorized.fast.Network`` takes the arguments of :class:`vectorized.Network` (``dtype``
"float64" or "float32" included), has the same API and phases, and gives the same numbers to
rounding (the equivalence tests hold it to 1e-9 against both packages). Everything here exists
only for speed; the textbook engine runs none of it.

The lesson: from the textbook step to the machine's limit
---------------------------------------------------------
One training step on the tutorial's 784-300-10 network is dominated by its first layer's
weights: 300×784 float64 numbers, 1.9 MB, about a core's L2 cache (2 MB on the machine
measured here, 512 KB on the AMD machine the engine was first tuned on). The textbook step
(:mod:`vectorized.layer`) reads W for 式2, forms the gradient ``−δxᵀ`` as a new (300, 784)
array, scales it by η into another one and subtracts that from W: five or six passes over
memory the size of W, where the arithmetic itself is cheap. Each trick below removes passes
or calls, and changes the numbers only by rounding (tests/test_equivalence.py holds this
engine to 1e-9 of ``neurons``). What each saved, per ``train_one_sample`` in float64, from
three runs of the ladder (``python -m benchmarks``, section 1b; benchmarks/ladder.py, every
rung timed in alternation with the others, one BLAS thread) on a shared 2-core Intel Xeon VM
under heavy load (so the ranges are wide; rerun it on your machine):

1. **Fused step** (:meth:`FullConnectedLayer.sgd_step`): η goes into the short vector δ first,
   so ``η·δxᵀ`` is formed once into a reused buffer and added once; the gradient is never
   kept. Textbook 0.91–1.20 ms → 0.61–0.82 ms.
2. **BLAS adds into W** (:mod:`vectorized.fast.blas`, SciPy's ``?ger``): W ← W + η·δxᵀ in one
   pass, no buffer. NumPy cannot write a product into an existing array without a temporary.
   → 249–330 µs, the largest saving: with W, the gradient and a temporary, the textbook
   step works on three 1.9 MB arrays, which do not fit in this machine's 2 MB L2 together.
3. **expit** (:mod:`vectorized.fast.activators`): one sample's sigmoid in one C call instead
   of four NumPy calls and an error-state switch. → 217–295 µs (a few µs; within the noise
   here).
4. **Held steps** (:mod:`vectorized.fast.deferred`): a layer larger than
   :data:`~vectorized.fast.layer.DEFER_ABOVE_BYTES` (512 KiB, the L2 it was tuned on) keeps
   its steps aside and adds 16 of them to W in one matrix product ``?gemm``: one pass over W
   per 16 samples instead of 16; the forward pass and ``Wᵀδ`` include the held steps at the
   cost of k short dot products. → 126–220 µs.
5. **Ready inputs** (:class:`Network`): a finite 1-D array of the network's dtype skips the
   general checks (finiteness in one dot product; a float rate skips the ``numbers.Real``
   check). → 142–186 µs (a few µs; within the noise here).
6. **float32**: the same engine on 4-byte floats, half the bytes to move. → 79–113 µs.

In the same runs the tutorial's own design (benchmarks/tutorial_fc.py) took 0.86–1.5 ms per
sample. For batches, the step is one matrix product into a buffer and one add per layer. In
a quick run with one BLAS thread (``python -m benchmarks --quick --blas-threads 1``), batch 256
in float32 reached 65 % of the machine's own ``np.matmul`` peak, and batch 64 took 34.6 µs per
sample against PyTorch's 44.4 µs (section 5 of the report). With two threads on the
overloaded machine both slowed down tenfold and PyTorch was ahead at batch 64 (PyTorch ÷ fast
×0.7–0.9; ×1.4–1.6 at batch 256): rerun on a quiet one. The remaining floor
of a one-sample step is reading W for ``W·x``.

What it costs: reading ``layer.W`` adds the held steps to the array (so a debugger watch can
change the rounding of what follows, which the textbook engine never allows), ``W_grad`` and
``b_grad`` are None after a fused step, and which BLAS path runs depends on whether SciPy is
installed (``pip install neurons[fast]``).
"""

from ..layer import DTYPES
from .layer import FullConnectedLayer
from .network import Network

__all__ = ["DTYPES", "FullConnectedLayer", "Network"]
