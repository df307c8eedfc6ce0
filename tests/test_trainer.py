"""neurons_lab.training.trainer: batches, shuffling, evaluation, early stopping, history."""

import dataclasses
import json
import math

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.training.trainer import (
    EpochRecord,
    Evaluation,
    History,
    Trainer,
    TrainSettings,
    evaluate,
    one_hot_encoder,
)
from tests.helpers import FakeNet, fake_trainer, quiet

IMPLEMENTATIONS = [neurons, vectorized]


def small_data(n=36, n_in=4, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.integers(0, n_classes, size=n)


# --- early stopping ---------------------------------------------------------------------------

WRONG = [5, 3, 4, 2, 6, 7, 8, 9]   # error rate after each epoch, in tenths


def test_patience_zero_stops_at_the_first_rise_and_restores_the_best():
    net, trainer = fake_trainer(WRONG, epochs=8, patience=0)
    result = trainer.fit()
    assert [r.epoch for r in result.history] == [1, 2, 3]
    assert [r.validation_error_rate for r in result.history] == [0.5, 0.3, 0.4]
    assert result.stopped_early and "epoch 3" in result.stop_reason
    assert result.best_epoch == 2 and result.best_error_rate == 0.3
    assert result.restored_best and net.w == 2.0


def test_patience_allows_that_many_evaluations_without_improvement():
    net, trainer = fake_trainer(WRONG, epochs=8, patience=1)
    result = trainer.fit()
    # epoch 3 rises (1 without improvement: allowed), 4 improves, 5 and 6 rise: stop at 6
    assert len(result.history) == 6 and result.stopped_early
    assert result.best_epoch == 4 and net.w == 4.0


def test_patience_counts_ties_as_no_improvement_but_never_stops_on_a_tie():
    net, trainer = fake_trainer([5, 3, 3, 3, 3, 3], epochs=6, patience=0)
    assert not trainer.fit().stopped_early and net.w == 6.0
    net, trainer = fake_trainer([5, 3, 3, 3, 4, 3], epochs=6, patience=3)
    result = trainer.fit()  # epochs 3, 4 tie, 5 rises: 3 evaluations without improvement
    assert len(result.history) == 6 and not result.stopped_early
    net, trainer = fake_trainer([5, 3, 3, 3, 3, 4], epochs=6, patience=3)
    result = trainer.fit()  # 4 evaluations without improvement, the last a rise
    assert result.stopped_early and result.best_epoch == 2 and net.w == 2.0


def test_without_patience_all_epochs_run():
    net, trainer = fake_trainer(WRONG, epochs=8)
    result = trainer.fit()
    assert not result.stopped_early and result.stop_reason is None
    assert len(result.history) == 8 and net.w == 8.0 and result.best_epoch == 4


def test_restore_best_false_keeps_the_last_parameters():
    net, trainer = fake_trainer(WRONG, epochs=8, patience=0, restore_best=False)
    result = trainer.fit()
    assert result.stopped_early and not result.restored_best and net.w == 3.0


def test_eval_every_evaluates_every_nth_epoch_and_after_the_last():
    net, trainer = fake_trainer([9, 5, 9, 3, 9, 4, 9], epochs=7, eval_every=2, patience=0)
    result = trainer.fit()
    assert [r.validation_error_rate for r in result.history] == [None, 0.5, None, 0.3, None, 0.4]
    assert result.stopped_early and net.w == 4.0
    net, trainer = fake_trainer([9, 5, 9, 3, 9], epochs=5, eval_every=2)
    assert trainer.fit().history[-1].validation_error_rate == 0.9  # the last epoch is evaluated


def test_divergence_stops_and_restores_the_best():
    net = FakeNet(WRONG[:3] + [1, 1], losses=[0.5, 0.4, 0.3, float("nan"), 0.1])
    x = np.zeros((1, 1))
    trainer = Trainer(net, x, [0], validation_features=np.arange(10.0).reshape(-1, 1),
                      validation_classes=np.zeros(10, dtype=int), settings=quiet(epochs=5))
    result = trainer.fit()
    assert result.stopped_early and "diverged" in result.stop_reason
    assert len(result.history) == 4 and math.isnan(result.history[-1].train_loss)
    assert result.restored_best and net.w == 2.0


def test_real_divergence_is_reported():
    x, c = small_data()
    net = neurons.Network([4, 5, 3], activation="identity", output="identity", seed=1)
    result = Trainer(net, x * 100, c, settings=quiet(rate=10.0, epochs=20)).fit()
    assert result.stopped_early and "diverged" in result.stop_reason


# --- batches and shuffling ----------------------------------------------------------------------

def logged_orders(seed, shuffle=True, n=10, batch_size=3, epochs=3):
    net = FakeNet()
    trainer = Trainer(net, np.arange(n, dtype=float).reshape(-1, 1), np.zeros(n, dtype=int),
                      settings=quiet(seed=seed, shuffle=shuffle, batch_size=batch_size,
                                     epochs=epochs))
    trainer.fit()
    return net.calls


def test_batches_are_consecutive_runs_of_the_permutation_last_one_shorter():
    calls = logged_orders(seed=7)
    assert [len(c) for c in calls] == [3, 3, 3, 1] * 3
    rng = np.random.default_rng(7)
    expected = [list(map(float, rng.permutation(10))) for _ in range(3)]
    epochs = [sum(calls[k:k + 4], []) for k in range(0, 12, 4)]
    assert epochs == expected
    assert epochs[0] != epochs[1]  # a new permutation every epoch


def test_shuffling_is_deterministic_per_seed_and_differs_across_seeds():
    assert logged_orders(seed=3) == logged_orders(seed=3)
    assert logged_orders(seed=3) != logged_orders(seed=4)


def test_shuffle_false_keeps_the_given_order():
    calls = logged_orders(seed=3, shuffle=False)
    assert calls == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0], [9.0]] * 3


