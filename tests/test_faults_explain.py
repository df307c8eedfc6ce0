"""Fault injection, the engines' constructors and explain/draw/plot: one test per cause (issue
"Nothing lost, nothing unbounded"). A mistake is one line on stderr (exit 1), never a
traceback; nothing is built or read beyond a bound; an image or page is whole or not there."""

import errno
import os
import warnings

import numpy as np
import pytest

import neurons
import vectorized
import vectorized.fast
from neurons_lab.training import files
from neurons_lab.training.checkpoint import save_checkpoint
from tests.helpers import run_cli

ENGINES = (neurons, vectorized, vectorized.fast)


def one_line(code, err, words, status=1):
    lines = err.strip().splitlines()
    assert code == status and len(lines) == 1 and "Traceback" not in err, err
    assert words in lines[0], lines[0]


def test_layer_sizes_without_an_order_are_refused_by_every_engine():
    for engine in ENGINES:
        for unordered in ({3, 2}, {3: "in", 2: "out"}, {3: 1, 2: 1}.keys(),
                          frozenset({"1x4x4", "pool2", 2})):  # {3, 2} built 2 → 3
            with pytest.raises(TypeError, match=r"layer_sizes must be a list or tuple of layer "
                                                r"sizes, in order, got .*\((set|dict|dict_keys"
                                                r"|frozenset)\)"):
                engine.Network(unordered)
        assert engine.Network(n for n in (3, 2)).layer_sizes == (3, 2)  # ordered: as given


@pytest.fixture
def plotting():
    pytest.importorskip("matplotlib")


@pytest.mark.parametrize("option,words", [
    (["--activation", "bogus"], "unknown hidden activation 'bogus'"),
    (["--rate", "inf"], "--rate inf: must be a finite number > 0"),
    (["--hidden", "100000000"], "--hidden 100000000: the spiral plot draws at most 1,000"),
])
def test_plot_spiral_options_are_one_line(tmp_path, capsys, plotting, option, words):
    code, _, err = run_cli(capsys, "plot", "spiral", "-o", str(tmp_path / "s.png"), *option)
    one_line(code, err, words)
    assert not list(tmp_path.iterdir())


def _hostile(path, kind):
    if kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "digits":
        path.write_text('[{"epoch": ' + "9" * 5001 + ', "train_loss": 1}]')
    elif kind == "huge":
        with open(path, "wb") as f:  # sparse: 1 byte past the bound, nothing on the disk
            f.truncate(files.MAX_JSON_BYTES + 1)
    elif kind == "dev zero":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)


@pytest.mark.parametrize("kind,suffix", [(kind, ".json") for kind in ("deep", "digits")]
                         + [(kind, suffix) for kind in ("huge", "dev zero", "fifo")
                            for suffix in (".json", ".csv")])
def test_plot_reads_a_history_bounded(tmp_path, capsys, plotting, kind, suffix):
    path = tmp_path / f"h{suffix}"
    _hostile(path, kind)  # /dev/zero or a FIFO would fill the memory or hang
    code, _, err = run_cli(capsys, "plot", str(path), "-o", str(tmp_path / "h.png"))
    one_line(code, err, f"{path.name} holds" if kind == "huge" else path.name)  # unread


def test_plot_draws_dollars_and_huge_values(tmp_path, capsys, plotting):
    path = tmp_path / "run $x^$.csv"  # mathtext would parse '$…$' in a name or column
    path.write_text("epoch,train_loss,$\\alpha$_loss,test_error_rate\n"
                    "1,0.5,1e308,0.1\n2,1.7e308,-1.7e308,inf\n3,0.3,nan,0.05\n")
    out = tmp_path / "$y$.png"
    code, _, err = run_cli(capsys, "plot", str(path), "-o", str(out))
    assert code == 0 and err == "" and out.read_bytes()[:4] == b"\x89PNG"


def test_plot_draws_a_cnn_checkpoint_and_weights_near_the_float_limit(tmp_path, capsys,
                                                                       plotting):
    save_checkpoint(tmp_path / "cnn", vectorized.Network(["2x6x6", "conv3x3", 2], seed=0), 1)
    net = vectorized.Network([784, 2, 2], seed=0)
    (W, b), second = net.parameters()
    W[0, :2] = 1.7e308, -1.7e308  # finite, but vmax − vmin of the colour scale overflowed
    net.set_parameters([(W, b), second])
    save_checkpoint(tmp_path / "huge", net, 1)
    for name in ("cnn", "huge"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            code, _, err = run_cli(capsys, "plot", str(tmp_path / name), "-o",
                                   str(tmp_path / f"{name}.svg"))
        assert code == 0 and err == "" and (tmp_path / f"{name}.svg").stat().st_size > 0


@pytest.mark.parametrize("layers,impl", [("100000,100000", "neurons"),
                                         ("100000,100000", "vectorized"),
                                         ("1x1000x1000,conv20x5,10", "neurons")])
def test_draw_checks_the_size_before_building(tmp_path, capsys, monkeypatch, layers, impl):
    def build(*args, **kwargs):
        raise AssertionError("built")

    monkeypatch.setattr(neurons, "Network", build)
    monkeypatch.setattr(vectorized, "Network", build)
    out = tmp_path / ("d.html" if "x" in layers else "d.svg")
    code, _, err = run_cli(capsys, "draw", "--layers", layers, "--impl", impl, "-o", str(out))
    one_line(code, err, "connections; a drawing builds at most 300,000")


def full_disk_for_outputs(real_fsync):
    """os.fsync failing for atomic_write's temporary files only (the writability probe, an
    anonymous file, passes: the disk fills while the image is written)."""
    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)
    return fsync


@pytest.mark.parametrize("argv,name", [
    (["draw", "-o"], "d.svg"), (["draw", "--layers", "1x6x6,conv2x3,pool2,3", "-o"], "d.html"),
    (["plot", "spiral", "--epochs", "1", "-o"], "p.png"), (["explain", "--html"], "e.html"),
    (["explain", "--example", "cnn", "--html"], "c.html")])
def test_a_full_disk_is_one_line_and_keeps_the_old_file(tmp_path, capsys, monkeypatch, argv,
                                                        name):
    if argv[0] == "plot":
        pytest.importorskip("matplotlib")
    out = tmp_path / name
    out.write_text("the old picture")
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to tell the temporary file from the probe")
    monkeypatch.setattr(files.os, "fsync", full_disk_for_outputs(files.os.fsync))
    code, _, err = run_cli(capsys, *argv, str(out))
    one_line(code, err, "No space left on device")
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary left
    assert out.read_text() == "the old picture"


def test_explain_html_empty_is_a_usage_error(capsys):
    code, out, err = run_cli(capsys, "explain", "--html", "")
    one_line(code, err, "--html must not be empty")
    assert out == ""  # not the text walkthrough instead


def test_sizes_given_as_numpy_arrays_still_build():
    for engine in ENGINES:
        assert engine.Network(np.array([3, 2])).layer_sizes == (3, 2)
