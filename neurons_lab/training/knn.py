"""k-nearest neighbours, the cs231n notes' first baseline: a test image takes the class most
common among the k training images closest to it.

Distances (cs231n notes), between two images I₁, I₂ flattened to D pixels:

    L1 (Manhattan)   d₁ = Σ_p |I₁ᵖ − I₂ᵖ|
    L2 (Euclidean)   d₂ = √(Σ_p (I₁ᵖ − I₂ᵖ)²)

:func:`knn_neighbors` finds the nearest for 10,000 × 60,000 images in seconds and a bounded
amount of memory, one block of test rows × training rows at a time (sizes from ``memory_mb``):

* L2 by matrix products, ``d₂² = ‖a‖² + ‖b‖² − 2 a·b``. Integer pixels give *exact*
  distances whatever the block sizes or the BLAS summation order, so ties are real ties: the
  pixels are centred on the middle of their range (d₂ does not change), and when every
  partial sum of a·b then stays below 2²⁴ (uint8: 784 · 128² < 2²⁴) the product runs in
  float32, exactly and about 3× faster; otherwise in float64, exact below 2⁵³.
* L1 has no matrix-product form, and all of it costs N·M·D subtractions. But every pixel
  difference d obeys |d| ≤ R (the largest value minus the smallest in both sets), so
  |d| ≥ d²/R and **d₁ ≥ d₂²/R**: the L2 block bounds every pair cheaply, and d₁ is computed
  only where the bound does not exceed the k-th smallest d₁ found so far. A pair left out
  has d₁ ≥ bound > k-th best, so the result equals the brute-force one.
"""

import sys
from types import SimpleNamespace

import numpy as np
from tqdm import tqdm

DISTANCES = ("l1", "l2")
DEFAULT_MEMORY_MB = 256
# How many rows nearest by the bound get their exact distance first, to find a k-th best that
# prunes the rest. 16 is plenty on MNIST; any value ≥ k gives the same result.
SEED_ROWS = 16


