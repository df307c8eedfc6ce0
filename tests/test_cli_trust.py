"""Issue 13 at the command line: nothing lost to a bad setting, failure reported, clean logs,
one run per folder, resuming checked, Ctrl-C, and argparse's own errors kept apart."""

import json
import re
import shlex
from pathlib import Path

import pytest

from neurons_lab.cli import main
from neurons_lab.training.checkpoint import latest_epoch, numbered_checkpoints
from neurons_lab.training.runfolder import RunLock
from tests.helpers import run_cli as run

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
BITS = ["train", "--dataset", "bits", "--layers", "8,3,8", "--rate", "1.0", "--no-progress"]
SPIRAL = ["train", "--dataset", "spiral", "--layers", "2,20,3", "--activation", "tanh",
          "--output", "softmax", "--loss", "cross_entropy", "--rate", "0.1",
          "--batch-size", "10", "--no-progress"]


def one_line_error(code, out, err, words):
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("neurons ") and ": error: " in lines[0]
    assert words in lines[0], lines[0]
    assert not re.search(r"^ +epoch +\d+:", out, re.M)  # refused before the first step


# --- nothing lost to a bad setting ------------------------------------------------------------

@pytest.mark.parametrize("extra, words", [
    (["--history", "/nonexistent/folder/h.json"], "the folder /nonexistent/folder does not exist"),
    (["--history", "{tmp}/h.txt"], "must end in .csv or .json"),
    (["--history", "{tmp}/folder.json"], "is a folder, not a file"),
    (["--history", ""], "--history: the path must not be empty"),
    (["--checkpoint-dir", "{tmp}/a-file"], "is a file, not a folder"),
    (["--checkpoint-dir", "{tmp}/a-file/below"], "is a file, not a folder"),
    (["--checkpoint-dir", ""], "--checkpoint-dir: the path must not be empty"),
    (["--dataset", "mnist", "--data-dir", ""], "--data-dir: the path must not be empty"),
    (["--keep", "0"], "--keep must be at least 1"),
    (["--validation", "8"], "--validation 8: the bits training set has only 8 samples"),
    (["--patience", "0"], "patience (early stopping) needs a validation set"),
    (["--dtype", "float32", "--impl", "neurons"], "the neurons engine computes in float64"),
    (["--layers", "8,99999999999,8"], "needs about"),
    (["--resume", "{tmp}/nothing-here.json"], "no such checkpoint"),
])
def test_bad_settings_are_refused_before_the_first_step(tmp_path, capsys, extra, words):
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "folder.json").mkdir()
    extra = [e.replace("{tmp}", str(tmp_path)) for e in extra]
    one_line_error(*run(capsys, *BITS, "--epochs", "2", *extra), words)


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's read-only /sys")
def test_an_unwritable_checkpoint_folder_is_refused_before_the_first_step(capsys):
    # /sys refuses new files even to root, unlike a chmod'ed folder
    one_line_error(*run(capsys, *BITS, "--epochs", "2", "--checkpoint-dir", "/sys/neurons-ck"),
                   "cannot write in /sys")


