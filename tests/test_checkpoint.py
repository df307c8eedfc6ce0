"""neurons_lab.training.checkpoint: layout, atomic writes, and every refusal (CheckpointError)."""

import hashlib
import io
import json
import os
import stat

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.training import checkpoint as ckpt
from neurons_lab.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from tests.helpers import params_equal


def make_net(seed=1, **kwargs):
    return neurons.Network([4, 5, 3], seed=seed, **kwargs)


def saved_pair(tmp_path, epochs=(2,)):
    """Checkpoints of three different networks at the given epochs; returns {epoch: params}."""
    saved = {}
    for epoch in epochs:
        net = make_net(seed=epoch)
        save_checkpoint(tmp_path, net, epoch, trainer={"note": epoch})
        saved[epoch] = net.parameters()
    return saved


def rewrite_npz(json_path, arrays=None, raw=None):
    """Replace a checkpoint's .npz and make its JSON's sha256 agree (only the content is bad)."""
    if raw is None:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        raw = buffer.getvalue()
    meta = json.loads(json_path.read_text())
    (json_path.parent / meta["parameters"]["file"]).write_bytes(raw)
    meta["parameters"]["sha256"] = hashlib.sha256(raw).hexdigest()
    json_path.write_text(json.dumps(meta))


def arrays_of(params):
    return {f"{n}{k}": np.asarray(a) for k, pair in enumerate(params, 1)
            for n, a in zip("Wb", pair)}


# --- layout and round trip ----------------------------------------------------------------------

def test_layout_and_round_trip(tmp_path):
    net = make_net()
    path = save_checkpoint(tmp_path, net, 3, trainer={"anything": [1, 2]})
    assert path == tmp_path / "epoch-0003.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "epoch-0003.json", "epoch-0003.npz", "latest.json"]
    assert (tmp_path / "latest.json").read_bytes() == path.read_bytes()
    meta = json.loads(path.read_text())
    assert meta["format"] == ckpt.FORMAT and meta["format_version"] == ckpt.FORMAT_VERSION
    assert meta["implementation"] == "neurons" and meta["config"] == net.config()
    assert meta["epoch"] == 3 and meta["trainer"] == {"anything": [1, 2]}
    npz_bytes = (tmp_path / "epoch-0003.npz").read_bytes()
    assert meta["parameters"] == {"file": "epoch-0003.npz",
                                  "sha256": hashlib.sha256(npz_bytes).hexdigest()}
    with np.load(tmp_path / "epoch-0003.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W1", "W2", "b1", "b2"]
        assert npz["W1"].shape == (5, 4) and npz["b2"].shape == (3,)

    other = make_net(seed=99)
    loaded = load_checkpoint(tmp_path)  # the directory: its latest.json
    assert loaded.epoch == 3 and loaded.path == tmp_path / "latest.json"
    other.set_parameters(loaded.parameters)
    assert params_equal(other.parameters(), net.parameters())  # bitwise
    assert loaded.best_parameters is None
    assert load_checkpoint(tmp_path / "epoch-0003.npz").path == path  # the .npz names its pair


def test_best_parameters_are_saved_beside_the_current_ones(tmp_path):
    net, best = make_net(seed=1), make_net(seed=2)
    save_checkpoint(tmp_path, net, 1, best_parameters=best.parameters())
    loaded = load_checkpoint(tmp_path)
    assert params_equal(loaded.parameters, net.parameters())
    assert params_equal(loaded.best_parameters, best.parameters())


def test_latest_follows_the_newest_save_and_keep_prunes_older_ones(tmp_path):
    net = make_net()
    for epoch in range(1, 6):
        save_checkpoint(tmp_path, net, epoch, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "epoch-0004.json", "epoch-0004.npz", "epoch-0005.json", "epoch-0005.npz", "latest.json"]
    assert load_checkpoint(tmp_path).epoch == 5
    save_checkpoint(tmp_path, net, 2)  # a rerun from an earlier epoch: latest is the newest save
    assert load_checkpoint(tmp_path).epoch == 2


def test_parameters_move_between_the_two_implementations(tmp_path):
    net = make_net()
    save_checkpoint(tmp_path, net, 1)
    other = vectorized.Network([4, 5, 3], seed=7)
    loaded = load_checkpoint(tmp_path)
    assert loaded.implementation == "neurons"
    other.set_parameters(loaded.parameters)
    assert params_equal(other.parameters(), net.parameters())


