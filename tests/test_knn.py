"""k-nearest neighbours: hand-worked cases, the tie rules, blocks of any size giving the same
answer as the formula computed in full, and bad input."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurons_lab.training import knn
from neurons_lab.training.knn import chunk_sizes, knn_neighbors, knn_predict, majority_vote

MNIST = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mnist"


def distance_matrix(test_x, train_x, distance="l2"):
    """Every distance as the formula reads: (M, N), [i, j] = d(test i, train j)."""
    diff = np.asarray(test_x, float)[:, None, :] - np.asarray(train_x, float)[None, :, :]
    if distance == "l1":
        return np.abs(diff).sum(axis=-1)
    return np.sqrt((diff * diff).sum(axis=-1))


def reference(train_x, test_x, k, distance):
    """The k nearest by the formula: sort every row of the full matrix by (distance, index)."""
    d = distance_matrix(test_x, train_x, distance)
    columns = np.broadcast_to(np.arange(d.shape[1]), d.shape)
    order = np.lexsort((columns, d), axis=1)[:, :k]
    return order, np.take_along_axis(d, order, 1)


# --- hand-worked cases ---------------------------------------------------------------------

def test_distances_by_hand():
    test = np.array([[0, 0]])
    train = np.array([[3, 4], [1, 0], [-2, 2]])
    assert distance_matrix(test, train, "l1").tolist() == [[7.0, 1.0, 4.0]]
    assert np.allclose(distance_matrix(test, train, "l2"), [[5.0, 1.0, np.sqrt(8)]])
    idx, d = knn_neighbors(train, test, 3, distance="l2")
    assert idx.tolist() == [[1, 2, 0]]
    assert np.allclose(d, [[1.0, np.sqrt(8), 5.0]])  # the distance, not its square


def test_k1_is_the_nearest_and_k3_the_majority():
    train = np.array([[0], [3], [10], [11]], dtype=np.uint8)
    labels = np.array([0, 1, 1, 0])
    # from 2: distances 2, 1, 8, 9
    assert knn_predict(train, labels, [[2]], k=1).tolist() == [1]
    assert knn_predict(train, labels, [[2]], k=3).tolist() == [1]   # votes 0:1, 1:2
    # from 0: distances 0, 3, 10, 11: nearest is class 0; with k=3 class 1 has two votes
    assert knn_predict(train, labels, [[0]], k=1).tolist() == [0]
    assert knn_predict(train, labels, [[0]], k=3).tolist() == [1]


def test_l1_and_l2_disagree_on_a_crafted_case():
    train = np.array([[3, 3], [0, 5]])
    labels = np.array([0, 1])
    # from the origin: L1 gives 6 and 5, L2 gives √18 ≈ 4.24 and 5
    assert knn_predict(train, labels, [[0, 0]], k=1, distance="l1").tolist() == [1]
    assert knn_predict(train, labels, [[0, 0]], k=1, distance="l2").tolist() == [0]


def test_equal_distances_go_to_the_earlier_training_image():
    train = np.array([[1], [-1]])
    assert knn_predict(train, [5, 3], [[0]], k=1).tolist() == [5]  # not the smaller label 3
    assert knn_predict(train, [3, 5], [[0]], k=1).tolist() == [3]


def test_a_tie_across_the_cut_keeps_the_smallest_indices():
    # distances from 0: 5, 1, 1, 1, 1, 0; the 3 nearest are #5, #1, #2
    train = np.array([[5], [1], [1], [1], [1], [0]], dtype=np.uint8)
    block = distance_matrix([[0]], train)
    naive = np.sort(np.argpartition(block[0], 2)[:3])
    assert naive.tolist() != [1, 2, 5]  # a plain partial sort picks another of the tied rows
    for distance in ("l1", "l2"):
        idx, d = knn_neighbors(train, np.array([[0]], dtype=np.uint8), 3, distance=distance)
        assert idx.tolist() == [[5, 1, 2]] and d.tolist() == [[0.0, 1.0, 1.0]]


def test_vote_ties_go_to_the_smallest_summed_distance_then_the_smallest_label():
    # two votes each: class 0 at distances 1 and 4 (sum 5), class 1 at 2 and 2 (sum 4)
    assert majority_vote([[0, 1, 1, 0]], [[1.0, 2.0, 2.0, 4.0]]).tolist() == [1]
    # one vote each: class 1 closer
    assert majority_vote([[1, 0]], [[1.0, 2.0]]).tolist() == [1]
    # equal sums: the smaller label, whatever the order
    assert majority_vote([[2, 1]], [[1.0, 1.0]]).tolist() == [1]
    assert majority_vote([[1, 2]], [[1.0, 1.0]]).tolist() == [1]
    # a clear majority beats a smaller sum
    assert majority_vote([[3, 3, 0]], [[5.0, 5.0, 0.5]]).tolist() == [3]


def test_vote_tie_rule_end_to_end():
    # from the origin: #0 (class 0) at 1, #1 (class 1) at 2, #2 (class 1) at 2, #3 (class 0) at 4
    train = np.array([[1, 0], [0, 2], [-2, 0], [0, -4]])
    assert knn_predict(train, [0, 1, 1, 0], [[0, 0]], k=4, distance="l1").tolist() == [1]
    assert knn_predict(train, [0, 1, 1, 0], [[0, 0]], k=1, distance="l1").tolist() == [0]


# --- blocks give the same answer as the full matrix --------------------------------------

BUDGETS = st.sampled_from([1e-5, 1e-4, 1e-3, 0.01, 256])


@st.composite
def integer_sets(draw):
    d = draw(st.integers(1, 6))
    top = draw(st.sampled_from([1, 3, 255]))  # small ranges make many exact ties
    values = hnp.arrays(np.uint8, st.tuples(st.integers(1, 30), st.just(d)),
                        elements=st.integers(0, top))
    train, test = draw(values), draw(values)
    return train, test, draw(st.integers(1, len(train)))


@given(integer_sets(), BUDGETS, st.sampled_from(["l1", "l2"]))
def test_blocks_match_the_full_matrix_exactly_for_integer_pixels(case, memory_mb, distance):
    train, test, k = case
    idx, d = knn_neighbors(train, test, k, distance=distance, memory_mb=memory_mb)
    ref_idx, ref_d = reference(train, test, k, distance)
    assert np.array_equal(idx, ref_idx)
    assert np.array_equal(d, ref_d)


@given(integer_sets(), st.sampled_from(["l1", "l2"]))
def test_wide_integers_take_the_float64_path_and_stay_exact(case, distance):
    train, test, k = case
    train = train.astype(np.int64) * 100_003 - 7  # |a·b| far beyond 2²⁴
    test = test.astype(np.int64) * 100_003 - 7
    idx, d = knn_neighbors(train, test, k, distance=distance, memory_mb=1e-4)
    ref_idx, ref_d = reference(train, test, k, distance)
    assert np.array_equal(idx, ref_idx) and np.array_equal(d, ref_d)


def test_the_block_check_catches_a_wrong_l1_bound(monkeypatch):
    """With the bound d₁ ≥ d₂²/R made 4× too large the pruning drops true neighbours, and the
    comparison with the full matrix notices."""
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (300, 20)).astype(np.uint8)
    test = rng.integers(0, 256, (40, 20)).astype(np.uint8)
    ref_idx, _ = reference(train, test, 3, "l1")
    assert np.array_equal(knn_neighbors(train, test, 3, distance="l1")[0], ref_idx)
    original = knn.block_update
    monkeypatch.setattr(knn, "block_update",
                        lambda block, spread, *rest: original(block, spread / 4, *rest))
    monkeypatch.setattr(knn, "SEED_ROWS", 3)
    assert not np.array_equal(knn_neighbors(train, test, 3, distance="l1")[0], ref_idx)


def test_the_working_dtype_is_float32_only_where_it_is_exact():
    pixels = np.array([[0, 255] * 392], dtype=np.uint8)  # MNIST's size: 784 · 128² < 2²⁴
    plan = knn.work_plan(pixels, pixels)
    assert (plan.dtype, plan.center, plan.spread) == (np.float32, 127, 255)
    wide = np.array([[0, 255] * 600], dtype=np.uint8)  # 1,200 · 128² > 2²⁴
    assert knn.work_plan(wide, wide).dtype == np.float64


def test_chunk_sizes_follow_the_budget():
    test_rows, train_rows = chunk_sizes(10_000, 60_000, 784, memory_mb=256, itemsize=4)
    assert train_rows * 784 * 4 <= 128 * 2**20 < (train_rows + 1) * 784 * 4
    assert test_rows * (21 * train_rows + 784 * 4) <= 128 * 2**20
    assert chunk_sizes(5, 7, 3, memory_mb=1e-9) == (1, 1)
    assert chunk_sizes(5, 7, 3, memory_mb=1e3) == (5, 7)


@pytest.mark.skipif(not MNIST.is_dir(), reason="needs ../shared/data/mnist")
@pytest.mark.parametrize("distance", ["l1", "l2"])
def test_real_digits_match_scipy(distance):
    distance_module = pytest.importorskip("scipy.spatial.distance")
    from neurons_lab.training.mnist import load_mnist

    data = load_mnist(MNIST)
    train, test = data.train_images[:2000], data.test_images[:60]
    idx, d = knn_neighbors(train, test, 3, distance=distance, memory_mb=2)
    metric = {"l1": "cityblock", "l2": "euclidean"}[distance]
    full = distance_module.cdist(test.astype(float), train.astype(float), metric)
    order = np.lexsort((np.broadcast_to(np.arange(len(train)), full.shape), full), axis=1)
    assert np.array_equal(idx, order[:, :3])
    assert np.array_equal(d, np.take_along_axis(full, order[:, :3], 1))


# --- bad input ------------------------------------------------------------------------------

TRAIN = np.zeros((4, 3), dtype=np.uint8)
LABELS = np.array([0, 1, 0, 1])


@pytest.mark.parametrize("train_x, test_x", [(TRAIN, np.zeros((2, 3))),
                                             (TRAIN.astype(complex), np.zeros((2, 3), int))])
def test_pixels_that_are_not_integers_are_refused(train_x, test_x):
    """The exact distances need integers (the command's other checks are its own)."""
    with pytest.raises(TypeError, match="the pixels must be integers"):
        knn_predict(train_x, LABELS, test_x)


@pytest.mark.parametrize("args, kwargs", [
    ((np.ones((2, 4), np.uint8),), {"k": 0}),
    ((np.ones((2, 4), np.uint8),), {"k": 6}),  # more neighbours than training rows
    ((np.ones((2, 4), np.uint8),), {"distance": "l3"}),
    ((np.ones((2, 4), np.uint8),), {"memory_mb": 0}),
    ((np.ones((2, 3), np.uint8),), {}),  # rows of another width
])
def test_bad_arguments_are_refused_by_name(args, kwargs):
    # without the check, k=6 returned index −1 rows and 'l3' silently ran as L1
    with pytest.raises(ValueError, match="knn_neighbors needs"):
        knn_neighbors(np.zeros((5, 4), np.uint8), *args, **kwargs)
