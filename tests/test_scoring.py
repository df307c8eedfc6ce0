"""Scoring networks: a hand-worked confusion matrix, per-digit accuracy, the vote and its tie
rule, the most confident mistakes, with tiny stand-in networks (and one real one)."""

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.training.scoring import (
    confident_mistakes,
    evaluate,
    network_outputs,
    score,
    vote,
    vote_anatomy,
)


class TableNet:
    """A stand-in network: the features are row numbers, predict looks their outputs up."""

    batched = True

    def __init__(self, outputs):
        self.outputs = np.asarray(outputs, dtype=np.float64)
        self.calls = 0

    def predict(self, batch):
        self.calls += 1
        return self.outputs[np.asarray(batch, dtype=np.int64)[:, 0]]


class OneAtATimeNet(TableNet):
    """The same, one sample per call (a list in, a list out), like ``neurons``."""

    batched = False

    def predict(self, sample):
        self.calls += 1
        return self.outputs[int(sample[0])].tolist()


TRUE = np.array([0, 0, 1, 1, 2, 2, 2])
PREDICTED = np.array([0, 1, 1, 1, 2, 0, 2])
# rows true, columns predicted
CONFUSION = [[1, 1, 0],
             [0, 2, 0],
             [1, 0, 2]]


def test_confusion_matrix_by_hand():
    result = score(np.eye(3)[PREDICTED], TRUE)
    assert result.confusion.tolist() == CONFUSION and result.confusion.dtype == np.int64
    assert result.confusion.T.tolist() != CONFUSION  # rows and columns swapped would be caught
    assert result.accuracy == 5 / 7 and result.error_rate == 2 / 7
    assert result.per_class.tolist() == [0.5, 1.0, 2 / 3]


def test_a_class_without_samples_has_no_accuracy():
    per_class = score(np.eye(3)[[0, 2, 1]], [0, 0, 2]).per_class
    assert per_class[0] == 0.5 and np.isnan(per_class[1]) and per_class[2] == 0.0


def test_an_output_that_overflowed_is_an_error_not_a_crash():
    result = score([[0.2, 0.8], [np.inf, 0.0], [0.9, 0.1]], [1, 0, 0])
    assert result.predicted.tolist() == [1, -1, 0] and result.error_rate == 1 / 3
    assert result.confusion.tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize("net_class", [TableNet, OneAtATimeNet])
def test_evaluate_with_stand_ins(net_class):
    outputs = np.eye(3)[PREDICTED] * 0.8 + 0.1
    net = net_class(outputs)
    net.loss = lambda y, t: float(np.mean(np.sum(np.square(np.subtract(t, y)), axis=-1)) / 2)
    rows = np.arange(7)[:, None]
    result = evaluate(net, rows, TRUE, chunk_size=3)
    assert result.confusion.tolist() == CONFUSION
    assert result.accuracy == 5 / 7 and result.predicted.tolist() == PREDICTED.tolist()
    assert np.array_equal(result.outputs, outputs)
    assert net.calls == (3 if net_class is TableNet else 7)  # chunks of 3, or one per sample
    # ½Σ(t−y)²: 0.01 + 0.01 + 0.01 a right row, 0.81 + 0.81 + 0.01 a wrong one
    assert result.loss == pytest.approx((5 * 0.03 + 2 * 1.63) / 2 / 7)
    net.outputs[4, 0] = np.inf
    assert evaluate(net, rows, TRUE).loss == np.inf  # scored, not crashed on


def test_a_real_network_agrees_in_both_packages():
    rng = np.random.default_rng(3)
    x = rng.random((20, 4))
    classes = rng.integers(0, 3, 20)
    net_v = vectorized.Network([4, 5, 3], seed=1)
    net_n = neurons.Network([4, 5, 3], seed=1)
    result = score(network_outputs(net_v, x), classes)
    assert np.array_equal(result.predicted, np.argmax(net_v.predict(x), axis=1))
    assert np.allclose(network_outputs(net_n, x), result.outputs, atol=1e-12)


