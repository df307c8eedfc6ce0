"""Issue 13 in the Trainer API: a validation split chooses, the test set is scored once, a
stopped run can be continued, divergence and "not learning" are reported."""

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import vectorized
from neurons_lab.training import data as training_data
from neurons_lab.training.checkpoint import load_checkpoint
from neurons_lab.training.prepare import prepare
from neurons_lab.training.trainer import Trainer
from tests.helpers import FakeNet, fake_trainer, quiet


class CountingNet(FakeNet):
    """FakeNet that logs every sample it predicts."""

    def __init__(self, wrong=()):
        super().__init__(wrong)
        self.predicted = []

    def predict(self, sample):
        self.predicted.append(sample[0])
        x = sample[0]
        return super().predict([x - 1000 if x >= 1000 else x - 5])  # eval rows as 0…9


def test_validation_holds_out_the_last_n_and_the_test_set_is_scored_once():
    net = CountingNet([5, 3, 4, 6])
    train = np.arange(15, dtype=float).reshape(-1, 1)  # the last 10 rows validate
    test = 1000 + np.arange(10, dtype=float).reshape(-1, 1)
    trainer = Trainer(net, train, np.zeros(15, dtype=int), test_features=test,
                      test_classes=np.zeros(10, dtype=int),
                      settings=quiet(epochs=4, batch_size=5, validation=10, patience=0))
    assert len(trainer.classes) == 5 and trainer.validation_features[0, 0] == 5.0
    result = trainer.fit()
    assert sum(x >= 1000 for x in net.predicted) == 10  # each test sample exactly once
    assert all(x >= 5 for x in net.predicted)  # rows 0…4 train, are never evaluated
    assert [r.validation_error_rate for r in result.history] == [0.5, 0.3, 0.4]
    assert result.best_epoch == 2 and result.test_epoch == 2 and net.w == 2.0
    tested = [r.epoch for r in result.history if r.test_error_rate is not None]
    assert tested == [2] and result.test.error_rate == result.history[1].test_error_rate


def test_validation_and_explicit_sets_are_checked():
    x, c = np.zeros((6, 1)), np.zeros(6, dtype=int)
    with pytest.raises(ValueError, match="validation 6 leaves no training samples"):
        Trainer(FakeNet(), x, c, settings=quiet(validation=6))
    with pytest.raises(ValueError, match="not both"):
        Trainer(FakeNet(), x, c, validation_features=x, validation_classes=c,
                settings=quiet(validation=2))


def test_a_stopped_run_continues_with_a_larger_patience_as_if_run_with_it(tmp_path):
    wrong = [5, 3, 4, 2, 6, 7, 8, 9]
    _, first = fake_trainer(wrong, epochs=8, patience=0, checkpoint_dir=str(tmp_path))
    assert len(first.fit().history) == 3  # stopped at the first rise
    net, again = fake_trainer(wrong, epochs=8, patience=0, checkpoint_dir=str(tmp_path))
    result = again.fit(resume=tmp_path)
    assert result.stopped_early and net.calls == []  # the same patience: still stopped
    net, more = fake_trainer(wrong, epochs=8, patience=1, checkpoint_dir=str(tmp_path))
    continued = more.fit(resume=tmp_path)
    _, fresh = fake_trainer(wrong, epochs=8, patience=1)
    expected = fresh.fit()
    assert [r.validation_error_rate for r in continued.history] == \
        [r.validation_error_rate for r in expected.history]
    assert continued.stop_reason == expected.stop_reason and continued.best_epoch == 4


def test_not_learning_is_noted_once_at_the_third_evaluation():
    notes = []
    _, trainer = fake_trainer([5, 5, 5, 5, 5], epochs=5)  # 50 % error, 2 classes
    trainer.on_note = notes.append
    result = trainer.fit()
    assert len(notes) == 1 and notes[0].startswith("not learning: the validation error rate")
    assert result.notes == notes
    _, learning = fake_trainer([5, 1, 5, 5, 5], epochs=5)
    assert learning.fit().notes == []


def test_divergence_restores_the_last_finite_epoch_writes_best_and_warns_nothing(tmp_path):
    rng = np.random.default_rng(0)
    x, c = rng.normal(size=(40, 4)) * 100, rng.integers(0, 3, size=40)
    net = vectorized.Network([4, 5, 3], activation="identity", output="identity", seed=1)
    trainer = Trainer(net, x, c, test_features=x, test_classes=c, settings=quiet(
        rate=10.0, epochs=20, checkpoint_dir=str(tmp_path)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning would fail the test
        result = trainer.fit()
    assert result.diverged and result.stopped_early and result.restored_best
    assert "training diverged in epoch" in result.stop_reason
    assert "smaller rate" in result.stop_reason
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in net.parameters())
    best = load_checkpoint(tmp_path / "best.json")
    assert best.epoch == result.test_epoch == result.history[-1].epoch - 1
    assert not math.isfinite(result.history[-1].train_loss)
    tested = [r for r in result.history if r.test_error_rate is not None]  # epoch 0 too
    assert [r.epoch for r in tested] == [result.test_epoch]
    assert tested[0].test_error_rate == result.test.error_rate


def test_the_full_training_set_validates_on_its_last_10000(monkeypatch):
    images = np.arange(60_000 * 4, dtype=np.int64).reshape(-1, 4).astype(np.uint8)
    labels = (np.arange(60_000) % 10).astype(np.uint8)
    fake = training_data.MnistData(images, labels, images[:100], labels[:100], (2, 2))
    monkeypatch.setattr(training_data, "load_mnist", lambda directory: fake)
    args = SimpleNamespace(dataset="mnist", labels=None, output="sigmoid", center=True,
                           download=False, data_dir=".", train_limit=None, test_limit=None,
                           validation=None, no_progress=True, augment=None)
    data = prepare(args)
    assert data.validation == 10_000
    # the mean image is that of the 50,000 samples trained on, not of the held-out ones
    assert np.allclose(data.transform.mean, images[:50_000].mean(axis=0) / 255)
    args.train_limit = 1000
    assert prepare(args).validation == 0  # other sizes: no default split
    args.validation = 200
    assert prepare(args).validation == 200