# --- atomic writes ------------------------------------------------------------------------------

def fail_on(monkeypatch, suffix):
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith(suffix):
            raise OSError(28, "No space left on device (simulated)")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("crash_at", ["epoch-0004.npz", "epoch-0004.json", "latest.json"])
def test_a_crash_mid_write_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch,
                                                                 crash_at):
    saved = saved_pair(tmp_path, epochs=(2,))
    before = (tmp_path / "latest.json").read_bytes()
    fail_on(monkeypatch, crash_at)
    with pytest.raises(CheckpointError, match=r"cannot write checkpoint .*epoch-0004: .*simulated"):
        save_checkpoint(tmp_path, make_net(seed=4), 4)
    monkeypatch.undo()

    assert (tmp_path / "latest.json").read_bytes() == before
    assert load_checkpoint(tmp_path).epoch == 2
    assert params_equal(load_checkpoint(tmp_path).parameters, saved[2])
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    if crash_at == "latest.json":  # the numbered checkpoint was committed, and is complete
        assert load_checkpoint(tmp_path / "epoch-0004.json").epoch == 4
    else:
        assert not (tmp_path / "epoch-0004.json").exists()


def test_a_crash_inside_the_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    saved_pair(tmp_path, epochs=(2,))

    def fsync(fd):
        raise OSError(5, "I/O error (simulated)")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(CheckpointError, match="simulated"):
        save_checkpoint(tmp_path, make_net(seed=4), 4)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "epoch-0002.json", "epoch-0002.npz", "latest.json"]


def test_temporaries_of_a_killed_process_are_removed_by_the_next_save(tmp_path):
    saved_pair(tmp_path, epochs=(2,))
    stale = [tmp_path / ".epoch-0004.npz.4242.0badc0de.tmp",
             tmp_path / ".latest.json.77.12345678.tmp"]
    mine = tmp_path / ".notes.tmp"
    for path in stale + [mine]:
        path.write_bytes(b"half a file")
    save_checkpoint(tmp_path, make_net(), 3)
    assert not any(p.exists() for p in stale)
    assert mine.exists()  # not ours: left alone


def test_diverged_parameters_are_not_saved(tmp_path):
    net = make_net()
    params = net.parameters()
    params[1][0][2][1] = float("nan")
    with pytest.raises(CheckpointError, match=r"best_W2 contains NaN"):
        save_checkpoint(tmp_path, net, 1, best_parameters=params)
    assert not list(tmp_path.iterdir())


# --- refusals -----------------------------------------------------------------------------------

def test_missing_files_are_refused(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint in .*latest.json is missing"):
        load_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="checkpoint file .*epoch-0009.json: no such file"):
        load_checkpoint(tmp_path / "epoch-0009.json")
    saved_pair(tmp_path, epochs=(2,))
    (tmp_path / "epoch-0002.npz").unlink()
    with pytest.raises(CheckpointError, match="parameter file .*epoch-0002.npz: no such"):
        load_checkpoint(tmp_path)


def test_truncated_json_is_refused(tmp_path):
    saved_pair(tmp_path, epochs=(2,))
    path = tmp_path / "epoch-0002.json"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="epoch-0002.json is not a JSON file"):
        load_checkpoint(path)


def test_json_of_another_kind_or_version_is_refused(tmp_path):
    saved_pair(tmp_path, epochs=(2,))
    path = tmp_path / "epoch-0002.json"
    meta = json.loads(path.read_text())
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(CheckpointError, match="not a checkpoint of this project"):
        load_checkpoint(path)
    path.write_text(json.dumps(dict(meta, format_version=2)))
    with pytest.raises(CheckpointError, match="format version 2; this code reads version 1"):
        load_checkpoint(path)
    path.write_text(json.dumps(dict(meta, epoch="two")))
    with pytest.raises(CheckpointError, match="'epoch' must be an integer"):
        load_checkpoint(path)
    for sizes in ([4, 0, 3], "4,5,3", [4]):
        path.write_text(json.dumps(dict(meta, config=dict(meta["config"], layer_sizes=sizes))))
        with pytest.raises(CheckpointError, match="config.layer_sizes is not a valid spec"):
            load_checkpoint(path)
    path.write_text(json.dumps(dict(meta, parameters={"file": "../x.npz", "sha256": "0" * 64})))
    with pytest.raises(CheckpointError, match="parameters.file must be a file name"):
        load_checkpoint(path)