@pytest.mark.parametrize("argv, words", [
    (["gradcheck", "--eps", "0"], "--eps: eps must lie in [1e-10, 0.01], got 0"),
    (["gradcheck", "--eps", "nan"], "--eps: eps must be a finite number"),
    (["gradcheck", "--layers", "784,99999999,10"], "needs about"),
    (["train", "--dataset", "mnist", "--layers", "784,99999999,10", "--data-dir", "/x"],
     "needs about"),
])
def test_gradcheck_and_huge_layers_are_one_line(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    one_line_error(code, out, err, words)
    if "needs about" in words:
        assert "GiB" in err or "TiB" in err  # the memory it would need


def test_argparse_keeps_its_own_convention_for_usage_errors(capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--epochs", "three"])
    assert info.value.code == 2
    assert "usage: neurons train" in capsys.readouterr().err


def test_a_bug_shows_its_traceback(monkeypatch, capsys):
    """Only the project's own errors become one line: a TypeError from a bug propagates."""
    def broken(args):
        raise TypeError("a programming error")
    monkeypatch.setattr("neurons_lab.commands.train.prepare", broken)
    with pytest.raises(TypeError, match="a programming error"):
        main(BITS + ["--epochs", "1"])


def test_an_error_raised_while_ctrl_c_unwinds_is_the_interrupt(monkeypatch, capsys):
    """Ctrl-C inside a library's cleanup (np.savez's zipfile) surfaces as another exception
    whose context is the KeyboardInterrupt: still exit 130 and one line, not a traceback."""
    def interrupted(args):
        try:
            raise KeyboardInterrupt
        finally:
            raise ValueError("Can't close the ZIP file while there is an open writing handle")
    monkeypatch.setattr("neurons_lab.commands.train.prepare", interrupted)
    assert main(BITS + ["--epochs", "1"]) == 130
    assert capsys.readouterr().err == "neurons train: interrupted\n"


# --- failure is reported, not hidden ----------------------------------------------------------

@pytest.mark.parametrize("impl", ["vectorized", "neurons"])
def test_divergence_is_one_line_with_history_best_checkpoint_and_status_3(tmp_path, capsys,
                                                                         impl):
    code, out, err = run(capsys, "train", "--impl", impl, "--dataset", "spiral",
                         "--layers", "2,30,3", "--activation", "relu", "--output", "identity",
                         "--rate", "5", "--epochs", "20", "--no-progress", "--validation", "50",
                         "--checkpoint-dir", str(tmp_path / "ck"),
                         "--history", str(tmp_path / "h.json"))
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Warning" not in err, err
    assert lines[0].startswith("neurons train: training diverged in epoch 1: ")
    assert "loss" in lines[0] and "try a smaller rate than 5" in lines[0]
    history = json.loads((tmp_path / "h.json").read_text())
    assert [row["epoch"] for row in history] == [0, 1]  # epoch 0: the restored start
    assert history[0]["test_error_rate"] is not None and history[1]["test_error_rate"] is None
    assert (tmp_path / "ck" / "best.json").exists() and "test accuracy" in out


def test_a_rate_too_large_says_not_learning(capsys):
    code, out, err = run(capsys, "train", "--dataset", "spiral", "--layers", "2,20,3",
                         "--rate", "300", "--epochs", "4", "--validation", "60",
                         "--no-progress")
    assert code == 0
    assert "neurons train: not learning: the validation error rate is" in err
    assert "the rate may be too large" in err and len(err.strip().splitlines()) == 1


def test_ctrl_c_names_the_saved_epoch_and_the_command_that_resumes(tmp_path, monkeypatch,
                                                                   capsys):
    ck = tmp_path / "ck"
    argv = BITS + ["--epochs", "5", "--checkpoint-dir", str(ck)]
    from neurons_lab.commands import train

    real = train._print_epoch

    def interrupt(record, args):
        real(record, args)
        if record.epoch == 3:
            raise KeyboardInterrupt
    monkeypatch.setattr(train, "_print_epoch", interrupt)
    code, out, err = run(capsys, *argv)
    monkeypatch.undo()
    assert code == 130
    line, = err.strip().splitlines()
    assert f"interrupted with 3 epoch(s) done; the checkpoint of epoch 3 is in {ck}" in line
    command = shlex.split(line.split("continue with: ")[1])
    assert command[0] == "neurons" and command[-1] == "--resume"
    code, out, err = run(capsys, *command[1:])
    assert code == 0, err
    assert "epoch   5" in out and "epoch   3" not in out and latest_epoch(ck) == 5


# --- clean logs -------------------------------------------------------------------------------

def test_the_readme_bits_command_logs_a_few_lines_when_redirected(capsys):
    """No --no-progress: stderr is not a terminal (capsys), so there is no bar at all."""
    code, out, err = run(capsys, "train", "--dataset", "bits", "--layers", "8,3,8",
                         "--rate", "1.0", "--epochs", "3000", "--eval-every", "500")
    assert code == 0 and err == ""
    assert len(out.splitlines()) < 15


# --- one run per folder -----------------------------------------------------------------------

def test_a_second_run_into_a_folder_is_refused_without_resume_or_overwrite(tmp_path, capsys):
    ck = tmp_path / "ck"
    argv = BITS + ["--checkpoint-dir", str(ck)]
    assert run(capsys, *argv, "--epochs", "4")[0] == 0
    before = {p.name: p.read_bytes() for p in ck.iterdir()}
    one_line_error(*run(capsys, *argv, "--epochs", "2"), "already holds a run (checkpoint of "
                   "epoch 4): continue it (--resume")
    assert {p.name: p.read_bytes() for p in ck.iterdir()} == before
    assert run(capsys, *argv, "--epochs", "2", "--overwrite")[0] == 0
    assert [e for e, _ in numbered_checkpoints(ck)] == [1, 2]  # no mix of two runs


def test_a_folder_in_use_by_another_run_is_refused(tmp_path, capsys):
    ck = tmp_path / "ck"
    with RunLock(ck):
        code, out, err = run(capsys, *BITS, "--epochs", "2", "--checkpoint-dir", str(ck))
    one_line_error(code, out, err, "is in use by another run")


def test_keep_bounds_the_files_of_a_long_run(tmp_path, capsys):
    ck = tmp_path / "ck"
    assert run(capsys, *BITS, "--epochs", "40", "--checkpoint-dir", str(ck))[0] == 0
    assert [e for e, _ in numbered_checkpoints(ck)] == [38, 39, 40]  # the default --keep 3
    assert run(capsys, *BITS, "--epochs", "12", "--checkpoint-dir", str(ck), "--overwrite",
               "--keep", "all")[0] == 0
    assert len(numbered_checkpoints(ck)) == 12


# --- resuming ---------------------------------------------------------------------------------

def test_resume_accepts_a_numbered_checkpoint(tmp_path, capsys):
    ck = tmp_path / "ck"
    assert run(capsys, *SPIRAL, "--epochs", "4", "--checkpoint-dir", str(ck),
               "--keep", "all")[0] == 0
    code, out, err = run(capsys, *SPIRAL, "--epochs", "5", "--resume",
                         str(ck / "epoch-0002.json"))
    assert code == 0, err
    assert "epoch   3" in out and "epoch   2:" not in out and latest_epoch(ck) == 5


@pytest.mark.parametrize("change, words", [
    (["--labels", "tutorial"], "labels: 'tutorial' now, 'onehot' in the checkpoint"),
    (["--dtype", "float32"], "dtype: 'float32' now, 'float64' in the checkpoint"),
    (["--center"], "center: True now, False in the checkpoint"),
    (["--rate", "0.2"], "rate: 0.2 now, 0.1 in the checkpoint"),
])
def test_resume_refuses_settings_that_change_the_numbers(tmp_path, capsys, change, words):
    ck = tmp_path / "ck"
    assert run(capsys, *SPIRAL, "--epochs", "2", "--checkpoint-dir", str(ck))[0] == 0
    code, out, err = run(capsys, *SPIRAL, "--epochs", "3", "--checkpoint-dir", str(ck),
                         "--resume", *change)
    one_line_error(code, out, err, words)
    assert latest_epoch(ck) == 2


def test_a_run_that_stopped_early_continues_with_a_larger_patience(tmp_path, capsys):
    ck = tmp_path / "ck"
    argv = SPIRAL[:-5] + ["--rate", "2.0", "--batch-size", "1", "--no-progress",
                          "--validation", "100", "--checkpoint-dir", str(ck)]
    code, out, _ = run(capsys, *argv, "--epochs", "30", "--patience", "0")
    assert code == 0 and "stopped early" in out
    stopped = latest_epoch(ck)
    code, out, _ = run(capsys, *argv, "--epochs", "30", "--patience", "0", "--resume")
    assert code == 0 and "stopped early" in out and latest_epoch(ck) == stopped
    code, out, err = run(capsys, *argv, "--epochs", str(stopped + 2), "--patience", "100",
                         "--resume")
    assert code == 0, err
    assert latest_epoch(ck) == stopped + 2 and f"epoch {stopped + 1:>3}" in out


# --- engines and subcommands ------------------------------------------------------------------

def test_engines_offered_are_the_importable_ones(capsys):
    from neurons_lab.training.networks import available_engines
    assert {"neurons", "vectorized"} <= set(available_engines())
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    usage = capsys.readouterr().out
    assert "{" + ",".join(available_engines() + ("both",)) + "}" in usage


def test_the_composition_root_adds_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    usage = capsys.readouterr().out
    for command in ("demo", "train", "gradcheck", "knn", "evaluate", "vote", "explain",
                    "draw", "plot"):
        assert command in usage, command