@pytest.mark.parametrize("package", IMPLEMENTATIONS, ids=lambda p: p.__name__)
def test_shuffle_false_is_exactly_net_train(package):
    x, c = small_data(n=20)
    encode = one_hot_encoder(3)
    ours = package.Network([4, 5, 3], seed=2)
    theirs = package.Network([4, 5, 3], seed=2)
    result = Trainer(ours, x, c, settings=quiet(rate=0.7, epochs=3, batch_size=3,
                                                shuffle=False)).fit()
    last = theirs.train(encode(c), x, 0.7, 3, batch_size=3)
    for (W1, b1), (W2, b2) in zip(ours.parameters(), theirs.parameters()):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)
    assert result.history[-1].train_loss == pytest.approx(last, rel=1e-12)


def test_train_loss_is_the_sample_weighted_mean_of_batch_losses():
    net = FakeNet(losses=[1.0, 2.0, 4.0])
    result = Trainer(net, np.zeros((7, 1)), np.zeros(7, dtype=int),
                     settings=quiet(batch_size=3, epochs=1)).fit()
    assert result.history[0].train_loss == pytest.approx((3 * 1.0 + 3 * 2.0 + 1 * 4.0) / 7)


def test_uint8_features_stay_uint8_until_transform():
    seen = []

    def transform(batch):
        seen.append(batch.dtype)
        return batch / 255.0

    x = np.random.default_rng(0).integers(0, 256, size=(12, 4), dtype=np.uint8)
    c = np.arange(12) % 3
    trainer = Trainer(neurons.Network([4, 3], seed=0), x, c, transform=transform,
                      validation_features=x, validation_classes=c,
                      settings=quiet(batch_size=5, epochs=1))
    assert trainer.features is x
    trainer.fit()
    assert seen and set(seen) == {np.dtype(np.uint8)}


# --- evaluation ---------------------------------------------------------------------------------