def test_truncated_npz_fails_its_sha256(tmp_path):
    saved_pair(tmp_path, epochs=(2,))
    npz = tmp_path / "epoch-0002.npz"
    npz.write_bytes(npz.read_bytes()[:-40])
    with pytest.raises(CheckpointError, match="epoch-0002.npz does not match latest.json: sha256"):
        load_checkpoint(tmp_path)


def test_a_mismatched_pair_is_refused(tmp_path):
    saved_pair(tmp_path, epochs=(2, 4))
    os.replace(tmp_path / "epoch-0004.npz", tmp_path / "epoch-0002.npz")
    with pytest.raises(CheckpointError, match="does not match epoch-0002.json"):
        load_checkpoint(tmp_path / "epoch-0002.json")


def test_corrupt_npz_is_refused(tmp_path):
    saved_pair(tmp_path, epochs=(2,))
    path = tmp_path / "epoch-0002.json"
    rewrite_npz(path, raw=b"PK\x03\x04 this is not a zip file at all")
    with pytest.raises(CheckpointError, match="epoch-0002.npz is not a readable .npz"):
        load_checkpoint(path)


def test_pickled_arrays_are_refused(tmp_path):
    saved = saved_pair(tmp_path, epochs=(2,))
    path = tmp_path / "epoch-0002.json"
    arrays = arrays_of(saved[2])
    arrays["W1"] = np.array([object()] * 20, dtype=object).reshape(5, 4)
    rewrite_npz(path, arrays)
    with pytest.raises(CheckpointError, match="W1 has dtype object, expected floats"):
        load_checkpoint(path)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(W2=np.zeros((3, 4))), r"W2 has shape \(3, 4\), expected \(3, 5\)"),
    (lambda a: a.update(b1=np.zeros((5, 1))), r"b1 has shape \(5, 1\), expected \(5,\)"),
    (lambda a: a.pop("b2"), "lacks the arrays b2"),
    (lambda a: a.update(W3=np.zeros((2, 3))), "unexpected arrays W3"),
    (lambda a: a.update(best_W1=np.zeros((5, 4))), "lacks the arrays best_b1, best_W2"),
    (lambda a: a["W2"].__setitem__((1, 2), np.inf), r"W2\[1, 2\] is inf: values must be finite"),
    (lambda a: a["b1"].__setitem__(0, np.nan), r"b1\[0\] is nan"),
    (lambda a: a.update(W1=np.ones((5, 4), dtype=int)), "W1 has dtype int64, expected floats"),
])
def test_bad_arrays_are_refused(tmp_path, change, message):
    saved = saved_pair(tmp_path, epochs=(2,))
    path = tmp_path / "epoch-0002.json"
    arrays = arrays_of(saved[2])
    change(arrays)
    rewrite_npz(path, arrays)
    with pytest.raises(CheckpointError, match=message) as info:
        load_checkpoint(path)
    assert "epoch-0002.npz" in str(info.value)


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


# --- permissions, pruning with a protected best, named checkpoints -----------------------------

def test_checkpoint_files_get_the_users_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        save_checkpoint(tmp_path, make_net(), 1)
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys(["epoch-0001.json", "epoch-0001.npz", "latest.json"], 0o644)


def test_keep_spares_the_protected_best_epoch(tmp_path):
    net = make_net()
    for epoch in range(1, 7):
        save_checkpoint(tmp_path, net, epoch, keep=2, protect=(2,))
    assert [e for e, _ in ckpt.numbered_checkpoints(tmp_path)] == [2, 5, 6]


def test_a_named_checkpoint_leaves_latest_alone_and_clear_run_removes_a_run(tmp_path):
    save_checkpoint(tmp_path, make_net(seed=1), 3)
    save_checkpoint(tmp_path, make_net(seed=2), 2, name="best")
    assert load_checkpoint(tmp_path).epoch == 3
    assert load_checkpoint(tmp_path / "best.json").epoch == 2
    (tmp_path / "notes.txt").write_text("mine")
    assert ckpt.latest_epoch(tmp_path) == 3
    ckpt.clear_run(tmp_path)
    assert ckpt.latest_epoch(tmp_path) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
