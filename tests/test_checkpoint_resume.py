"""Resuming a Trainer from a checkpoint gives bitwise the run that was never interrupted."""

import json
import os
import warnings

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.training.checkpoint import (
    CheckpointError,
    latest_epoch,
    load_checkpoint,
    save_checkpoint,
)
from neurons_lab.training.trainer import Trainer, TrainSettings
from tests.helpers import FakeNet, fake_trainer

IMPLEMENTATIONS = [neurons, vectorized]


def data(seed=0, n=36):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, 4), dtype=np.uint8)
    return x, rng.integers(0, 3, size=n)


def scale(batch):
    return batch / 255.0


def run(package, directory, *, resume=None, seed=1, epochs=6, x=None, **overrides):
    """A 4-5-3 network trained with batch size 3, a checkpoint every 2 epochs."""
    tx, tc = data(0)
    ex, ec = data(1, n=20)
    settings = dict(rate=0.8, epochs=epochs, batch_size=3, seed=11, checkpoint_dir=directory,
                    checkpoint_every=2, progress=False)
    l2 = overrides.pop("l2", 0.0)
    settings.update(overrides)
    net = package.Network([4, 5, 3], seed=seed, l2=l2)
    trainer = Trainer(net, tx if x is None else x, tc, transform=scale, validation_features=ex,
                      validation_classes=ec, settings=TrainSettings(**settings))
    return net, trainer.fit(resume=resume)


def assert_same_run(net_a, result_a, net_b, result_b):
    for (W1, b1), (W2, b2) in zip(net_a.parameters(), net_b.parameters()):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)  # bitwise: == on every float
    strip = [[(r.epoch, r.train_loss, r.validation_loss, r.validation_error_rate)
              for r in res.history] for res in (result_a, result_b)]
    assert strip[0] == strip[1]
    assert (result_a.best_epoch, result_a.best_error_rate) == \
        (result_b.best_epoch, result_b.best_error_rate)


