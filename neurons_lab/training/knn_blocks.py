"""The block steps of :func:`training.knn.knn_neighbors`: the nearest rows within one block of
test rows × training rows, and the merge with the nearest found in earlier blocks.

Every step orders by (distance, training index), so the result does not depend on the block
sizes. Indices returned by the block steps count from the block's first training row; an
empty slot (fewer candidates than k) has index −1 and distance +inf.
"""

from typing import NamedTuple

import numpy as np

# L1: how many rows nearest by the lower bound get their exact d₁ first, to find a k-th best
# distance that prunes the rest. 16 is plenty on MNIST; any value ≥ k gives the same result.
SEED_ROWS = 16


def _sorted_rows(idx, dist):
    """Each row of (idx, dist) reordered by distance, then index."""
    order = np.lexsort((idx, dist), axis=-1)
    return np.take_along_axis(idx, order, -1), np.take_along_axis(dist, order, -1)


def merge_nearest(idx_a, dist_a, idx_b, dist_b, k):
    """The k nearest of two candidate sets per row: (c, ka) and (c, kb) → (c, k), sorted."""
    idx = np.concatenate([idx_a, idx_b], axis=1)
    dist = np.concatenate([dist_a, dist_b], axis=1)
    idx, dist = _sorted_rows(idx, dist)
    if idx.shape[1] < k:  # pad with empty slots
        pad = k - idx.shape[1]
        idx = np.pad(idx, ((0, 0), (0, pad)), constant_values=-1)
        dist = np.pad(dist, ((0, 0), (0, pad)), constant_values=np.inf)
    return idx[:, :k], dist[:, :k]


def l2_block_update(block, k):
    """The min(k, t) smallest entries of every row of ``block`` (c, t), ties by column.

    Returns (columns int64, values float64), each (c, min(k, t)), sorted.
    """
    c, t = block.shape
    kk = min(k, t)
    if kk == t:
        part = np.broadcast_to(np.arange(t), (c, t)).copy()
    else:
        part = np.argpartition(block, kk - 1, axis=1)[:, :kk]
    kth = np.take_along_axis(block, part, 1).max(axis=1)
    # More entries than kk at or below the kk-th value means a tie across the cut: the
    # partial sort chose among the tied ones arbitrarily; keep the smallest columns instead.
    for r in np.flatnonzero((block <= kth[:, None]).sum(axis=1) > kk):
        cand = np.flatnonzero(block[r] <= kth[r])
        part[r] = cand[np.lexsort((cand, block[r, cand]))[:kk]]
    return _sorted_rows(part, np.take_along_axis(block, part, 1))


def l1_block_update(block, margin, spread, a, b, found, k):
    """The k nearest by L1 in one block, computing d₁ only where the bound allows.

    block   (c, t) squared L2 distances d₂², float64, rounding error at most ``margin``
    margin  callable r → (t,) error bound of row r (0 for exact integer data)
    spread  R, the largest possible |difference| of one pixel; d₁ ≥ (d₂² − margin)/R
    a, b    (c, D) test rows, (t, D) training rows, float64
    found   (c, k) d₁ of the k nearest from earlier blocks (+inf where none yet)
    Returns (columns, d₁), each (c, k) sorted, padded with (−1, +inf).
    """
    c, t = block.shape
    out_idx = np.full((c, k), -1, dtype=np.int64)
    out_d = np.full((c, k), np.inf)
    for r in range(c):
        bound = block[r] - margin(r)
        if spread > 0:
            bound /= spread
        else:  # every value equal: every distance is 0
            bound[:] = 0.0
        limit = found[r, k - 1]
        if not np.isfinite(limit):
            # First exact d₁ for the rows with the smallest bounds, to get a finite limit.
            m = min(t, max(k, SEED_ROWS))
            seed = np.arange(t) if m == t else np.argpartition(bound, m - 1)[:m]
            seed_d = np.abs(b[seed] - a[r]).sum(axis=1)
            limit = np.sort(np.concatenate([found[r], seed_d]))[k - 1]
        # Rows whose bound exceeds the k-th best d₁ have a larger d₁: never among the k.
        cand = np.flatnonzero(bound <= limit)
        d = np.abs(b[cand] - a[r]).sum(axis=1)
        order = np.lexsort((cand, d))[:k]
        out_idx[r, :len(order)] = cand[order]
        out_d[r, :len(order)] = d[order]
    return out_idx, out_d


