"""The BLAS thread policy inside a training run: ``TrainSettings.threads``, ``Trainer.fit`` and
``neurons train --threads``. The count is set while the epochs run and every BLAS gets its
own count back afterwards, also when the run raises; a resume may change the count.

Each checker returns what went wrong (empty when nothing did) and is shown catching a trainer
that forgets to apply the count, or to restore it.
"""

import contextlib

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.cli import main
from neurons_lab.training import trainer as trainer_module
from neurons_lab.training.errors import CheckpointError
from neurons_lab.training.settings import TRAJECTORY, TrainSettings
from neurons_lab.training.threads import available_cores
from neurons_lab.training.trainer import Trainer
from tests.helpers import quiet, run_cli

threadpoolctl = pytest.importorskip("threadpoolctl")

OUTER = 2  # the limit set around each run, so the run's own count (1) is visible
SPIRAL = ["train", "--impl", "vectorized", "--dataset", "spiral", "--layers", "2,20,3",
          "--output", "softmax", "--loss", "cross_entropy", "--batch-size", "10",
          "--epochs", "2", "--no-progress"]


def blas_counts():
    return tuple(info["num_threads"] for info in threadpoolctl.threadpool_info()
                 if info["user_api"] == "blas")


@pytest.fixture
def seen(monkeypatch):
    """The BLAS thread counts at every ``vectorized.Network.train`` call."""
    counts = []
    original = vectorized.Network.train

    def train(self, *args, **kwargs):
        counts.append(blas_counts())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(vectorized.Network, "train", train)
    return counts


def small_run(epochs=2, **settings):
    rng = np.random.default_rng(0)
    net = vectorized.Network([4, 6, 3], seed=0)
    return Trainer(net, rng.normal(size=(30, 4)), rng.integers(0, 3, 30),
                   settings=quiet(epochs=epochs, batch_size=5, **settings))


def misapplied(fit, seen, expected, raises=None):
    """What is wrong with the BLAS counts around ``fit()`` run inside an outer limit of
    OUTER threads: every step must see ``expected`` threads, afterwards the outer counts."""
    np.ones((2, 2)) @ np.ones((2, 2))  # NumPy's BLAS is loaded
    wrong = []
    with threadpoolctl.threadpool_limits(OUTER, user_api="blas"):
        outer = blas_counts()
        try:
            fit()
        except Exception as error:
            if raises is None or not isinstance(error, raises):
                raise
        if not seen:
            wrong.append("no step was taken")
        if any(counts != (expected,) * len(outer) for counts in seen):
            wrong.append(f"during the run: {sorted(set(seen))} instead of {expected}")
        if blas_counts() != outer:
            wrong.append(f"after the run: {blas_counts()} instead of {outer}")
    return wrong


def failing_run():
    """A run whose second epoch raises (from the epoch callback, inside the loop)."""
    trainer = small_run()

    def stop(record):
        raise KeyError("stopped by the test")

    trainer.on_epoch = stop
    return trainer.fit


# --- applied and restored ----------------------------------------------------------------------

def test_the_policy_is_applied_during_fit_and_restored_after(seen):
    trainer = small_run()
    assert misapplied(trainer.fit, seen, 1) == []  # auto: a tiny product, one thread
    assert trainer.fit().threads.threads == 1


def test_an_explicit_count_is_applied(seen):
    if available_cores() < 2:
        pytest.skip("needs two cores")
    np.ones((2, 2)) @ np.ones((2, 2))
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        outer = blas_counts()
        result = small_run(threads=2).fit()
        assert set(seen) == {(2,) * len(outer)} and blas_counts() == outer
    assert result.threads.reason == "set explicitly"


def test_the_limits_come_back_when_fit_raises(seen):
    assert misapplied(failing_run(), seen, 1, raises=KeyError) == []


def test_the_reason_names_the_network_and_batch():
    choice = small_run().thread_choice()
    assert choice.threads == 1 and "4-6-3, batch 5" in choice.reason


def test_neurons_needs_no_blas_and_nothing_changes():
    rng = np.random.default_rng(0)
    net = neurons.Network([4, 6, 3], seed=0)
    trainer = Trainer(net, rng.normal(size=(10, 4)), rng.integers(0, 3, 10),
                      settings=quiet(epochs=1))
    with threadpoolctl.threadpool_limits(OUTER, user_api="blas"):
        before = blas_counts()
        assert trainer.fit().threads is None and blas_counts() == before


@contextlib.contextmanager
def does_nothing(threads):
    yield


@contextlib.contextmanager
def restores_only_on_success(threads):
    limits = threadpoolctl.threadpool_limits(threads.threads, user_api="blas")
    yield
    limits.restore_original_limits()


def test_the_checker_catches_a_trainer_that_forgets_to_apply_or_restore(seen, monkeypatch):
    monkeypatch.setattr(trainer_module, "blas_threads", does_nothing)
    assert "during the run" in " ".join(misapplied(small_run().fit, seen, 1))
    seen.clear()
    monkeypatch.setattr(trainer_module, "blas_threads", restores_only_on_success)
    assert misapplied(small_run().fit, seen, 1) == []
    seen.clear()
    assert "after the run" in " ".join(misapplied(failing_run(), seen, 1, raises=KeyError))


# --- the command line ------------------------------------------------------------------------

@pytest.mark.parametrize("text,words", [
    ("0", "--threads must be from 1 to the"), ("1.5", "whole number of threads or 'auto'"),
    (str(available_cores() + 1), f"got {available_cores() + 1}"),
])
def test_bad_threads_are_one_usage_error(capsys, text, words):
    with pytest.raises(SystemExit) as info:
        main(SPIRAL + ["--threads", text])
    assert info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("neurons train: error: argument --threads: ") and words in last


def test_the_command_line_applies_restores_and_says_why(capsys, seen):
    result = {}

    def fit():
        result["cli"] = run_cli(capsys, *SPIRAL, "--threads", "1")

    assert misapplied(fit, seen, 1) == []
    code, out, err = result["cli"]
    assert code == 0 and "BLAS" not in err  # a log line, not a problem: stdout
    assert out.count("BLAS threads: 1 (set explicitly)") == 1


def test_the_command_line_default_is_the_rule(capsys, seen):
    code, out, _ = run_cli(capsys, *SPIRAL)
    assert code == 0 and "BLAS threads: 1 (2-20-3, batch 10: 600 multiply-adds" in out


# --- settings and resuming -------------------------------------------------------------------

def test_threads_setting_is_checked():
    assert TrainSettings().threads is None
    assert TrainSettings(threads=1).threads == 1
    for bad, error in ((0, ValueError), (-1, ValueError), (available_cores() + 1, ValueError),
                       (1.5, TypeError), ("2", TypeError)):
        with pytest.raises(error, match="threads"):
            TrainSettings(threads=bad)


def _resumed(tmp_path, threads):
    """Two epochs on one thread, then a third with ``threads``, resumed from the checkpoint."""
    small_run(threads=1, checkpoint_dir=str(tmp_path)).fit()
    again = small_run(epochs=3, checkpoint_dir=str(tmp_path), threads=threads)
    return again.fit(resume=str(tmp_path))


def test_a_resume_may_change_the_threads(tmp_path):
    result = _resumed(tmp_path, threads=None)
    assert [r.epoch for r in result.history] == [1, 2, 3]


def test_the_resume_check_would_refuse_threads_if_they_changed_the_numbers(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setattr("neurons_lab.training.runfolder.TRAJECTORY", TRAJECTORY + ("threads",))
    with pytest.raises(CheckpointError, match="threads: None now, 1 in the checkpoint"):
        _resumed(tmp_path, threads=None)