@pytest.mark.parametrize("package", IMPLEMENTATIONS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("from_epoch", [2, 4])
def test_resume_is_bitwise_the_uninterrupted_run(tmp_path, package, from_epoch):
    net_a, result_a = run(package, tmp_path / "a")
    assert sorted(p.name for p in (tmp_path / "a").glob("*.json")) == [
        "epoch-0002.json", "epoch-0004.json", "epoch-0006.json", "latest.json"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same settings, same data: no warning
        net_b, result_b = run(package, tmp_path / "b", seed=99,  # other initial weights
                              resume=tmp_path / "a" / f"epoch-{from_epoch:04d}.json")
    assert_same_run(net_a, result_a, net_b, result_b)
    assert load_checkpoint(tmp_path / "b").epoch == 6


def test_resume_is_bitwise_with_held_one_sample_steps(tmp_path, monkeypatch):
    """vectorized.fast's large layers hold one-sample steps (vectorized/fast/deferred.py); made
    to hold 5 at a time here, 36 samples per epoch leave steps held at the end of an epoch.
    Reading the parameters there adds them, so a checkpoint is where an uninterrupted run also
    is."""
    import vectorized.fast
    import vectorized.fast.layer

    monkeypatch.setattr(vectorized.fast.layer, "DEFER_ABOVE_BYTES", -1)
    monkeypatch.setattr(vectorized.fast.layer, "DEFERRED_STEPS", 5)
    net_a, result_a = run(vectorized.fast, tmp_path / "a", batch_size=1)
    net_b, result_b = run(vectorized.fast, tmp_path / "b", seed=99, batch_size=1,
                          resume=tmp_path / "a" / "epoch-0002.json")
    assert_same_run(net_a, result_a, net_b, result_b)


@pytest.mark.parametrize("package", IMPLEMENTATIONS, ids=lambda p: p.__name__)
def test_a_run_extended_from_its_last_checkpoint_is_the_longer_run(tmp_path, package):
    net_a, result_a = run(package, tmp_path / "a", epochs=6)
    run(package, tmp_path / "b", epochs=3, checkpoint_every=5)  # checkpoints after epoch 3
    net_b, result_b = run(package, tmp_path / "b", epochs=6, resume=tmp_path / "b")
    assert_same_run(net_a, result_a, net_b, result_b)


def test_a_run_crashing_while_checkpointing_resumes_from_the_previous_one(tmp_path,
                                                                         monkeypatch):
    net_a, result_a = run(neurons, tmp_path / "a")
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith("epoch-0004.json"):
            raise OSError(28, "No space left on device (simulated)")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(CheckpointError, match="simulated"):
        run(neurons, tmp_path / "b")
    monkeypatch.undo()
    assert load_checkpoint(tmp_path / "b").epoch == 2
    assert not list((tmp_path / "b").glob(".*.tmp"))
    net_b, result_b = run(neurons, tmp_path / "b", resume=tmp_path / "b")
    assert_same_run(net_a, result_a, net_b, result_b)


def test_nothing_is_left_to_do_after_the_last_epoch(tmp_path):
    net_a, result_a = run(neurons, tmp_path / "a")
    net_b, result_b = run(neurons, tmp_path / "b", seed=5, resume=tmp_path / "a")
    assert_same_run(net_a, result_a, net_b, result_b)
    assert latest_epoch(tmp_path / "b") is None  # no checkpoint written


# --- early stopping across a resume -------------------------------------------------------------

@pytest.mark.parametrize("from_epoch", [2, 3, 4, 5])
def test_early_stopping_state_and_best_parameters_survive_a_resume(tmp_path, from_epoch):
    wrong = [5, 3, 4, 4, 6, 7, 8]  # best after epoch 2; 3 evaluations later a rise: stop at 5
    settings = dict(epochs=7, patience=2, checkpoint_dir=str(tmp_path), checkpoint_every=1)
    net_a, trainer_a = fake_trainer(wrong, **settings)
    result_a = trainer_a.fit()
    assert result_a.stopped_early and len(result_a.history) == 5 and net_a.w == 2.0
    assert load_checkpoint(tmp_path).best_parameters[0][0].tolist() == [[2.0], [2.0]]

    net_b, trainer_b = fake_trainer(wrong, **dict(settings, checkpoint_dir=None))
    result_b = trainer_b.fit(resume=tmp_path / f"epoch-{from_epoch:04d}.json")
    assert result_b.stop_reason == result_a.stop_reason
    assert result_b.restored_best and net_b.w == 2.0  # the best came from the checkpoint
    assert [r.validation_error_rate for r in result_b.history] == \
        [r.validation_error_rate for r in result_a.history]
    assert len(net_b.calls) == 5 - from_epoch  # a checkpoint of the stop stays stopped


# --- what a resume refuses ---------------------------------------------------------------------

@pytest.mark.parametrize("change, words", [
    ({"rate": 0.5}, "rate: 0.5 now, 0.8 in the checkpoint"),
    ({"batch_size": 4}, "batch_size: 4 now, 3 in the checkpoint"),
    ({"shuffle": False}, "shuffle: False now, True in the checkpoint"),
    ({"x": data(seed=5)[0]}, "training data"),
    ({"l2": 0.01}, "l2: 0.01 now, 0.0 in the checkpoint"),
])
def test_resume_refuses_a_run_that_would_give_other_numbers(tmp_path, change, words):
    run(neurons, tmp_path / "a", epochs=2)
    with pytest.raises(CheckpointError, match=words) as info:
        run(neurons, tmp_path / "b", epochs=3, resume=tmp_path / "a", **change)
    assert "cannot resume from" in str(info.value)
    # nothing was written for the refused run
    assert latest_epoch(tmp_path / "a") == 2 and latest_epoch(tmp_path / "b") is None


def test_a_refused_resume_leaves_the_network_untouched(tmp_path):
    run(neurons, tmp_path / "a", epochs=2)
    tx, tc = data(0)
    net = neurons.Network([4, 5, 3], seed=42)
    original = net.parameters()
    trainer = Trainer(net, tx, tc, transform=scale, settings=TrainSettings(
        rate=0.1, batch_size=3, epochs=3, progress=False))
    with pytest.raises(CheckpointError, match="rate: 0.1 now, 0.8"):
        trainer.fit(resume=tmp_path / "a")
    assert net.parameters() == original


def test_resume_refuses_another_recipe_naming_what_differs(tmp_path):
    tx, tc = data(0)

    def fit(recipe, **kw):
        net = neurons.Network([4, 5, 3], seed=1)
        trainer = Trainer(net, tx, tc, transform=scale, recipe=recipe, settings=TrainSettings(
            rate=0.8, epochs=kw.pop("epochs"), progress=False, checkpoint_dir=tmp_path))
        return trainer.fit(**kw)

    fit({"center": False, "labels": "tutorial"}, epochs=1)
    with pytest.raises(CheckpointError, match="center: True now, False in the checkpoint"):
        fit({"center": True, "labels": "tutorial"}, epochs=2, resume=tmp_path)
    with pytest.raises(CheckpointError, match="labels: 'onehot' now, 'tutorial'"):
        fit({"center": False, "labels": "onehot"}, epochs=2, resume=tmp_path)
    assert len(fit({"center": False, "labels": "tutorial"}, epochs=2,
                   resume=tmp_path).history) == 2


def test_resume_refuses_another_engine_or_dtype(tmp_path):
    run(neurons, tmp_path / "a", epochs=2)
    with pytest.raises(CheckpointError, match="engine: 'vectorized' now, 'neurons' in the"):
        run(vectorized, tmp_path / "b", epochs=3, resume=tmp_path / "a")
    tx, tc = data(0)
    run(vectorized, tmp_path / "c", epochs=2)
    net = vectorized.Network([4, 5, 3], seed=1, dtype="float32")
    trainer = Trainer(net, tx, tc, transform=scale, settings=TrainSettings(
        rate=0.8, batch_size=3, epochs=3, seed=11, progress=False))
    with pytest.raises(CheckpointError, match="dtype: 'float32' now, 'float64'"):
        trainer.fit(resume=tmp_path / "c")


def test_a_checkpoint_with_a_broken_rng_state_is_refused_before_the_network_changes(tmp_path):
    run(neurons, tmp_path / "a", epochs=2)
    path = tmp_path / "a" / "latest.json"
    meta = json.loads(path.read_text())
    meta["trainer"]["rng_state"] = {"bit_generator": "MT19937", "state": "nonsense"}
    path.write_text(json.dumps(meta))
    tx, tc = data(0)
    net = neurons.Network([4, 5, 3], seed=42)
    original = net.parameters()
    trainer = Trainer(net, tx, tc, transform=scale, settings=TrainSettings(
        rate=0.8, batch_size=3, epochs=3, progress=False))
    with pytest.raises(CheckpointError, match="trainer state is incomplete or invalid"):
        trainer.fit(resume=path)
    assert net.parameters() == original


def test_resume_refuses_another_architecture(tmp_path):
    run(neurons, tmp_path / "a", epochs=2)
    tx, tc = data(0)
    net = neurons.Network([4, 7, 3], seed=0)
    trainer = Trainer(net, tx, tc, transform=scale, settings=TrainSettings(progress=False))
    with pytest.raises(CheckpointError, match=r"layer_sizes: \[4, 7, 3\] now, \[4, 5, 3\] in"):
        trainer.fit(resume=tmp_path / "a")


def test_resume_refuses_a_parameters_only_checkpoint(tmp_path):
    net = FakeNet()
    save_checkpoint(tmp_path, net, 3)
    _, trainer = fake_trainer([1, 1, 1, 1], epochs=4)
    with pytest.raises(CheckpointError, match="holds parameters only"):
        trainer.fit(resume=tmp_path)


def test_resume_refuses_a_missing_checkpoint(tmp_path):
    _, trainer = fake_trainer([1, 1], epochs=2)
    with pytest.raises(CheckpointError, match="no checkpoint in"):
        trainer.fit(resume=tmp_path)
