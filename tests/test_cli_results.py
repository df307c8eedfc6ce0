"""`neurons knn`, `evaluate`, `vote` and `train --augment shift` on tiny idx data sets written
by the tests, checked against the library functions computed independently; user errors
are one line."""

import gzip
import json
import re

import numpy as np
import pytest

from neurons_lab.cli import main
from neurons_lab.commands.evaluate import ordinal
from neurons_lab.training.checkpoint import load_checkpoint, save_checkpoint
from neurons_lab.training.data import Preprocessor, fingerprint, shift_augment
from neurons_lab.training.knn import knn_predict
from neurons_lab.training.saved import load_saved
from neurons_lab.training.scoring import vote, vote_anatomy
from vectorized import Network

SIDE = 6
N_TRAIN, N_TEST = 60, 20


def write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def write_set(folder, side=SIDE, seed=0):
    """Digits as noisy class prototypes (learnable), in the four-file idx layout."""
    rng = np.random.default_rng(seed)
    prototypes = rng.integers(0, 256, (10, side, side))
    data = {}
    for name, n in (("train", N_TRAIN), ("t10k", N_TEST)):
        labels = rng.integers(0, 10, n)
        noise = rng.integers(-90, 91, (n, side, side))
        images = np.clip(prototypes[labels] + noise, 0, 255).astype(np.uint8)
        write_idx(folder / f"{name}-images-idx3-ubyte.gz", images, 2051)
        write_idx(folder / f"{name}-labels-idx1-ubyte.gz", labels, 2049)
        data[name] = images.reshape(n, side * side), labels.astype(np.int64)
    return data


