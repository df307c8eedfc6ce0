"""state_dict in and out without torch: keys and shapes of the equivalent nn.Sequential, the
round trip, .npz and .safetensors files, and bad input refused without changing anything."""

import importlib.util
import sys

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab import interop

CNN = dict(layer_sizes=["1x6x6", "conv2x3s1p1", "pool2", 5, "drop0.5", 3],
           activation=["relu", "tanh"], output="identity", seed=3)
FC = dict(layer_sizes=[4, 5, 3], activation="sigmoid", output="softmax", loss="cross_entropy",
          seed=2)


@pytest.mark.parametrize("package", [neurons, vectorized])
def test_keys_and_shapes_are_pytorchs(package):
    sd = interop.state_dict(package.Network(**CNN))
    # Conv2d 0, ReLU 1, MaxPool2d 2, Flatten 3, Linear 4, Tanh 5, Dropout 6, Linear 7
    assert {k: v.shape for k, v in sd.items()} == {
        "0.weight": (2, 1, 3, 3), "0.bias": (2,), "4.weight": (5, 18), "4.bias": (5,),
        "7.weight": (3, 5), "7.bias": (3,)}
    sd = interop.state_dict(package.Network(**FC))
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert sd["0.weight"].shape == (5, 4)


@pytest.mark.parametrize("config", [CNN, FC])
def test_round_trip_between_the_packages_is_exact(config):
    a, b = neurons.Network(**config), vectorized.Network(**dict(config, seed=99))
    interop.load_state_dict(b, interop.state_dict(a))
    for (Wa, ba), (Wb, bb) in zip(a.parameters(), b.parameters()):
        assert np.array_equal(np.array(Wa), Wb) and np.array_equal(np.array(ba), bb)


def test_a_state_dict_that_does_not_fit_changes_nothing():
    net = vectorized.Network(**FC)
    before = interop.state_dict(net)
    sd = dict(before)
    sd["2.weight"] = np.zeros((4, 5))
    sd["0.weight"] = sd["0.weight"] + 1.0
    with pytest.raises(ValueError, match="shape"):
        interop.load_state_dict(net, sd)
    del sd["2.weight"]
    sd["1.weight"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"missing \['2.weight'\], unexpected \['1.weight'\]"):
        interop.load_state_dict(net, sd)
    with pytest.raises(TypeError):
        interop.load_state_dict(net, [1, 2])
    for key, value in interop.state_dict(net).items():
        assert np.array_equal(value, before[key])


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_files_round_trip(tmp_path, suffix):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    net = vectorized.Network(**CNN)
    path = interop.save_state_dict(tmp_path / f"w{suffix}", net)
    other = neurons.Network(**dict(CNN, seed=7))
    interop.load_state_dict(other, interop.load_state_dict_file(path))
    assert interop.state_dict(other).keys() == interop.state_dict(net).keys()
    for key, value in interop.state_dict(net).items():
        assert np.array_equal(interop.state_dict(other)[key], value)
    assert [p.name for p in tmp_path.iterdir()] == [f"w{suffix}"]  # no temporary left


def test_bad_files_are_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown state_dict file type '.pt'"):
        interop.save_state_dict(tmp_path / "w.pt", vectorized.Network(**FC))
    with pytest.raises(ValueError, match="cannot read"):
        interop.load_state_dict_file(tmp_path / "missing.npz")
    junk = [("cut.npz", b"PK\x03\x04 truncated")]
    if importlib.util.find_spec("safetensors"):  # without it: the extra is named, tested below
        junk.append(("junk.safetensors", b"\x00" * 9))
    for name, data in junk:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match="is not a readable"):
            interop.load_state_dict_file(tmp_path / name)
    np.savez(tmp_path / "hostile.npz", w=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="is not a readable"):  # never unpickled
        interop.load_state_dict_file(tmp_path / "hostile.npz")
    np.savez(tmp_path / "ints.npz", w=np.arange(3))
    with pytest.raises(ValueError, match="not floats"):
        interop.load_state_dict_file(tmp_path / "ints.npz")
    (tmp_path / "endless.npz").symlink_to("/dev/zero")  # read as every reader: bounded
    with pytest.raises(ValueError, match="not a regular file"):
        interop.load_state_dict_file(tmp_path / "endless.npz")


def test_the_equivalent_module_is_listed_for_every_activation():
    names = [name for name, _ in interop.modules(dict(
        layer_sizes=[2, 3, 3, 3, 3, 3, 3, 3, 2],
        activation=["sigmoid", "tanh", "relu", "leaky_relu", "identity", "elu", "softplus"],
        output="selu"))]
    assert names == ["Linear", "Sigmoid", "Linear", "Tanh", "Linear", "ReLU", "Linear",
                     "LeakyReLU", "Linear", "Linear", "ELU", "Linear", "Softplus", "Linear",
                     "SELU"]


def test_safetensors_without_the_package_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    (tmp_path / "w.safetensors").write_bytes(b"\x00" * 9)
    with pytest.raises(ValueError, match=r"pip install 'neurons-lab\[safetensors\]'"):
        interop.load_state_dict_file(tmp_path / "w.safetensors")
