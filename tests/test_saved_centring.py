"""`neurons evaluate` / `vote` score a `--center` run with the mean image it trained with:
recorded in the checkpoint, so the data given to score on does not change it. A checkpoint
from before the mean was recorded is refitted only on the run's own training data (checked
by the sha256 in the checkpoint), and refused on other data. Tiny idx sets written here."""

import json

import numpy as np
import pytest

from neurons_lab.training.checkpoint import load_checkpoint
from neurons_lab.training.errors import CheckpointError
from neurons_lab.training.saved import load_saved
from tests.test_cli_results import SIDE, percent, run, train, write_idx, write_set
from vectorized import Network


@pytest.fixture
def two_sets(tmp_path):
    """Data set A (the runs train on it) and data set B: other images, labels and test set."""
    sets = {}
    for name, seed in (("a", 0), ("b", 1)):
        folder = tmp_path / name
        folder.mkdir()
        sets[name] = folder, write_set(folder, seed=seed)
    return sets


def forget_the_mean(run_folder):
    """Make the run's checkpoints look like those written before the mean was recorded."""
    for path in run_folder.glob("*.json"):
        meta = json.loads(path.read_text())
        meta["trainer"].pop("preprocessing", None)
        path.write_text(json.dumps(meta))


def outputs_with_mean(run_folder, test_images, mean):
    checkpoint = load_checkpoint(run_folder)
    net = Network(**checkpoint.config)
    net.set_parameters(checkpoint.parameters)
    x = test_images / 255.0
    return net.predict(x if mean is None else x - mean)


def accuracy(y, truth):
    return 100 * np.mean(y.argmax(axis=1) == truth)


@pytest.mark.parametrize("extra", [[], ["--augment", "shift"]])
def test_the_checkpoint_records_the_mean_and_scoring_uses_it_on_any_data(two_sets, tmp_path,
                                                                         capsys, extra):
    (a, data_a), (b, data_b) = two_sets["a"], two_sets["b"]
    train(capsys, a, tmp_path / "run", "--validation", "12", "--center", *extra)
    mean = data_a["train"][0][:48].mean(axis=0) / 255  # the 48 training images of A
    saved = load_saved(tmp_path / "run", train_images=data_b["train"][0], n_inputs=SIDE ** 2)
    np.testing.assert_array_equal(saved.transform.mean, mean)
    recorded = load_checkpoint(tmp_path / "run").trainer["preprocessing"]["mean"]
    np.testing.assert_array_equal(recorded, mean)  # exact: JSON keeps every float64 digit
    # scored on B's test set, centred on A's mean (not B's)
    code, out, err = run(capsys, "evaluate", tmp_path / "run", "--data-dir", b)
    assert code == 0, err
    test_x, truth = data_b["t10k"]
    y = outputs_with_mean(tmp_path / "run", test_x, mean)
    assert percent(out, "test accuracy") == pytest.approx(accuracy(y, truth), abs=0.005)
    code, out, err = run(capsys, "vote", tmp_path / "run", tmp_path / "run", "--data-dir", b)
    assert code == 0, err
    assert percent(out, "alone: test accuracy") == pytest.approx(accuracy(y, truth), abs=0.005)


def test_uncentred_runs_score_on_any_data(two_sets, tmp_path, capsys):
    (a, _), (b, data_b) = two_sets["a"], two_sets["b"]
    train(capsys, a, tmp_path / "run", "--validation", "12")
    few = tmp_path / "few"  # 3 training images only: an uncentred run needs none of them
    few.mkdir()
    write_idx(few / "train-images-idx3-ubyte.gz", data_b["train"][0][:3].reshape(3, SIDE, SIDE),
              2051)
    write_idx(few / "train-labels-idx1-ubyte.gz", data_b["train"][1][:3], 2049)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (few / name).write_bytes((b / name).read_bytes())
    test_x, truth = data_b["t10k"]
    expected = accuracy(outputs_with_mean(tmp_path / "run", test_x, None), truth)
    for folder in (b, few):
        code, out, err = run(capsys, "evaluate", tmp_path / "run", "--data-dir", folder)
        assert code == 0, err
        assert percent(out, "test accuracy") == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize("extra", [[], ["--augment", "shift"]])