def test_vote_majority_and_its_tie_rule():
    a = [[0.6, 0.4], [0.2, 0.8]]
    b = [[0.7, 0.3], [0.9, 0.1]]
    c = [[0.1, 0.9], [0.3, 0.7]]
    assert vote([a, b, c]).tolist() == [0, 1]  # 2 votes to 1 in each row
    # two networks disagree: the higher mean output wins (class 1: 0.65 > 0.35), although
    # the smaller class (0) and the first network's choice (0) say otherwise
    assert vote([[[0.6, 0.4]], [[0.1, 0.9]]]).tolist() == [1]
    assert vote([[[0.1, 0.9]], [[0.6, 0.4]]]).tolist() == [1]


def test_vote_only_the_most_voted_classes_compete():
    # votes 2, 2, 0; class 2 has the highest mean (0.49) but no vote; 0 and 1 tie at 0.25
    nets = [[[0.5, 0.0, 0.49]], [[0.5, 0.0, 0.49]], [[0.0, 0.5, 0.49]], [[0.0, 0.5, 0.49]]]
    assert vote(nets).tolist() == [0]
    assert np.argmax(np.mean(nets, axis=0), axis=1).tolist() == [2]  # a plain mean would say 2


def test_vote_anatomy_worked_by_hand():
    true = np.array([0, 1, 0, 1, 0, 1, 0])
    members = [[0, 1, 1, 0, 1, 1, 1],   # wrong on #2 #3 #4 #6: 4 errors
               [0, 0, 0, 0, 1, 1, 1],   # wrong on #1 #3 #4 #6: 4 errors
               [0, 1, 0, 0, 0, 0, 0]]   # wrong on #3 #5: 2 errors, the best
    outputs = np.eye(2)[members]        # one-hot outputs (3, 7, 2)
    predicted = vote(outputs)
    assert predicted.tolist() == [0, 1, 0, 0, 1, 1, 1]
    parts = vote_anatomy(outputs, predicted, true)
    assert parts.disagree == 5          # #1 #2 #4 #5 #6
    assert parts.all_wrong == 1         # #3: every member says 0
    assert (parts.best, parts.best_errors) == (2, 2)
    assert parts.fixed == 1             # #5: the best says 0, the vote 1
    assert parts.broken == 2            # #4 #6: the best is right, outvoted
    same = vote_anatomy(outputs[[0, 0]], outputs[0].argmax(1), true)
    assert (same.disagree, same.best, same.fixed, same.broken) == (0, 0, 0, 0)


def test_confident_mistakes_most_confident_first():
    outputs = np.array([[0.9, 0.1],   # right
                        [0.7, 0.3],   # wrong, 0.7
                        [0.2, 0.95],  # wrong, 0.95
                        [0.6, 0.4],   # right
                        [0.3, 0.7]])  # wrong, 0.7 (a tie with #1: the smaller index first)
    true = np.array([0, 1, 0, 0, 0])
    assert confident_mistakes(outputs, true).tolist() == [2, 1, 4]
    assert confident_mistakes(outputs, np.argmax(outputs, axis=1)).tolist() == []


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"NaN or infinity for 1 of 2 samples \(the first is #1"):
        network_outputs(TableNet([[0.1, 0.2], [np.nan, 0.3]]), np.array([[0], [1]]))
    with pytest.raises(ValueError, match="empty set"):
        network_outputs(TableNet([[0.1]]), np.zeros((0, 1)))
    with pytest.raises(ValueError, match="predict gave outputs of shape"):
        network_outputs(TableNet([0.1, 0.2]), np.array([[0], [1]]))
    with pytest.raises(ValueError, match=r"must be \(N, C\) with N = 3 labels"):
        score(np.eye(2), [0, 0, 0])
    with pytest.raises(ValueError, match="classes 0 … 3, but the outputs have 3 columns"):
        score(np.eye(3)[:2], [0, 3])
    with pytest.raises(ValueError, match="classes -1 … 0"):
        score(np.eye(3)[:2], [-1, 0])
    with pytest.raises(TypeError, match="integer class indices"):
        score(np.eye(2), np.array([0.0, 1.0]))