def chunk_sizes(n_test, n_train, n_features, memory_mb=DEFAULT_MEMORY_MB, itemsize=8):
    """(test rows, training rows) per block so that the work arrays fit in ``memory_mb`` MiB.

    Half the budget holds the working copy of one block's training rows (``itemsize`` bytes a
    value), the other half the block itself: per test row its own working copy and
    itemsize + 17 bytes per training row (a·b, the float64 distances, an int64 index from the
    partial sort, a bool mask). Both at least 1; the inputs themselves are not counted.
    """
    budget = memory_mb * 2**20
    row = itemsize * n_features
    train_rows = int(min(n_train, max(1, budget / 2 // row)))
    per_pair = itemsize + 8 + 8 + 1
    test_rows = int(min(n_test, max(1, budget / 2 // (per_pair * train_rows + row))))
    return test_rows, train_rows


def work_plan(train_x, test_x):
    """How the blocks are computed: ``dtype`` float32 where it is exact (every partial sum
    below 2²⁴), else float64; ``center``, subtracted from every pixel; ``spread`` R, the
    largest possible difference of one pixel (for the L1 bound)."""
    low = int(min(train_x.min(), test_x.min()))
    high = int(max(train_x.max(), test_x.max()))
    center = (low + high) // 2
    largest = max(high - center, center - low)  # |pixel − center| ≤ largest
    # |Σ a·b| ≤ D·largest² and Σ|a − b| ≤ D·spread: integers float32 holds exactly
    fits = train_x.shape[1] * max(largest * largest, high - low) < 2**24
    return SimpleNamespace(dtype=np.dtype(np.float32 if fits else np.float64), center=center,
                           spread=high - low)


def knn_neighbors(train_x, test_x, k=1, *, distance="l2", memory_mb=DEFAULT_MEMORY_MB,
                  progress=None):
    """The k nearest training rows of every test row.

    train_x (N, D), test_x (M, D): integer pixels (uint8 or any integer dtype); 1 ≤ k ≤ N,
    ``distance`` one of DISTANCES and ``memory_mb`` > 0 (ValueError otherwise).
    Returns (indices, distances): int64 (M, k) row numbers into train_x and float64 (M, k)
    distances (L2: the Euclidean distance itself, not its square), each row sorted by
    distance, equal distances by index. progress: a tqdm bar over the test rows on stderr;
    None shows it only when stderr is a terminal.
    """
    train_x, test_x = np.asarray(train_x), np.asarray(test_x)
    if train_x.dtype.kind not in "ui" or test_x.dtype.kind not in "ui":
        raise TypeError(f"the pixels must be integers (e.g. uint8), got {train_x.dtype} and "
                        f"{test_x.dtype}")
    n_test, n_train = len(test_x), len(train_x)
    if distance not in DISTANCES or not 1 <= k <= n_train or not memory_mb > 0 \
            or train_x.ndim != 2 or test_x.shape[1:] != train_x.shape[1:]:
        raise ValueError(f"knn_neighbors needs (N, D) and (M, D) pixels, 1 <= k <= N, distance "
                         f"in {DISTANCES} and memory_mb > 0; got shapes {train_x.shape} and "
                         f"{test_x.shape}, k={k!r}, distance={distance!r}, memory_mb={memory_mb!r}")
    plan = work_plan(train_x, test_x)
    test_rows, train_rows = chunk_sizes(n_test, n_train, train_x.shape[1], memory_mb,
                                        plan.dtype.itemsize)
    indices = np.full((n_test, k), -1, dtype=np.int64)
    found = np.full((n_test, k), np.inf)
    with tqdm(total=n_test, desc=f"{k}-NN {distance}", unit="image", file=sys.stderr,
              disable=not (sys.stderr.isatty() if progress is None else progress),
              dynamic_ncols=True) as bar:
        for t0 in range(0, n_train, train_rows):
            _one_training_block(plan, train_x[t0:t0 + train_rows], t0, test_x, test_rows,
                                distance, indices, found)
            bar.update(min(train_rows, n_train - t0) / n_train * n_test)
    if distance == "l2":
        np.sqrt(found, out=found)
    return indices, found


def _working_copy(plan, rows):
    x = rows.astype(plan.dtype)
    x -= plan.dtype.type(plan.center)
    return x, np.einsum("ij,ij->i", x, x, dtype=np.float64)


def _one_training_block(plan, train_block, t0, test_x, test_rows, distance, indices, found):
    """Merge the nearest among ``train_block`` (rows t0…) into ``indices``/``found`` (M, k), in
    place, test block by test block. A function of its own so its arrays are freed on return.
    ``found`` holds d₂² (L2) or d₁ (L1); an empty slot has index −1 and distance +inf."""
    b, b_sq = _working_copy(plan, train_block)
    for s0 in range(0, len(test_x), test_rows):
        rows = slice(s0, s0 + test_rows)
        a, a_sq = _working_copy(plan, test_x[rows])
        # d₂² = ‖a‖² + ‖b‖² − 2 a·b in float64 (the product itself may be float32), clipped at 0
        block = np.multiply(a @ b.T, -2.0, dtype=np.float64)
        block += a_sq[:, None]
        block += b_sq[None, :]
        np.maximum(block, 0.0, out=block)
        block_update(block, plan.spread, a, b, t0, indices[rows], found[rows], distance)


def block_update(block, spread, a, b, t0, indices, found, distance):
    """Merge the k nearest of one block into ``indices``/``found`` (c, k), in place, row by row,
    ordered by (distance, training index) so that the result does not depend on the blocks.

    block   (c, t) d₂² of test rows ``a`` (c, D) and training rows ``b`` (t, D), rows t0…
    spread  R, the largest possible |difference| of one pixel: d₁ ≥ d₂²/R bounds L1
    Only the columns whose distance (L2) or bound (L1) is at most the k-th best distance so
    far are looked at, and for L1 only they get their d₁ computed.
    """
    k = indices.shape[1]
    for r in range(len(block)):
        if distance == "l2":
            bound = block[r]
        else:
            bound = block[r] / spread if spread > 0 else np.zeros(len(b))  # all equal: d₁ = 0
        limit = found[r, k - 1]
        if not np.isfinite(limit):
            # The exact distance of the rows with the smallest bounds gives a finite limit.
            m = min(len(b), max(k, SEED_ROWS))
            seed = np.argpartition(bound, m - 1)[:m] if m < len(b) else np.arange(len(b))
            seed_d = bound[seed] if distance == "l2" else np.abs(b[seed] - a[r]).sum(axis=1)
            limit = np.sort(np.concatenate([found[r], seed_d]))[k - 1]
        cand = np.flatnonzero(bound <= limit)  # the others are farther than the k-th best
        d = bound[cand] if distance == "l2" else np.abs(b[cand] - a[r]).sum(axis=1)
        idx, dist = np.concatenate([indices[r], cand + t0]), np.concatenate([found[r], d])
        order = np.lexsort((idx, dist))[:k]
        indices[r], found[r] = idx[order], dist[order]


def majority_vote(neighbor_labels, neighbor_distances):
    """The class each row of neighbours votes for: (M, k) class indices ≥ 0 and distances →
    (M,) int64.

    Most votes wins; a tie goes to the tied class with the smallest sum of its neighbours'
    distances, then to the smallest label.
    """
    labels = np.asarray(neighbor_labels)
    dist = np.asarray(neighbor_distances, dtype=np.float64)
    n_classes = int(labels.max()) + 1
    rows = np.repeat(np.arange(len(labels)), labels.shape[1])
    votes = np.zeros((len(labels), n_classes), dtype=np.int64)
    np.add.at(votes, (rows, labels.ravel()), 1)
    summed = np.zeros((len(labels), n_classes))
    np.add.at(summed, (rows, labels.ravel()), dist.ravel())
    tied = votes == votes.max(axis=1, keepdims=True)
    summed[~tied] = np.inf
    closest = tied & (summed == summed.min(axis=1, keepdims=True))
    return np.argmax(closest, axis=1).astype(np.int64)  # the first True: the smallest label


def knn_predict(train_x, train_y, test_x, k=1, distance="l2", memory_mb=DEFAULT_MEMORY_MB,
                progress=None):
    """Predicted class of every test row: (M,) int64. See :func:`knn_neighbors` for the inputs
    and :func:`majority_vote` for the vote; train_y (N,) class indices ≥ 0."""
    indices, dist = knn_neighbors(train_x, test_x, k, distance=distance, memory_mb=memory_mb,
                                  progress=progress)
    return majority_vote(np.asarray(train_y)[indices], dist)
