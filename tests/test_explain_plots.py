"""Pictures of training: files written and non-empty; the numbers behind them read right.

matplotlib is the optional `plot` extra (and in the dev extra): locally the picture tests skip
without it, in CI (CI=true) they fail instead.
"""

import csv
import importlib.util
import json
import os

import numpy as np
import pytest

import vectorized
from neurons_lab.explain.plots import dead_share, history_series, read_history

HAVE_MPL = importlib.util.find_spec("matplotlib") is not None
if not HAVE_MPL and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError("matplotlib must be installed in CI (it is in the dev extra)")
needs_mpl = pytest.mark.skipif(not HAVE_MPL, reason="matplotlib is not installed")
PNG = b"\x89PNG\r\n\x1a\n"


def write_csv(path, header, rows):
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_history_columns_are_read_by_name(tmp_path):
    path = write_csv(tmp_path / "h.csv",
                     ["epoch", "train_loss", "validation_loss", "validation_error_rate",
                      "test_error_rate", "seconds"],
                     [[1, 0.5, 0.6, 0.2, "", 1.0], [2, 0.4, 0.5, 0.1, 0.12, 2.0]])
    x, _, losses, errors = history_series(read_history(path))
    assert x == [1.0, 2.0]
    assert [n for n, _ in losses] == ["train_loss", "validation_loss"]
    assert [n for n, _ in errors] == ["validation_error_rate", "test_error_rate"]
    assert np.isnan(dict(errors)["test_error_rate"][0])


def test_a_history_without_curves_is_refused(tmp_path):
    path = write_csv(tmp_path / "h.csv", ["epoch", "seconds"], [[1, 2.0]])
    with pytest.raises(ValueError, match="no loss or error column"):
        history_series(read_history(path))
    with pytest.raises(ValueError, match="must end in .csv or .json"):
        read_history(tmp_path / "h.txt")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="bad.json is not a JSON file"):
        read_history(tmp_path / "bad.json")


def test_dead_share_counts_units_that_never_fire():
    net = vectorized.Network([2, 4, 3], activation="relu", output="softmax",
                             loss="cross_entropy", seed=0)
    (W1, b1), second = net.parameters()
    W1[1] = [0.0, 0.0]
    b1[1] = -1.0   # unit 1 outputs 0 for every input
    W1[3] = [1.0, 0.0]
    b1[3] = -5.0   # unit 3 fires only for x0 > 5: never on these points
    net.set_parameters([(W1, b1), second])
    points = np.random.default_rng(0).uniform(-1, 1, size=(50, 2))
    assert dead_share(net, points) == [0.5]
    W1[3] = [1.0, 0.0]
    b1[3] = 0.0
    net.set_parameters([(W1, b1), second])
    assert dead_share(net, points) == [0.25]


@needs_mpl
def test_training_history_curves(tmp_path):
    from neurons_lab.explain.plots import plot_history
    from neurons_lab.training.trainer import EpochRecord, History

    history = History(EpochRecord(e, 1.0 / e, 1.2 / e, 0.3 / e, float(e)) for e in range(1, 6))
    for name in ("h.csv", "h.json"):
        path = history.save(tmp_path / name)
        out = plot_history(path, tmp_path / f"{name}.png")
        assert out.read_bytes()[:8] == PNG and out.stat().st_size > 5_000


@needs_mpl
def test_first_layer_weights_as_images(tmp_path):
    from neurons_lab.explain.plots import plot_first_layer
    from neurons_lab.training.checkpoint import save_checkpoint

    net = vectorized.Network([784, 9, 10], seed=0)
    save_checkpoint(tmp_path / "ckpt", net, 1)
    out = plot_first_layer(tmp_path / "ckpt", tmp_path / "w.png")
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 5_000
    small = vectorized.Network([5, 3, 2], seed=0)
    save_checkpoint(tmp_path / "small", small, 1)
    with pytest.raises(ValueError, match="not a square image"):
        plot_first_layer(tmp_path / "small", tmp_path / "s.png")


@needs_mpl
def test_spiral_regions_and_dying_relu(tmp_path):
    from neurons_lab.explain.plots import plot_spiral

    for activation in ("relu", "tanh"):
        out = plot_spiral(tmp_path / f"{activation}.png", activation, hidden=8, epochs=3)
        assert out.read_bytes()[:8] == PNG and out.stat().st_size > 5_000


def test_plot_command_without_matplotlib(monkeypatch, capsys, tmp_path):
    from neurons_lab.cli import main
    from neurons_lab.explain import plots

    def missing():
        raise plots.MatplotlibMissing("pictures need matplotlib: pip install 'neurons-lab[plot]'")

    monkeypatch.setattr(plots, "pyplot", missing)
    path = write_csv(tmp_path / "h.csv", ["epoch", "train_loss"], [[1, 0.5]])
    assert main(["plot", str(path), "-o", str(tmp_path / "c.png")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'neurons-lab[plot]'" in err
    assert not (tmp_path / "c.png").exists()


def test_json_history_with_a_wrapper(tmp_path):
    (tmp_path / "h.json").write_text(json.dumps(
        {"history": [{"epoch": 1, "train_loss": 0.5}, {"epoch": 2, "train_loss": None}]}))
    columns = read_history(tmp_path / "h.json")
    assert columns["train_loss"][0] == 0.5 and np.isnan(columns["train_loss"][1])


@needs_mpl
def test_cnn_checkpoint_shows_the_first_conv_filters(tmp_path, capsys):
    from neurons_lab.cli import main
    from neurons_lab.explain import plots
    from neurons_lab.training.checkpoint import save_checkpoint

    assert plots.WEIGHT_CMAP == "RdBu"  # red for negative, blue for positive, as the drawings
    net = vectorized.Network(["1x8x8", "conv3x5", "pool2", 10], seed=0)
    save_checkpoint(tmp_path / "cnn", net, 1)
    code = main(["plot", str(tmp_path / "cnn"), "-o", str(tmp_path / "f.png")])
    assert code == 0 and (tmp_path / "f.png").read_bytes()[:8] == PNG
    assert capsys.readouterr().err == ""