def test_an_older_centred_checkpoint_is_refitted_on_its_own_data_only(two_sets, tmp_path,
                                                                      capsys, extra):
    (a, data_a), (b, data_b) = two_sets["a"], two_sets["b"]
    train(capsys, a, tmp_path / "run", "--validation", "12", "--center", *extra)
    forget_the_mean(tmp_path / "run")
    # other data: refused, for evaluate and vote alike, naming what the run trained on
    for argv in (["evaluate", tmp_path / "run"], ["vote", tmp_path / "run", tmp_path / "run"]):
        code, out, err = run(capsys, *argv, "--data-dir", b)
        assert code == 1, out
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert "first 48 training images" in err and "12 more validating" in err
        assert f"--data-dir {b} are other data" in err and "predates" in err
    x, c = data_a["train"]
    saved = load_saved(tmp_path / "run", train_images=x, train_labels=c, n_inputs=SIDE ** 2)
    np.testing.assert_array_equal(saved.transform.mean, x[:48].mean(axis=0) / 255)
    # more training images after the run's 60 (a larger set that begins with it): accepted
    longer = np.concatenate([x, data_b["train"][0]])
    saved = load_saved(tmp_path / "run", train_images=longer,
                       train_labels=np.concatenate([c, data_b["train"][1]]), n_inputs=36)
    np.testing.assert_array_equal(saved.transform.mean, x[:48].mean(axis=0) / 255)
    # the same images with one label changed are other data too (the sha256 covers both)
    relabelled = c.copy()
    relabelled[50] = (relabelled[50] + 1) % 10
    with pytest.raises(CheckpointError, match="other data"):
        load_saved(tmp_path / "run", train_images=x, train_labels=relabelled, n_inputs=36)
    with pytest.raises(CheckpointError, match="first 48 training images.* has 40"):
        load_saved(tmp_path / "run", train_images=x[:40], train_labels=c[:40], n_inputs=36)
    # on its own data it scores as before
    code, out, err = run(capsys, "evaluate", tmp_path / "run", "--data-dir", a)
    assert code == 0, err
    y = outputs_with_mean(tmp_path / "run", data_a["t10k"][0], x[:48].mean(axis=0) / 255)
    assert percent(out, "test accuracy") == pytest.approx(accuracy(y, data_a["t10k"][1]),
                                                          abs=0.005)


@pytest.mark.parametrize("mean", [[0.5] * 35, ["x"] * 36, [float("nan")] * 36, "0.5",
                                  [[0.5]] * 36, [1.5] * 36])
def test_a_bad_recorded_mean_is_refused(two_sets, tmp_path, capsys, mean):
    a, data_a = two_sets["a"]
    train(capsys, a, tmp_path / "run", "--validation", "12", "--center")
    path = tmp_path / "run" / "latest.json"
    meta = json.loads(path.read_text())
    meta["trainer"]["preprocessing"]["mean"] = mean
    path.write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="preprocessing.mean must list 36"):
        load_saved(tmp_path / "run", train_images=data_a["train"][0], n_inputs=36)


def test_an_older_checkpoint_resumes_and_then_records_its_mean(two_sets, tmp_path, capsys):
    a, data_a = two_sets["a"]
    train(capsys, a, tmp_path / "run", "--validation", "12", "--center")
    forget_the_mean(tmp_path / "run")
    train(capsys, a, tmp_path / "run", "--validation", "12", "--center", "--resume",
          "--epochs", "3")
    checkpoint = load_checkpoint(tmp_path / "run")
    assert checkpoint.epoch == 3
    np.testing.assert_array_equal(checkpoint.trainer["preprocessing"]["mean"],
                                  data_a["train"][0][:48].mean(axis=0) / 255)