def test_evaluate_counts_errors_and_averages_the_loss():
    net = FakeNet([4])
    net.w = 1.0  # "after epoch 1": samples 0..3 wrong
    x = np.arange(10.0).reshape(-1, 1)
    scores = evaluate(net, x, np.zeros(10, dtype=int))
    assert isinstance(scores, Evaluation) and scores.error_rate == 0.4
    assert scores.loss == pytest.approx(4 * 2.0 / 10)


def test_evaluate_gives_the_same_numbers_batched_and_row_by_row():
    x, c = small_data(n=50)
    a = neurons.Network([4, 5, 3], output="softmax", loss="cross_entropy", seed=4)
    b = vectorized.Network([4, 5, 3], output="softmax", loss="cross_entropy", seed=4)
    row, batch = evaluate(a, x, c), evaluate(b, x, c, chunk_size=16)  # uneven chunks
    assert row.error_rate == batch.error_rate
    assert row.loss == pytest.approx(batch.loss, rel=1e-12)


def test_non_finite_outputs_count_as_errors():
    class NanNet(FakeNet):
        def predict(self, sample):
            return [float("nan"), 0.0]

    assert evaluate(NanNet(), np.zeros((4, 1)), np.zeros(4, dtype=int)).error_rate == 1.0


# --- the history --------------------------------------------------------------------------------

def sample_history():
    return History([
        EpochRecord(1, 0.1 + 0.2, None, None, 0.5),
        EpochRecord(2, 1 / 3, 0.25, 0.125, 1.0000000000000002),
        EpochRecord(3, float("nan"), float("inf"), 0.0, 2.5),
    ])


def same(a, b):
    return all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
               for r, s in zip(a, b) for x, y in zip(vars(r).values(), vars(s).values())) \
        and len(a) == len(b)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_history_round_trips_exactly(tmp_path, suffix):
    """Every float back bitwise, read as `neurons explain` reads it (None: NaN there)."""
    from neurons_lab.explain.plots import read_history

    history = sample_history()
    columns = read_history(history.save(tmp_path / f"h{suffix}"))
    assert list(columns) == [f.name for f in dataclasses.fields(EpochRecord)]
    for name, values in columns.items():
        saved = [math.nan if getattr(r, name) is None else getattr(r, name) for r in history]
        assert np.array_equal(values, saved, equal_nan=True), name
    assert same(History.from_dicts(history.to_dicts()), history)
    assert not same(history, History(history[:2] + [EpochRecord(3, 0.0, None, None, 2.5)]))


