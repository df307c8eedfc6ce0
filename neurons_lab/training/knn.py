"""k-nearest neighbours, the cs231n notes' first baseline: a test image takes the class most
common among the k training images closest to it.

Distances (cs231n notes, seed 003), between two images I₁, I₂ flattened to D pixels:

    L1 (Manhattan)   d₁ = Σ_p |I₁ᵖ − I₂ᵖ|
    L2 (Euclidean)   d₂ = √(Σ_p (I₁ᵖ − I₂ᵖ)²)

:func:`distance_matrix` computes them exactly as written (fine for a few hundred images).
:func:`knn_neighbors` gives the same neighbours for 10,000 × 60,000 images in seconds and a
bounded amount of memory:

* L2 by matrix products, ``d₂² = ‖a‖² + ‖b‖² − 2 a·b`` (clipped at 0), one block of test rows ×
  training rows at a time, the block sizes derived from ``memory_mb``. Integer pixels give
  *exact* distances whatever the block sizes or the BLAS summation order, so ties are real
  ties: the pixels are first centred on the middle of their range (d₂ does not change), and
  when every partial sum of a·b then stays below 2²⁴ (uint8: 784 · 128² < 2²⁴ for D = 784)
  the product runs in float32, exactly and about 3× faster than float64; otherwise in
  float64, exact for integers below 2⁵³. Float inputs run in float64 and round: the
  expanded form loses digits for two close points far from 0 (d₂² is off by up to about
  D·2⁻⁵³·(‖a‖² + ‖b‖²)); near-ties among such points may then order differently.
* L1 has no matrix-product form, and computing all of it costs N·M·D subtractions (a
  row-by-row NumPy loop took 12–17 minutes here for full MNIST). But every pixel difference
  d obeys |d| ≤ R (R: the largest value minus the smallest in both sets), so |d| ≥ d²/R and
  **d₁ ≥ d₂²/R**. The L2 block gives that lower bound for every pair cheaply; d₁ is then
  computed only for the pairs whose bound does not exceed the k-th smallest d₁ found so far
  (a few hundred per test image on MNIST). A pair left out has d₁ ≥ bound > k-th best, so
  the result equals the brute-force one.

Rules, so that every result is reproducible:

* **Nearest**: neighbours are ordered by distance, equal distances by the smaller training
  index (the earlier training image comes first).
* **Vote** (:func:`majority_vote`): the class with the most of the k votes; a tie between
  classes goes to the one whose tied neighbours have the smallest *sum of distances*; if that
  ties too, to the smallest class label. (k = 1 is simply the nearest neighbour's class.)
"""

import sys

import numpy as np
from tqdm import tqdm

from .knn_blocks import one_training_block, work_plan

DISTANCES = ("l1", "l2")
DEFAULT_MEMORY_MB = 256


def _as_features(x, name):
    """A 2-D numeric array, checked for finite values; TypeError/ValueError naming ``name``."""
    x = np.asarray(x)
    if x.dtype.kind not in "uif" or x.dtype == np.float16:
        raise TypeError(f"{name} must hold integers or floats (e.g. uint8 pixels), "
                        f"got dtype {x.dtype}")
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (N, D), one flattened image per row, got "
                         f"shape {x.shape}" + (" (reshape it to (N, -1))" if x.ndim > 2 else ""))
    if len(x) == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {x.shape}")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        bad = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(f"{name} holds non-finite values (NaN or infinity); the first is at "
                         f"row {bad[0]}, column {bad[1]}: {x[bad[0], bad[1]]}")
    return x


def _check_k(k, n_train):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an integer, got {type(k).__name__} {k!r}")
    if not 1 <= k <= n_train:
        raise ValueError(f"k must be between 1 and the number of training images "
                         f"({n_train}), got {k}")
    return int(k)


def _check_distance(distance):
    if distance not in DISTANCES:
        raise ValueError(f"unknown distance {distance!r}; choose one of "
                         f"{', '.join(map(repr, DISTANCES))}")
    return distance


def _check_memory(memory_mb):
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, (int, float, np.number)) \
            or not np.isfinite(memory_mb) or memory_mb <= 0:
        raise ValueError(f"memory_mb must be a positive number of MiB, got {memory_mb!r}")
    return float(memory_mb)


def distance_matrix(test_x, train_x, distance="l2"):
    """Every distance, computed as the formula reads: (M, N) float64, [i, j] = d(test i, train j).

    Holds an (M, N, D) array of differences: for small sets (tests, learners) only.
    """
    distance = _check_distance(distance)
    a = _as_features(test_x, "test_x").astype(np.float64)
    b = _as_features(train_x, "train_x").astype(np.float64)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"test_x rows have {a.shape[1]} values, train_x rows {b.shape[1]}")
    diff = a[:, None, :] - b[None, :, :]
    if distance == "l1":
        return np.abs(diff).sum(axis=-1)
    return np.sqrt((diff * diff).sum(axis=-1))


