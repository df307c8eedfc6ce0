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
sample. The remaining floor of a one-sample step is reading W for ``W·x``.

Mini-batches: from 46 % to 59–60 % of the matmul peak
------------------------------------------------------
A batch's step is two large matrix products on 784-300 (``X·Wᵀ`` forward, ``δᵀX`` for 式9),
which OpenBLAS runs at about 80 % of the machine's ``np.matmul`` peak, and element-wise work
around them that NumPy runs on one core. Measured on 784-300-10 float32 at batch 256 with
NumPy's two BLAS threads on the quiet 2-core AVX-512 Xeon (``python -m benchmarks --only
minibatch``, section 3; per batch of 256, medians): the textbook-shaped batch step took 1.70 ms
(46 % of a 312 GFLOP/s peak).

7. **?gemm into existing arrays** (:mod:`vectorized.fast.numpy_blas`): ``np.matmul`` can only
   write a product into a new array or a buffer, after which ``W += step`` is another pass over
   two 0.9 MB arrays (85 µs, the caches being full of the product's operands) and ``net += b``
   one over the (256, 300) output. BLAS's ``?gemm`` computes ``C ← α·A·B + β·C``: the step goes
   straight into W with α = η/N and β = 1 − ηλ, the forward into a net preloaded with b. It is
   NumPy's own OpenBLAS, called through ``ctypes``: SciPy's ``?gemm`` brings a second OpenBLAS
   whose two threads fight NumPy's (a batch took 13 ms instead of 1.7). With the ready data
   check below: 1.70 → 1.45 ms (55 %).
8. **Ready data** (:meth:`Network.train`): a C-contiguous (N, in) array of the network's dtype is
   proved finite by its row sums (one matrix-vector product; a NaN or an infinity makes its
   row's sum non-finite, sums that overflow get the full check): 0.66 ms instead of 1.9 ms per
   call on 4096 samples, the caches having been emptied by the benchmark's matmul.
9. **Column-major W** (:data:`~vectorized.fast.layer.COLUMN_MAJOR_DTYPES`): OpenBLAS forms
   both products faster from Wᵀ stored row-major (480 µs instead of 520, 421 instead of 452):
   → 1.40 ms (57–58 %). Only for large float32 layers: one float64 sample's ``W·x`` was slower.
10. **Small layers stay with NumPy**: a ``ctypes`` call costs ≈ 6 µs more than ``np.matmul``,
   as much as the 300-10 layer's products save; and sigmoid + mse form E and δ from one
   ``t − y``. → 1.36–1.39 ms: **59–60 %** (58.8 % and 60.1 %
   in two runs of section 3).

Batch 64 went from 11.8 to 7.1 µs per sample in the same runs (the textbook engine: 12.6 µs);
``train_one_sample`` did not change (float64 ≈ 89 µs, float32 ≈ 47 µs, measured in alternation
with the engine before these tricks).

Tried and not kept, each measured: reusing buffers per batch shape and the sigmoid in place
(no change: the time goes to reading the net that the other core's BLAS thread wrote); the
negated net straight from ?gemm to save a pass (no change); the 300-10 layer's products on one
BLAS thread (no change); the two halves of a batch in two Python threads (each one-thread half
product took as long as the two-thread whole, and waking a thread costs ≈ 40 µs on this VM:
2.3 ms per batch); numexpr for the sigmoid (its own thread pool: 386 µs instead of 105); the
sigmoid as ``½ + ½·tanh(x/2)`` (25 µs less, but outputs near 0 lose their relative precision:
not a rounding difference). What remains: the two products ≈ 0.95 ms in place (≈ 82 % of the
peak), the sigmoid ≈ 0.1 ms, the 300-10 layer ≈ 0.15 ms, the hidden δ 45 µs, and the first
batch after the benchmark's 2048² matmul ≈ 0.3 ms more than the others (cold caches).

Convolutional networks: the same fused step through a mixed stack
-------------------------------------------------------------------
A CNN spec or a network with dropout runs :meth:`Network._step` too: the textbook forward
(dropout masks from the same generator, so the masks are the textbook engine's), then from the
top down each layer hands the layer below its error (``Wᵀδ`` with W before the step, or
``error_below()``), steps, and the layer below takes its δ (式8). Measured on the CNN article's
dropout network (``["1x28x28", "conv20x5", "pool2", "conv40x5", "pool2", 1000, "drop0.5",
1000, "drop0.5", 10]``, ReLU, softmax + cross-entropy, λ = 2e-6, float32, batches of 10 as in
its recipe), ``train`` on 2,000 random samples, per sample, one run each on the quiet 2-core
Xeon:

11. **The textbook step, as before**: 2.0 ms. Half of it was the two large fully connected
    layers (640-1000 and 1000-1000, 6.6 MB of float32 weights): the gradient formed, λW added,
    scaled and subtracted, six passes over memory that does not fit in the cache.
12. **sgd_step for the fully connected layers** (one ?gemm into W per batch; conv layers keep
    their own ``calc_gradient`` and ``update``: their W is 20 kB): → 1.21 ms.
13. **Conv error_below in a batch-last layout** (:mod:`vectorized.fast.conv`: ``Wᵀδ`` formed
    as (K·K·C, F) @ (F, OH·OW·N) and added into a (C, H, W, N) map in long runs, 1.74 → 0.76 ms
    per batch on the second conv layer) and **ReLU as ``np.maximum``**, its derivative as the
    mask ``net > 0`` (the textbook's ``np.where`` with a Python float took 0.9 ms on a
    (10, 20, 24, 24) float32 batch; these take 47 and 96 µs): → 0.81 ms.
14. **δ·W from a column-major W as (Wᵀ·δᵀ)ᵀ** (OpenBLAS forms it faster from Wᵀ row-major:
    1000-1000 float32 at batch 10, 667 → 388 µs with the copy back to row-major; only where
    the layer has at least 16 outputs per row of δ, since on CNN 1's 2880-100 layer at batch
    64 that copy cost more than the product saved): → 0.75 ms, ×2.7 the textbook step. An
    epoch of the article's 250,000 shifted images takes about 3 minutes instead of 8.

What it costs: reading ``layer.W`` adds the held steps to the array (so a debugger watch can
change the rounding of what follows, which the textbook engine never allows), ``W_grad`` and
``b_grad`` are None after a fused step, a large float32 layer's W is column-major, and which
BLAS path runs depends on what is installed: SciPy for ``?ger`` and the held steps, and
threadpoolctl to find NumPy's OpenBLAS for the batches' ``?gemm`` (``pip install
'neurons-lab[fast]'``; without them the same steps run through NumPy, a little slower).
"""

from ..layer import DTYPES
from .layer import FullConnectedLayer
from .network import Network

__all__ = ["DTYPES", "FullConnectedLayer", "Network"]
