"""to_torch / from_torch and the torch path of check (skipped without PyTorch): outputs of the
exported module equal the network's to 1e-12 in float64, for every activation, fully connected
and CNN; the round trip is exact; modules without an equivalent are refused by name."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurons
import vectorized
from neurons_lab import interop
from neurons_lab.check import CheckError, check
from neurons_lab.check.cases import draw_cases
from tests.helpers import run_cli

torch = pytest.importorskip("torch")
nn = torch.nn

ACTIVATIONS = list(vectorized.HIDDEN_ACTIVATIONS)
SPECS = [None, ["1x6x6", "conv2x3", "pool2", 4], ["2x5x5", "conv3x3s2p1", 4, "drop0.3", 4],
         ["1x7x7", "conv2x2p1", "conv2x3", "pool2", 3]]


@given(spec=st.sampled_from(SPECS), hidden=st.lists(st.sampled_from(ACTIVATIONS), min_size=3,
                                                    max_size=3),
       output=st.sampled_from(list(vectorized.OUTPUT_ACTIVATIONS)), seed=st.integers(0, 10**6),
       package=st.sampled_from([neurons, vectorized]))
def test_exported_module_equals_the_network(spec, hidden, output, seed, package):
    sizes = (spec or [5, 4]) + [3]
    n_hidden = len(interop.state_keys({"layer_sizes": sizes})) - 1
    net = package.Network(sizes, activation=hidden[:n_hidden], output=output, init="he",
                          seed=seed)
    model = interop.to_torch(net)
    X = np.random.default_rng(seed).uniform(-3, 3, (3, net.input_size))
    shape = (3,) + tuple(net.input_shape)
    with torch.no_grad():
        got = model(torch.tensor(X.reshape(shape))).numpy()
    expected = np.array([net.predict(list(x)) for x in X], dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    back = interop.from_torch(model, net.input_shape if spec else None, loss=net.config()["loss"],
                              engine=package.__name__)
    assert back.config()["layer_sizes"] == list(sizes) or spec  # conv tokens may be spelled out
    for (Wa, ba), (Wb, bb) in zip(net.parameters(), back.parameters()):
        assert np.array_equal(np.array(Wa), np.array(Wb)) and np.array_equal(np.array(ba),
                                                                          np.array(bb))


def test_a_wrong_mapping_would_be_caught():
    net = vectorized.Network([3, 2], output="softplus")
    net.set_parameters([(np.zeros((2, 3)), np.array([22.0, 5.0]))])
    model = interop.to_torch(net)
    with torch.no_grad():
        zero = torch.zeros(1, 3, dtype=torch.float64)
        assert model(zero).numpy()[0] == pytest.approx(net.predict(np.zeros(3)), rel=1e-15)
        model[1].threshold = 20.0  # PyTorch's default: linear above 20, 2.8e-10 off at 22
        got = model(zero).numpy()
    assert got[0, 0] == 22.0 and net.predict(np.zeros(3))[0] - 22.0 > 2e-10


@pytest.mark.parametrize("module, words", [
    (nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)), "BatchNorm1d has no"),
    (nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 2)), "GELU has no equivalent"),
    (nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.2), nn.Linear(4, 2)), "negative_slope=0.2"),
    (nn.Sequential(nn.Linear(3, 4, bias=False), nn.Linear(4, 2)), "without bias"),
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2, 2)), "give input_shape"),
    (nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=1), nn.Linear(4, 2)), "hidden layer"),
    (nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 2)), "takes 5 values, gets 4"),
    (nn.Sequential(nn.Linear(3, 4), nn.Softplus(), nn.Linear(4, 2)), "threshold"),
])
def test_modules_without_an_equivalent_are_refused(module, words):
    with pytest.raises(ValueError, match=words):
        interop.from_torch(module)


def test_pool_with_another_stride_is_refused():
    module = nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2, stride=1), nn.Flatten(),
                           nn.Linear(18, 2))
    with pytest.raises(ValueError, match="stride K"):
        interop.from_torch(module, (1, 6, 6))


def test_check_passes_a_pytorch_model():
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3), nn.Softmax(dim=1))
    report = check(model)
    assert report.ok and report.checked == 9, report.lines  # random draws for the CNN themes
    cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(8, 3), nn.Sigmoid())
    from neurons_lab.check.load import as_candidate
    assert check(as_candidate(cnn, input_shape=(1, 6, 6)), cases=3).ok
    dropout = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Dropout(0.5), nn.Linear(5, 2))
    report = check(dropout, cases=2)
    assert report.ok and "no steps: dropout masks" in report.lines[0]


class Mapped(nn.Module):
    """Not a Sequential: checked against the network the user names."""

    def __init__(self, forget_output=False):
        super().__init__()
        self.hidden, self.out, self.forget = nn.Linear(3, 4), nn.Linear(4, 2), forget_output

    def forward(self, x):
        y = self.out(torch.sigmoid(self.hidden(x)))
        return y if self.forget else torch.sigmoid(y)


def test_a_mapped_module_and_its_mistake():
    fixed = {"layer_sizes": [3, 4, 2]}
    from neurons_lab.check.load import as_candidate
    assert check(as_candidate(Mapped(), fixed=fixed), fixed=fixed, cases=3).ok
    report = check(as_candidate(Mapped(True), fixed=fixed), fixed=fixed, cases=3)
    assert "predict (one sample), output y[0]" in report.difference
    with pytest.raises(CheckError, match="give the network it should be"):
        as_candidate(Mapped())


def test_cli_checks_a_model_in_a_file(tmp_path, capsys):
    (tmp_path / "mine.py").write_text(
        "import torch.nn as nn\n"
        "model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))\n")
    code, out, _ = run_cli(capsys, "check", f"{tmp_path}/mine.py:model", "--cases", "4")
    assert code == 0 and "agree: 4 networks" in out
    code, _, err = run_cli(capsys, "check", f"{tmp_path}/mine.py:model", "--layers", "3,2")
    assert code == 1 and "parameters have shapes" in err


def test_cases_hold_a_modules_architecture():
    config, _ = interop.describe_torch(nn.Sequential(nn.Linear(4, 3), nn.ELU(), nn.Linear(3, 2)))
    for case in draw_cases(0, 9, config, cnn=False):
        assert case.layer_sizes == (4, 3, 2) and case.activation == ("elu",)


def test_a_torch_state_dict_loads_directly_and_float32_exports():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    net = interop.load_state_dict(vectorized.Network([3, 4, 2], activation="relu",
                                                     output="identity"), model.state_dict())
    assert np.array_equal(net.parameters()[1][0], model[2].weight.detach().numpy())
    small = interop.to_torch(net, dtype="float32")
    assert small[0].weight.dtype == torch.float32
    x = np.linspace(-1, 1, 3)
    with torch.no_grad():
        got = small(torch.tensor(x[None], dtype=torch.float32)).numpy()[0]
    np.testing.assert_allclose(got, net.predict(x), rtol=1e-6, atol=1e-6)