@pytest.fixture
def tiny(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    return folder, write_set(folder)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def percent(text, prefix):
    return float(re.search(re.escape(prefix) + r" ([0-9.]+) %", text).group(1))


def train(capsys, folder, out, *extra):
    code, text, err = run(capsys, "train", "--data-dir", folder, "--layers", f"{SIDE**2},8,10",
                          "--epochs", "2", "--batch-size", "4", "--checkpoint-dir", out,
                          "--no-progress", *extra)
    assert code == 0, err
    return text


@pytest.mark.parametrize("command", ["knn", "evaluate", "vote"])
def test_new_subcommands_have_help(capsys, command):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: neurons " + command in capsys.readouterr().out


@pytest.mark.parametrize("distance", ["l1", "l2"])
@pytest.mark.parametrize("k", [1, 3])
def test_knn_reports_the_accuracy_of_knn_predict(tiny, capsys, distance, k):
    folder, data = tiny
    code, out, _ = run(capsys, "knn", "--data-dir", folder, "--k", k, "--distance", distance,
                       "--memory-mb", "0.01")
    assert code == 0
    predicted = knn_predict(*data["train"], data["t10k"][0], k=k, distance=distance)
    errors = int(np.count_nonzero(predicted != data["t10k"][1]))
    assert f"{k}-NN test accuracy {100 * (1 - errors / N_TEST):.2f} % ({errors} errors" in out


def test_knn_worked_case_every_test_image_next_to_its_class(tmp_path, capsys):
    # training images: digit d is all pixels = 20·d; test images are one unit off → all right
    train = np.repeat(np.arange(10) * 20, 36).reshape(10, 6, 6)
    test = train + 1
    for name, images in (("train", train), ("t10k", test)):
        write_idx(tmp_path / f"{name}-images-idx3-ubyte.gz", images, 2051)
        write_idx(tmp_path / f"{name}-labels-idx1-ubyte.gz", np.arange(10), 2049)
    code, out, _ = run(capsys, "knn", "--data-dir", tmp_path, "--k", "1")
    assert code == 0 and "1-NN test accuracy 100.00 % (0 errors of 10)" in out
    # test labels shifted by one: every answer is now wrong, and the command says so
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", (np.arange(10) + 1) % 10, 2049)
    code, out, _ = run(capsys, "knn", "--data-dir", tmp_path, "--k", "1")
    assert "1-NN test accuracy 0.00 % (10 errors of 10)" in out


def test_knn_auto_chooses_k_on_the_validation_split(tiny, capsys):
    folder, data = tiny
    code, out, _ = run(capsys, "knn", "--data-dir", folder, "--k", "auto", "--validation", "15")
    assert code == 0
    x, c = data["train"]
    errors = {k: np.count_nonzero(knn_predict(x[:45], c[:45], x[45:], k=k) != c[45:])
              for k in range(1, 11)}
    best = min(errors, key=lambda k: (errors[k], k))
    assert f"chose k={best} (validation error {100 * errors[best] / 15:.2f} %)" in out
    predicted = knn_predict(x, c, data["t10k"][0], k=best)
    assert percent(out, f"{best}-NN test accuracy") == pytest.approx(
        100 * np.mean(predicted == data["t10k"][1]), abs=0.005)


def test_knn_auto_on_a_tiny_set_says_what_the_user_did(tiny, capsys):
    folder, _ = tiny
    code, _, err = run(capsys, "knn", "--data-dir", folder, "--k", "auto", "--train-limit", "5")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "training set (5 images) is too small to hold out a validation part" in err
    assert "--k N" in err and "--validation" not in err  # an option the user never gave
    code, _, err = run(capsys, "knn", "--data-dir", folder, "--k", "auto", "--validation", "59")
    assert code == 1 and "--validation 59: the training set has 60 images" in err


def test_train_augment_shift_makes_five_times_the_training_part_only(tiny, tmp_path, capsys):
    folder, data = tiny
    text = train(capsys, folder, tmp_path / "run", "--validation", "10", "--augment", "shift",
                 "--center")
    assert "250 training (with their 1-pixel shifts), 10 validation and 20 test" in text
    saved = load_checkpoint(tmp_path / "run").trainer
    assert saved["recipe"]["augment"] == "shift"
    x, c = data["train"]
    shifted, labels = shift_augment(x[:50], c[:50], image_shape=(SIDE, SIDE))
    assert saved["data"] == {"n_train": 250, "n_validation": 10,
                             "sha256": fingerprint(shifted, labels, x[50:], c[50:])}
    assert "--augment" in run_help(capsys, "train")


def run_help(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    return capsys.readouterr().out


def expected_outputs(run_folder, data, center):
    """What the saved network computes on the test set, rebuilt here independently."""
    checkpoint = load_checkpoint(run_folder)
    net = Network(**checkpoint.config)
    net.set_parameters(checkpoint.parameters)
    n_train = checkpoint.trainer["data"]["n_train"]
    if checkpoint.trainer["recipe"].get("augment") == "shift":
        n_train //= 5  # the mean is that of the original training images
    prep = Preprocessor.fit(data["train"][0][:n_train], center=center)
    return net.predict(prep(data["t10k"][0]))


def test_evaluate_uses_the_runs_centring_and_prints_the_confusion_matrix(tiny, tmp_path,
                                                                         capsys):
    folder, data = tiny
    train(capsys, folder, tmp_path / "run", "--validation", "12", "--center")
    code, out, _ = run(capsys, "evaluate", tmp_path / "run", "--data-dir", folder)
    assert code == 0
    y = expected_outputs(tmp_path / "run", data, center=True)
    predicted = y.argmax(axis=1)
    truth = data["t10k"][1]
    assert percent(out, "test accuracy") == pytest.approx(100 * np.mean(predicted == truth),
                                                          abs=0.005)
    confusion = np.bincount(10 * truth + predicted, minlength=100).reshape(10, 10)
    rows = out.split("columns: predicted digit):\n")[1].splitlines()[1:11]
    assert [[int(v) for v in row.split()[1:]] for row in rows] == confusion.tolist()
    # without the centring the network sees other inputs: the outputs differ
    assert not np.allclose(y, expected_outputs(tmp_path / "run", data, center=False))


def test_vote_of_two_networks_is_scoring_vote(tiny, tmp_path, capsys):
    folder, data = tiny
    train(capsys, folder, tmp_path / "a", "--validation", "12", "--center", "--seed", "1")
    train(capsys, folder, tmp_path / "b", "--validation", "12", "--seed", "2",
          "--output", "softmax", "--loss", "cross_entropy")
    train(capsys, folder, tmp_path / "c", "--validation", "12", "--seed", "3")
    code, out, _ = run(capsys, "vote", tmp_path / "a", tmp_path / "b", tmp_path / "c",
                       "--data-dir", folder)
    assert code == 0
    outputs = [expected_outputs(tmp_path / "a", data, True),
               expected_outputs(tmp_path / "b", data, False),
               expected_outputs(tmp_path / "c", data, False)]
    truth = data["t10k"][1]
    assert percent(out, "majority vote of 3 networks: test accuracy") == pytest.approx(
        100 * np.mean(vote(outputs) == truth), abs=0.005)
    alone = [float(v) for v in re.findall(r"alone: test accuracy ([0-9.]+) %", out)]
    assert alone == pytest.approx([100 * np.mean(y.argmax(1) == truth) for y in outputs],
                                  abs=0.005)
    parts = vote_anatomy(outputs, vote(outputs), truth)
    assert (f"disagree on {parts.disagree} images; all of them are wrong on {parts.all_wrong} "
            in out)
    assert (f"(the {ordinal(parts.best + 1)}, {parts.best_errors} errors): the vote is right on "
            f"{parts.fixed} of its errors and wrong on {parts.broken} images" in out)


def test_evaluate_draws_the_most_confident_mistakes(tiny, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    folder, _ = tiny
    train(capsys, folder, tmp_path / "run", "--validation", "12")
    out = tmp_path / "mistakes.png"
    code, text, _ = run(capsys, "evaluate", tmp_path / "run", "--data-dir", folder,
                        "--mistakes", out, "--count", "4")
    assert code == 0 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "most confident mistakes drawn in" in text


@pytest.mark.parametrize("argv, words", [
    (["knn", "--data-dir", "{tmp}/nowhere"], "nowhere does not exist"),
    (["knn", "--data-dir", "{data}", "--k", "0"], "--k must be at least 1"),
    (["knn", "--data-dir", "{data}", "--k", "many"], "'many'"),
    (["knn", "--data-dir", "{data}", "--k", "61"], "more neighbours than training images"),
    (["knn", "--data-dir", "{data}", "--memory-mb", "-1"], "--memory-mb"),
    (["evaluate", "{tmp}/nothing", "--data-dir", "{data}"], "nothing: no such file"),
    (["evaluate", "{run}", "--data-dir", "{tmp}/nowhere"], "nowhere does not exist"),
    (["evaluate", "{run}", "--data-dir", "{small}"], "takes 36 inputs"),
    (["evaluate", "{run}", "--data-dir", "{data}", "--mistakes", "{tmp}/x.txt"], ".png"),
    (["evaluate", "{run}", "--data-dir", "{data}", "--test-limit", "0"], "--test-limit"),
    (["evaluate", "{bad}", "--data-dir", "{data}"], "not a JSON file"),
    (["vote", "{run}", "--data-dir", "{data}"], "at least two checkpoints"),
    (["vote", "{run}", "{run5}", "--data-dir", "{data}"], "5 outputs"),
    (["train", "--dataset", "bits", "--layers", "8,3,8", "--augment", "shift"], "square"),
])
def test_user_errors_are_one_line(tiny, tmp_path, capsys, argv, words):
    folder, _ = tiny
    small = tmp_path / "small"
    small.mkdir()
    write_set(small, side=5)
    train(capsys, folder, tmp_path / "run", "--validation", "12")
    run5 = tmp_path / "run5"
    save_checkpoint(run5, Network([36, 4, 5], seed=0), 0)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "latest.json").write_text("{not json")
    places = {"tmp": tmp_path, "data": folder, "run": tmp_path / "run", "small": small,
              "bad": bad, "run5": run5}
    code, out, err = run(capsys, *[a.format(**places) for a in argv])
    assert code == 1, (out, err)
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_history_json_of_augmented_run_counts_epochs(tiny, tmp_path, capsys):
    folder, _ = tiny
    history = tmp_path / "h.json"
    train(capsys, folder, tmp_path / "run", "--validation", "10", "--augment", "shift",
          "--history", history)
    assert [row["epoch"] for row in json.loads(history.read_text())] == [1, 2]


@pytest.mark.parametrize("extra, n_fit", [([], 48), (["--augment", "shift"], 48)])
def test_saved_network_centres_on_its_runs_training_images(tiny, tmp_path, capsys, extra,
                                                           n_fit):
    folder, data = tiny
    train(capsys, folder, tmp_path / "run", "--validation", "12", "--center", *extra)
    saved = load_saved(tmp_path / "run", train_images=data["train"][0], n_inputs=36)
    x = data["train"][0]
    np.testing.assert_array_equal(saved.transform.mean, x[:n_fit].mean(axis=0) / 255)
    assert not np.allclose(saved.transform.mean, x.mean(axis=0) / 255)  # not all 60
    y = saved.net.predict(saved.transform(data["t10k"][0]))
    np.testing.assert_allclose(y, expected_outputs(tmp_path / "run", data, center=True))
    # the mean is the checkpoint's: no training images needed (tests/test_saved_centring.py)
    alone = load_saved(tmp_path / "run", n_inputs=36)
    np.testing.assert_array_equal(alone.transform.mean, saved.transform.mean)


def test_saved_network_without_centring_only_scales(tiny, tmp_path, capsys):
    folder, data = tiny
    train(capsys, folder, tmp_path / "run", "--validation", "12")
    saved = load_saved(tmp_path / "run", train_images=data["train"][0], n_inputs=36)
    assert saved.transform.mean is None
    np.testing.assert_array_equal(saved.transform(data["t10k"][0][:2]),
                                  data["t10k"][0][:2] / 255)


def test_a_small_cnn_trains_on_shifts_and_is_evaluated_and_voted(tiny, tmp_path, capsys):
    folder, data = tiny
    cnn = ["--layers", f"1x{SIDE}x{SIDE},conv2x3,pool2,10", "--activation", "relu",
           "--output", "softmax", "--loss", "cross_entropy"]
    text = train(capsys, folder, tmp_path / "cnn", "--validation", "10", "--augment", "shift",
                 "--center", *cnn)
    assert "250 training (with their 1-pixel shifts), 10 validation" in text
    tested = percent(text, "test accuracy")
    code, out, _ = run(capsys, "evaluate", tmp_path / "cnn", "--data-dir", folder)
    assert code == 0 and percent(out, "test accuracy") == tested
    y = expected_outputs(tmp_path / "cnn", data, center=True)
    assert percent(out, "test accuracy") == pytest.approx(
        100 * np.mean(y.argmax(1) == data["t10k"][1]), abs=0.005)
    train(capsys, folder, tmp_path / "fc", "--validation", "10")
    code, out, _ = run(capsys, "vote", tmp_path / "cnn", tmp_path / "fc", "--data-dir", folder)
    assert code == 0 and "majority vote of 2 networks" in out


def test_ordinal_names_a_members_place():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd", "111th"]
