"""CNNs through training/: the Trainer and checkpoints (resume bitwise, dropout masks
included, in all three engines), the command line (`train` with a CNN spec, `--impl neurons`
and `both`, `gradcheck`), and MNIST reaching a CNN as 1x28x28."""

import json
from pathlib import Path

import numpy as np
import pytest
from test_checkpoint_resume import assert_same_run  # tests/ is on sys.path

import neurons
import vectorized
import vectorized.fast
from neurons_lab.cli import main
from neurons_lab.training import runfolder as resuming
from neurons_lab.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from neurons_lab.training.trainer import Trainer, TrainSettings

SPEC = ["1x4x4", "conv2x3p1", "pool2", 5, "drop0.5", 3]
MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def data(seed, n):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 16), dtype=np.uint8), rng.integers(0, 3, size=n)


def run(directory, *, engine=vectorized, resume=None, seed=1, epochs=6):
    (tx, tc), (ex, ec) = data(0, 30), data(1, 12)
    net = engine.Network(SPEC, activation=["relu", "tanh"], output="softmax",
                         loss="cross_entropy", seed=seed)
    settings = TrainSettings(rate=0.3, epochs=epochs, batch_size=3, seed=11,
                             checkpoint_dir=directory, checkpoint_every=2, progress=False)
    trainer = Trainer(net, tx, tc, transform=lambda b: b / 255.0, validation_features=ex,
                      validation_classes=ec, settings=settings)
    return net, trainer.fit(resume=resume)


@pytest.mark.parametrize("engine", [vectorized, vectorized.fast, neurons],
                         ids=["textbook", "fast", "neurons"])
def test_cnn_resume_is_bitwise_the_uninterrupted_run(tmp_path, engine):
    net_a, result_a = run(tmp_path / "a", engine=engine)
    net_b, result_b = run(tmp_path / "b", engine=engine, seed=99,
                          resume=tmp_path / "a" / "epoch-0002.json")
    assert_same_run(net_a, result_a, net_b, result_b)
    saved = load_checkpoint(tmp_path / "a")
    assert [W.shape for W, _ in saved.parameters] == [(2, 1, 3, 3), (5, 8), (3, 5)]
    state = saved.trainer["dropout_rng_state"]
    if engine is neurons:  # random.Random's state: version, 625 ints, gauss
        assert state[0] == 3 and len(state[1]) == 625
    else:
        assert state["bit_generator"] == "PCG64"


@pytest.mark.parametrize("engine", [vectorized, neurons], ids=["textbook", "neurons"])
def test_the_resume_check_catches_forgotten_dropout_masks(tmp_path, monkeypatch, engine):
    net_a, result_a = run(tmp_path / "a", engine=engine)
    monkeypatch.setattr(resuming, "dropout_generator", lambda net: None)  # state not kept
    net_b, result_b = run(tmp_path / "b", engine=engine, seed=99,
                          resume=tmp_path / "a" / "epoch-0002.json")
    with pytest.raises(AssertionError):
        assert_same_run(net_a, result_a, net_b, result_b)


def test_cnn_checkpoint_round_trip_and_refusals(tmp_path):
    net = vectorized.Network(SPEC, seed=3)
    save_checkpoint(tmp_path, net, 1)
    for (W, b), (W0, b0) in zip(load_checkpoint(tmp_path).parameters, net.parameters()):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    meta = json.loads((tmp_path / "latest.json").read_text())
    meta["config"]["layer_sizes"] = ["1x4x4", "conv3x3p1", "pool2", 5, 3]
    (tmp_path / "latest.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match=r"W1 has shape \(2, 1, 3, 3\), expected \(3"):
        load_checkpoint(tmp_path)


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_trains_a_cnn_resumes_it_in_every_engine(tmp_path, capsys):
    common = ["train", "--dataset", "bits", "--layers", "1x2x4,conv3x2,pool1,6,drop0.25,8",
              "--rate", "0.5", "--batch-size", "2", "--no-progress"]
    code, out, _ = cli(capsys, *common, "--epochs", "4", "--checkpoint-dir", str(tmp_path / "a"))
    assert code == 0 and "conv3x2" in out and "test accuracy" in out
    assert cli(capsys, *common, "--epochs", "2", "--checkpoint-dir", str(tmp_path / "b"))[0] == 0
    assert cli(capsys, *common, "--epochs", "4", "--checkpoint-dir", str(tmp_path / "b"),
               "--resume")[0] == 0
    a, b = load_checkpoint(tmp_path / "a"), load_checkpoint(tmp_path / "b")
    for (W, bias), (W0, b0) in zip(a.parameters, b.parameters):
        assert np.array_equal(W, W0) and np.array_equal(bias, b0)
    code, out, _ = cli(capsys, *common, "--epochs", "2", "--impl", "neurons")
    assert code == 0 and "conv3x2" in out and "test accuracy" in out
    # both: the same numbers without dropout; with it, different masks by design (one note)
    code, out, _ = cli(capsys, *common[:4], "1x2x4,conv3x2,pool1,6,drop0,8", *common[5:],
                       "--epochs", "2", "--impl", "both")
    assert code == 0 and "identical predicted classes on" in out and "by design" not in out
    difference = float(out.split("largest parameter difference ")[1].split()[0])
    assert difference < 1e-9
    code, out, _ = cli(capsys, *common, "--epochs", "1", "--impl", "both")
    assert code == 0 and "with dropout they differ by design" in out
    code, _, err = cli(capsys, "train", "--dataset", "bits", "--layers", "1x2x4,conv3x3,8")
    assert code == 1 and "layer_sizes[1] = 'conv3x3': a 3x3 kernel does not fit" in err


def test_cli_gradcheck_of_a_cnn(capsys):
    code, out, _ = cli(capsys, "gradcheck", "--impl", "vectorized", "--layers",
                       "2x5x5,conv2x3s2p1,pool1,3,2", "--activation", "tanh", "--l2", "0.1")
    assert code == 0 and "agree" in out and "layer 3: worst" in out


@pytest.mark.skipif(not MNIST.is_dir(), reason="no MNIST in ../shared/data/mnist")
def test_mnist_reaches_a_cnn_as_1x28x28(capsys):
    code, out, _ = cli(capsys, "train", "--impl", "fast", "--dtype", "float32", "--data-dir",
                       str(MNIST), "--layers", "1x28x28,conv2x5,pool4,10", "--train-limit",
                       "40", "--test-limit", "40", "--epochs", "1", "--batch-size", "10",
                       "--no-progress")
    assert code == 0 and "1x28x28" in out and "test accuracy" in out


@pytest.mark.parametrize("spec", [["1x6x6", "conv2x3", "pool2", 4, "drop0.5", 3],
                                  ["2x5x5", "conv3x3p1", 2]])
def test_neurons_memory_estimate_counts_its_connections(spec):
    """The memory check of --impl neurons counts Connections (the objects that cost memory),
    not the few shared weights: exact without padding, an upper bound with it."""
    from neurons_lab.training.networks import connection_count, parameter_count

    net = neurons.Network(spec, seed=0)
    built = sum(len(node.upstream) for layer in net.layers[1:] for node in layer.nodes)
    assert connection_count(spec) >= built and connection_count(spec) > parameter_count(spec)
    if "p1" not in spec[1]:
        assert connection_count(spec) == built