def test_history_files_are_plain_csv_and_strict_json(tmp_path):
    history = sample_history()
    lines = history.save(tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == ("epoch,train_loss,validation_loss,validation_error_rate,seconds,"
                        "test_loss,test_error_rate")
    assert lines[1] == "1,0.30000000000000004,,,0.5,,"
    rows = json.loads(history.save(tmp_path / "h.json").read_text(),
                      parse_constant=lambda name: pytest.fail(f"non-standard JSON {name}"))
    assert rows[1] == {"epoch": 2, "train_loss": 1 / 3, "validation_loss": 0.25,
                       "validation_error_rate": 0.125, "seconds": 1.0000000000000002,
                       "test_loss": None, "test_error_rate": None}
    assert rows[2]["train_loss"] == "NaN" and rows[2]["validation_loss"] == "Infinity"
    with pytest.raises(ValueError, match="h.txt must end in .csv or .json"):
        history.save(tmp_path / "h.txt")


def test_history_table():
    table = str(sample_history()).splitlines()
    assert table[0].split() == ["epoch", "train", "loss", "valid.", "loss", "valid.", "error",
                                "test", "error", "seconds"]
    assert table[2].split() == ["2", "0.333333", "0.250000", "12.50", "%", "1.0"]
    assert len(table) == 4


# --- learning -----------------------------------------------------------------------------------

def xor_data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    x = x[np.abs(x).min(axis=1) > 0.1]  # a margin around the axes
    return x, ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(int)


@pytest.mark.parametrize("package", IMPLEMENTATIONS, ids=lambda p: p.__name__)
def test_a_hidden_layer_learns_xor_quadrants(package):
    x, c = xor_data(240, seed=0)
    ex, ec = xor_data(200, seed=1)
    net = package.Network([2, 8, 2], activation="tanh", output="softmax",
                          loss="cross_entropy", init="xavier", seed=0)
    trainer = Trainer(net, x, c, validation_features=ex, validation_classes=ec,
                      settings=quiet(rate=0.5, epochs=60, batch_size=4, seed=0))
    before = trainer.evaluate().error_rate
    result = trainer.fit()
    assert before > 0.3
    assert result.history[-1].validation_error_rate < 0.05
    assert result.history[-1].train_loss < result.history[0].train_loss / 3


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    ({"rate": 0}, ValueError, "rate must be greater than 0"),
    ({"rate": float("nan")}, ValueError, "rate"),
    ({"rate": "0.1"}, TypeError, "rate must be a number"),
    ({"epochs": -1}, ValueError, "epochs must be at least 0"),
    ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
    ({"batch_size": 2.0}, TypeError, "batch_size must be an integer"),
    ({"eval_every": 0}, ValueError, "eval_every"),
    ({"patience": -1}, ValueError, "patience must be at least 0"),
    ({"shuffle": 1}, TypeError, "shuffle must be True or False"),
    ({"checkpoint_every": 0}, ValueError, "checkpoint_every"),
])
def test_bad_settings_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        TrainSettings(**kwargs)


def test_bad_data_is_refused_with_a_clear_message():
    net = neurons.Network([4, 5, 3], seed=0)
    x, c = small_data(n=6)
    with pytest.raises(ValueError, match="features has 6 rows but classes has 5"):
        Trainer(net, x, c[:5])
    with pytest.raises(TypeError, match="integer class indices"):
        Trainer(net, x, c.astype(float))
    with pytest.raises(ValueError, match=r"classes 0…3, the network's output layer has 3"):
        Trainer(net, x, np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ValueError, match=r"has shape \(1, 5\), the network needs \(1, 4\)"):
        Trainer(net, np.zeros((6, 5)), c)
    with pytest.raises(TypeError, match="it must give floats"):
        Trainer(net, x.astype(np.uint8), c, transform=lambda b: b)
    with pytest.raises(ValueError, match=r"encode\(classes\[\[0\]\]\) has shape \(1, 2\)"):
        Trainer(net, x, c, encode=one_hot_encoder(2))
    with pytest.raises(ValueError, match="both validation_features and validation_classes"):
        Trainer(net, x, c, validation_features=x)
    with pytest.raises(ValueError, match="both test_features and test_classes"):
        Trainer(net, x, c, test_classes=c)
    with pytest.raises(ValueError, match="patience .* needs a validation set"):
        Trainer(net, x, c, settings=quiet(patience=0))
    with pytest.raises(ValueError, match="features is empty"):
        Trainer(net, x[:0], c[:0])


def test_progress_goes_to_stderr_and_on_epoch_sees_every_record(capsys):
    seen = []
    net, trainer = fake_trainer([3, 2], epochs=2)
    trainer.on_epoch = seen.append
    trainer.settings.progress = True
    result = trainer.fit()
    out, err = capsys.readouterr()
    assert out == "" and "epoch 2/2" in err and "sample/s" in err
    assert seen == list(result.history)


def test_progress_bars_by_default_only_on_a_terminal(capsys):
    """capsys's stderr is not a terminal: the default (progress=None) shows no bar."""
    _, trainer = fake_trainer([3, 2], epochs=2)
    assert TrainSettings().progress is None
    trainer.settings.progress = None
    trainer.fit()
    assert capsys.readouterr().err == ""