def chunk_sizes(n_test, n_train, n_features, memory_mb=DEFAULT_MEMORY_MB, itemsize=8):
    """(test rows, training rows) per block so that the work arrays fit in ``memory_mb``.

    Half the budget holds the working copy of one block's training rows (``itemsize`` bytes a
    value: 4 for float32, 8 for float64), the other half the block itself: per test row its
    own working copy and itemsize + 17 bytes per training row (the product a·b in the working
    dtype, the float64 distances, an int64 index from the partial sort and a bool mask). Both
    at least 1. ``memory_mb`` counts MiB (2²⁰ bytes); the inputs themselves are not counted.
    """
    budget = _check_memory(memory_mb) * 2**20
    row = itemsize * n_features
    train_rows = int(min(n_train, max(1, budget / 2 // row)))
    per_pair = itemsize + 8 + 8 + 1
    test_rows = int(min(n_test, max(1, budget / 2 // (per_pair * train_rows + row))))
    return test_rows, train_rows


def knn_neighbors(train_x, test_x, k=1, *, distance="l2", memory_mb=DEFAULT_MEMORY_MB,
                  progress=None):
    """The k nearest training rows of every test row.

    train_x (N, D), test_x (M, D): uint8, integer or float arrays, finite.
    Returns (indices, distances): int64 (M, k) row numbers into train_x and float64 (M, k)
    distances (L2: the Euclidean distance itself, not its square), each row sorted by
    distance, equal distances by index. progress: a tqdm bar over the test rows on stderr;
    None shows it only when stderr is a terminal.
    """
    distance = _check_distance(distance)
    memory_mb = _check_memory(memory_mb)
    train_x = _as_features(train_x, "train_x")
    test_x = _as_features(test_x, "test_x")
    if train_x.shape[1] != test_x.shape[1]:
        raise ValueError(f"test_x rows have {test_x.shape[1]} values but train_x rows have "
                         f"{train_x.shape[1]}; both must hold images of the same size")
    k = _check_k(k, len(train_x))
    plan = work_plan(train_x, test_x)
    n_test, n_train = len(test_x), len(train_x)
    test_rows, train_rows = chunk_sizes(n_test, n_train, train_x.shape[1], memory_mb,
                                        plan.dtype.itemsize)
    if progress is None:
        progress = sys.stderr.isatty()

    indices = np.full((n_test, k), -1, dtype=np.int64)
    found = np.full((n_test, k), np.inf)
    with tqdm(total=n_test, desc=f"{k}-NN {distance}", unit="image", file=sys.stderr,
              disable=not progress, dynamic_ncols=True) as bar:
        for t0 in range(0, n_train, train_rows):
            one_training_block(plan, train_x[t0:t0 + train_rows], t0, test_x, test_rows,
                               distance, indices, found)
            bar.update(min(train_rows, n_train - t0) / n_train * n_test)
    if distance == "l2":
        np.sqrt(found, out=found)
    return indices, found


def majority_vote(neighbor_labels, neighbor_distances):
    """The class each row of neighbours votes for: (M, k) labels and distances → (M,) int64.

    Most votes wins; a tie goes to the tied class with the smallest sum of its neighbours'
    distances, then to the smallest label.
    """
    labels = np.asarray(neighbor_labels)
    dist = np.asarray(neighbor_distances, dtype=np.float64)
    if labels.ndim != 2 or labels.shape != dist.shape:
        raise ValueError(f"neighbor_labels {labels.shape} and neighbor_distances {dist.shape} "
                         "must have the same shape (M, k)")
    if labels.dtype.kind not in "iu" or (labels.size and labels.min() < 0):
        raise ValueError("neighbor_labels must be class indices ≥ 0")
    n_classes = int(labels.max()) + 1 if labels.size else 1
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
    and :func:`majority_vote` for the vote; train_y is (N,) non-negative class indices."""
    train_y = np.asarray(train_y)
    if train_y.ndim != 1 or train_y.dtype.kind not in "iu":
        raise TypeError(f"train_y must be a 1-D array of integer class indices, got dtype "
                        f"{train_y.dtype} shape {train_y.shape}")
    n_train = np.shape(train_x)[0] if np.ndim(train_x) else 0
    if len(train_y) != n_train:
        raise ValueError(f"train_x has {n_train} rows but train_y has {len(train_y)} labels")
    if train_y.size and train_y.min() < 0:
        raise ValueError(f"train_y holds a negative class {train_y.min()}")
    indices, dist = knn_neighbors(train_x, test_x, k, distance=distance, memory_mb=memory_mb,
                                  progress=progress)
    return majority_vote(train_y[indices], dist)