class WorkPlan(NamedTuple):
    """How the blocks are computed: working dtype, the value subtracted from every pixel,
    whether integer arithmetic makes every distance exact, and R, the largest possible
    difference of one pixel (for the L1 bound)."""

    dtype: np.dtype
    center: float
    exact: bool
    spread: float


def work_plan(train_x, test_x):
    """Choose float32 when it is exact (integer pixels, every partial sum below 2²⁴)."""
    low = min(train_x.min(), test_x.min())
    high = max(train_x.max(), test_x.max())
    spread = float(high) - float(low)
    n_features = train_x.shape[1]
    if train_x.dtype.kind in "ui" and test_x.dtype.kind in "ui":
        center = (int(low) + int(high)) // 2
        largest = max(int(high) - center, center - int(low))  # |pixel − center| ≤ largest
        # |Σ a·b| ≤ D·largest² and Σ|a − b| ≤ D·spread: integers float32 holds exactly
        fits = n_features * max(largest * largest, int(high) - int(low)) < 2**24
        return WorkPlan(np.dtype(np.float32 if fits else np.float64), float(center), True,
                        spread)
    # d₂² of floats: D·max|x|² must not overflow float64
    largest = float(max(abs(low), abs(high)))
    if largest > np.sqrt(1e300 / n_features):
        raise ValueError(f"values too large: the largest magnitude {largest:g} overflows "
                         f"float64 when squared and summed over {n_features} pixels")
    return WorkPlan(np.dtype(np.float64), 0.0, False, spread)


def _working_copy(plan, rows):
    x = rows.astype(plan.dtype)
    if plan.center:
        x -= plan.dtype.type(plan.center)
    return x, np.einsum("ij,ij->i", x, x, dtype=np.float64)


def one_training_block(plan, train_block, t0, test_x, test_rows, distance, indices, found):
    """Merge the nearest among ``train_block`` (rows t0…) into ``indices``/``found`` (M, k), in
    place, test block by test block. A function of its own so its arrays are freed on return."""
    k = indices.shape[1]
    b, b_sq = _working_copy(plan, train_block)
    for s0 in range(0, len(test_x), test_rows):
        rows = slice(s0, s0 + test_rows)
        a, a_sq = _working_copy(plan, test_x[rows])
        # d₂² = ‖a‖² + ‖b‖² − 2 a·b in float64 (the product itself may be float32), clipped at 0
        block = np.multiply(a @ b.T, -2.0, dtype=np.float64)
        block += a_sq[:, None]
        block += b_sq[None, :]
        np.maximum(block, 0.0, out=block)
        if distance == "l2":
            new_idx, new_d = l2_block_update(block, k)
        else:
            margin = _exact_margin if plan.exact else _rounding_margin(a_sq, b_sq, a.shape[1])
            new_idx, new_d = l1_block_update(block, margin, plan.spread, a, b, found[rows], k)
        del block  # before the merge allocates: the peak stays one block
        indices[rows], found[rows] = merge_nearest(indices[rows], found[rows], new_idx + t0,
                                                   new_d, k)


def _exact_margin(r):
    return 0.0


def _rounding_margin(a_sq, b_sq, n_features):
    """r → (t,): a bound on the float64 rounding error of ‖a‖² + ‖b‖² − 2a·b for test row r.

    Keeps (d₂² − margin)/R a true lower bound of d₁ for float inputs (a dot product of n terms
    errs by at most about n·u·|a|·|b|, u = 2⁻⁵³).
    """
    coefficient = (2 * n_features + 8) * (np.finfo(np.float64).eps / 2)
    return lambda r: coefficient * (a_sq[r] + b_sq)
