"""Every command that reads MNIST takes the same data options (--data-dir | --download,
--cache-dir) from one helper; --download fills the cache and the command reads it; the demo
falls back to the cache, then to generated images. The download itself is tested against a
local server in test_data_download.py: here it is replaced by a stand-in that writes a tiny
idx set, so these tests never touch the network."""

import re
from pathlib import Path

import pytest

from neurons_lab.cli import main
from neurons_lab.training import download as data_options
from tests.test_cli_results import SIDE, write_set

MNIST_COMMANDS = ("train", "evaluate", "vote", "knn", "demo")
ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fake_download(monkeypatch):
    """download_mnist replaced: writes a tiny learnable set into the cache folder, once."""
    calls = []

    def download(directory, **kwargs):
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if not any(directory.glob("*-ubyte.gz")):
            write_set(directory)
        calls.append(directory)
        return directory

    monkeypatch.setattr(data_options, "download_mnist", download)
    return calls


@pytest.mark.parametrize("command", MNIST_COMMANDS)
def test_every_mnist_command_has_the_same_data_options(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    usage = " ".join(capsys.readouterr().out.split())
    for option in ("--data-dir DIR", "--download", "--cache-dir DIR"):
        assert option in usage, (command, option)
    assert "~/.cache/neurons/mnist" in usage  # the cache folder is named in every --help


def test_no_command_defines_its_own_data_options():
    """One argparse helper: a second copy of --data-dir would drift (help, checks, --download)."""
    pattern = re.compile(r"""add_argument\(\s*["']--(data-dir|download|cache-dir)["']""")
    owners = [path.relative_to(ROOT).as_posix() for path in (ROOT / "neurons_lab").rglob("*.py")
              if pattern.search(path.read_text(encoding="utf-8"))]
    assert owners == ["neurons_lab/training/download.py"]


@pytest.mark.parametrize("command", ["knn", "evaluate", "train"])
def test_without_data_the_error_is_one_line_naming_both_ways(capsys, command, tmp_path):
    argv = [command] + ([tmp_path] if command == "evaluate" else [])
    code, _, err = run(capsys, *argv)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "--data-dir DIR" in err and "--download" in err


def test_cache_dir_without_download_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "knn", "--cache-dir", tmp_path)
    assert code == 1 and "give --download too" in err


def test_data_dir_and_download_together_is_a_usage_error(capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["knn", "--data-dir", str(tmp_path), "--download"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_download_fills_the_cache_and_every_command_reads_it(capsys, tmp_path, fake_download):
    cache = tmp_path / "cache"
    code, out, err = run(capsys, "knn", "--download", "--cache-dir", cache, "--no-progress")
    assert code == 0, err
    assert "60 training and 20 test images" in out
    run_dir = tmp_path / "run"
    code, out, err = run(capsys, "train", "--download", "--cache-dir", cache, "--layers",
                         f"{SIDE**2},8,10", "--epochs", "1", "--checkpoint-dir", run_dir,
                         "--no-progress")
    assert code == 0, err
    assert "test accuracy" in out
    for argv in (["evaluate", run_dir], ["vote", run_dir, run_dir]):
        code, out, err = run(capsys, *argv, "--download", "--cache-dir", cache)
        assert code == 0, err
        assert "accuracy" in out
    assert fake_download == [cache] * 4


def test_the_default_cache_is_the_users_cache_folder(monkeypatch, tmp_path, capsys, fake_download):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code, _, err = run(capsys, "knn", "--download", "--no-progress")
    assert code == 0, err
    assert fake_download == [tmp_path / "neurons" / "mnist"]


def test_demo_uses_the_cache_else_generated_images(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    from neurons_lab.commands.demo import digits

    title, shape = digits(None, 10, 10)[:2]
    assert title.startswith("generated bars") and "--download" in title and shape == (1, 12, 12)
    cache = tmp_path / "neurons" / "mnist"
    cache.mkdir(parents=True)
    write_set(cache, side=28)
    title, shape, x = digits(None, 10, 10)[:3]
    assert title == f"MNIST digits from {cache}" and shape == (1, 28, 28) and x.shape == (10, 784)
    (cache / "t10k-labels-idx1-ubyte.gz").unlink()  # an incomplete cache: said, not fatal
    title = digits(None, 10, 10)[0]
    assert title.startswith("generated bars (the download cache is incomplete")


def test_demo_reads_data_dir_and_reports_its_errors(capsys, tmp_path):
    folder = tmp_path / "digits"
    folder.mkdir()
    code, _, err = run(capsys, "demo", "--quick", "--data-dir", folder)
    assert code == 1 and len(err.strip().splitlines()) == 1  # the user's folder: its error shown
