"""The command line: every subcommand runs, and every user error is one line, no traceback."""

import gzip
import json
import shutil
from pathlib import Path

import pytest

from neurons_lab.cli import main
from tests.helpers import run_cli as run

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


@pytest.mark.parametrize("command", ["demo", "train", "gradcheck", "explain", "draw", "plot"])
def test_every_subcommand_has_help(capsys, command):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: neurons " + command in capsys.readouterr().out


def test_gradcheck_passes_for_both_implementations(capsys):
    code, out, _ = run(capsys, "gradcheck", "--activation", "tanh", "--output", "softmax",
                       "--loss", "cross_entropy", "--l2", "0.01")
    assert code == 0
    assert "neurons:" in out and "vectorized:" in out
    assert "agree" in out and out.count("layer 2: worst relative error") == 2


def test_train_both_on_bits_agree(capsys):
    code, out, _ = run(capsys, "train", "--impl", "both", "--dataset", "bits",
                       "--layers", "8,3,8", "--rate", "1.0", "--epochs", "40",
                       "--eval-every", "20", "--no-progress")
    assert code == 0
    diff = float(out.split("largest parameter difference ")[1].split()[0])
    assert diff < 1e-9
    assert "identical predicted classes on 8 of 8" in out


def test_train_saves_history_and_resumes(tmp_path, capsys):
    args = ["train", "--impl", "vectorized", "--dataset", "spiral", "--layers", "2,20,3",
            "--activation", "tanh", "--output", "softmax", "--loss", "cross_entropy",
            "--rate", "0.1", "--batch-size", "10", "--no-progress",
            "--checkpoint-dir", str(tmp_path / "ck"), "--history", str(tmp_path / "h.json")]
    code, _, err = run(capsys, *args, "--epochs", "3")
    assert code == 0, err
    assert len(json.loads((tmp_path / "h.json").read_text())) == 3
    code, out, err = run(capsys, *args, "--epochs", "5", "--resume")
    assert code == 0, err
    assert "epoch   4" in out and "epoch   1:" not in out
    assert len(json.loads((tmp_path / "h.json").read_text())) == 5


@pytest.mark.parametrize("argv,words", [
    (["train", "--dataset", "mnist", "--data-dir", "/nonexistent/mnist"], "does not exist"),
    (["train", "--dataset", "mnist"], "needs --data-dir"),
    (["train", "--dataset", "bits", "--layers", "8,x,8"], "--layers '8,x,8'"),
    (["train", "--dataset", "bits", "--layers", "8"], "at least two sizes"),
    (["train", "--dataset", "bits", "--layers", "8,3,7"], "needs 8 inputs and 8 outputs"),
    (["train", "--dataset", "bits", "--layers", "8,3,8", "--activation", "sigmoidd"],
     "unknown hidden activation 'sigmoidd'"),
    (["train", "--dataset", "bits", "--layers", "8,3,8", "--loss", "l1"], "unknown loss 'l1'"),
    (["train", "--dataset", "bits", "--layers", "8,8", "--rate", "-1"], "rate"),
    (["train", "--dataset", "bits", "--layers", "8,8", "--epochs", "-1"], "--epochs"),
    (["train", "--dataset", "bits", "--layers", "8,8", "--resume"], "--resume needs"),
    (["gradcheck", "--layers", "3,,2"], "--layers '3,,2'"),
])
def test_user_errors_are_one_line(capsys, argv, words):
    code, _, err = run(capsys, *argv, "--no-progress") if argv[0] == "train" else run(
        capsys, *argv)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"neurons {argv[0]}: error:")
    assert words in lines[0]
    assert "Traceback" not in err


def test_unreadable_checkpoint_is_one_line(tmp_path, capsys):
    ck = tmp_path / "ck"
    args = ["train", "--impl", "vectorized", "--dataset", "bits", "--layers", "8,3,8",
            "--no-progress", "--checkpoint-dir", str(ck)]
    assert run(capsys, *args, "--epochs", "2")[0] == 0
    for f in ck.glob("*.json"):
        f.write_text("{ not json")
    code, _, err = run(capsys, *args, "--epochs", "3", "--resume")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_checkpoint_of_another_architecture_is_refused(tmp_path, capsys):
    ck = tmp_path / "ck"
    base = ["train", "--impl", "vectorized", "--dataset", "bits", "--epochs", "1",
            "--no-progress", "--checkpoint-dir", str(ck)]
    assert run(capsys, *base, "--layers", "8,3,8")[0] == 0
    code, _, err = run(capsys, *base, "--layers", "8,4,8", "--resume")
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(not MNIST.is_dir(), reason="../shared/data/mnist is not beside the checkout")
def test_corrupt_mnist_file_is_one_line(tmp_path, capsys):
    for f in MNIST.glob("*.gz"):
        shutil.copy(f, tmp_path / f.name)
    images = tmp_path / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(images.read_bytes())
    images.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    code, _, err = run(capsys, "train", "--dataset", "mnist", "--data-dir", str(tmp_path),
                       "--no-progress")
    assert code == 1 and "train-images-idx3-ubyte.gz" in err and "Traceback" not in err


@pytest.mark.skipif(not MNIST.is_dir(), reason="../shared/data/mnist is not beside the checkout")
def test_both_implementations_predict_identically_on_mnist(capsys):
    """The README's check, smaller: 784-30-10, 100 training images, one epoch."""
    code, out, err = run(capsys, "train", "--impl", "both", "--dataset", "mnist",
                         "--data-dir", str(MNIST), "--layers", "784,30,10", "--epochs", "1",
                         "--train-limit", "100", "--test-limit", "300", "--no-progress")
    assert code == 0, err
    assert "identical predicted classes on 300 of 300" in out


def test_demo_quick_runs_and_reports_agreement(capsys):
    code, out, _ = run(capsys, "demo", "--quick")
    assert code == 0
    assert "The two implementations agree" in out
    assert out.rstrip().splitlines()[-1].startswith("Next: see every number")  # → explain
