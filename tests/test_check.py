"""`check` names each planted mistake, passes correct implementations, and says where."""

import numpy as np
import pytest

import neurons
import vectorized
from neurons_lab.check import CheckError, check, load
from neurons_lab.check.candidates import ApiClass
from neurons_lab.check.cases import draw_cases
from tests import check_planted as planted
from tests.helpers import run_cli


@pytest.mark.parametrize("cls", list(planted.PLANTED), ids=lambda c: c.__name__)
def test_each_planted_mistake_is_named(cls):
    report = check(cls)
    assert not report.ok
    assert report.diagnosis.startswith(planted.PLANTED[cls]), report.lines


@pytest.mark.parametrize("cls", [planted.FcNet, planted.LoopNet, vectorized.Network,
                                 neurons.Network], ids=lambda c: c.__module__ + c.__name__)
def test_correct_implementations_pass(cls):
    report = check(cls)
    assert report.ok, report.lines
    assert report.checked >= 2


def test_functions_pass_and_a_summed_batch_is_named():
    assert check((planted.forward, planted.backward)).ok
    report = check((planted.forward, planted.backward_summed))
    assert "gradient of a batch of 4" in report.difference
    assert report.diagnosis.startswith("factor of the batch size (4)")


class NoDeltas(ApiClass):
    """A candidate whose δ is not visible: the gradient alone must give the diagnosis."""

    def deltas(self, x, t):
        return None

    def loss(self, y, t):
        return None


@pytest.mark.parametrize("cls, words", [
    (planted.DerivativeAtNet, "derivative taken at net"),
    (planted.HalfMissing, "½ missing in the loss"),
    (planted.SignFlipped, "sign flipped"),
])
def test_diagnosis_from_the_gradient_alone(cls, words):
    report = check(NoDeltas(cls))
    assert "get_gradient" in report.difference
    assert report.diagnosis.startswith(words)


class WrongStep(planted.FcNet):
    """Right gradient, a step that climbs it."""

    def apply(self, layer, rate):
        layer.W += rate * layer.W_grad
        layer.b += rate * layer.b_grad


class DerivativeAtOutput(planted.FcNet):
    def prime(self, layer):
        f, prime_of_y = planted.ACT[layer.activation]
        return prime_of_y(f(layer.output))


class OffByALittle(planted.FcNet):
    """A mistake check knows no name for: the output layer's bias gradient is 1 % off."""

    def bias_gradient(self, layer):
        g = super().bias_gradient(layer)
        return g * 1.01 if layer is self.layers[-1] else g


class RowTimesW(planted.FcNet):
    """Forward as x·W with the project's (out, in) W: fails on the shapes."""

    def predict(self, sample):
        x = np.atleast_2d(np.asarray(sample, dtype=float))
        for layer in self.layers:
            x = planted.ACT["sigmoid"][0](x @ layer.W + layer.b)
        return x[0]


def test_other_findings():
    report = check(RowTimesW)
    assert "predict (one sample), it raised ValueError: matmul" in report.difference
    assert report.diagnosis.startswith("transposed W? the shapes do not fit")
    assert check(WrongStep).diagnosis.startswith("sign flipped in the step")
    assert check(DerivativeAtOutput).diagnosis.startswith("derivative taken at the output")
    report = check(OffByALittle)
    assert report.diagnosis is None
    assert "layer 3 (output), ∂E/∂b_0 at b[0]" in report.difference
    assert "relative error 0.0099" in report.difference


def test_the_first_difference_names_the_place_in_the_projects_words():
    report = check(planted.SignFlipped)
    expected = "get_gradient (one sample), layer 3 (output), ∂E/∂w_00 at W[0, 0] (from node 0 " \
               "below to node 0): expected "
    assert expected in report.difference
    assert "(relative error 2)" in report.difference


def test_a_candidate_that_raises_is_a_difference():
    class Raises(planted.FcNet):
        def get_gradient(self, label, sample):
            raise RuntimeError("not written yet")

    report = check(Raises)
    assert "get_gradient (one sample), it raised RuntimeError: not written yet" in \
        report.difference


def test_cases_are_seeded_and_fixed_settings_hold():
    assert draw_cases(3, 12) == draw_cases(3, 12)
    assert draw_cases(3, 12) != draw_cases(4, 12)
    for case in draw_cases(1, 12, {"layer_sizes": [3, 4, 2], "activation": "tanh"}):
        assert case.layer_sizes == (3, 4, 2) and case.activation == ("tanh",)
    X, T = draw_cases(0)[0].samples()
    assert np.all(np.abs(X) <= 1) and X.shape[0] == 4


def test_cli_exit_statuses(capsys):
    code, out, _ = run_cli(capsys, "check", "tests/check_planted.py:FcNet", "--cases", "3")
    assert code == 0 and "agree: 3 networks" in out
    code, out, _ = run_cli(capsys, "check", "tests.check_planted:L2OnBiases")
    assert code == 4 and "diagnosis: L2 applied to biases" in out
    code, out, _ = run_cli(capsys, "check", "tests.check_planted:forward,backward", "--l2", "0.1")
    assert code == 4 and "diagnosis: L2 missing" in out


@pytest.mark.parametrize("argv, words", [
    (["tests.check_planted"], "give MODULE:CLASS"),
    (["tests.check_planted:Nothing"], "has no 'Nothing'"),
    (["no_such_module_here:Net"], "cannot import no_such_module_here"),
    (["tests/none.py:Net"], "no such file"),
    (["tests.check_planted:ACT"], "is neither a class"),
    (["tests.check_planted:Layer"], "Layer has no method predict"),
    (["tests.check_planted:FcNet", "--layers", "3,x"], "layer_sizes"),
    (["tests.check_planted:FcNet", "--cases", "0"], "--cases must be at least 1"),
    (["tests.check_planted:FcNet", "--loss", "hinge"], "took none of the"),
    (["tests.check_planted:forward,backward", "--activation", "gelu"], "unknown hidden"),
    (["tests.check_planted:forward,backward", "--input-shape", "3x4"], "--input-shape must"),
])
def test_cli_bad_input_is_one_line(capsys, argv, words):
    code, _, err = run_cli(capsys, "check", *argv)
    assert code == 1
    assert words in err and err.count("\n") == 1, err


def test_load_finds_each_kind():
    assert load("tests.check_planted:FcNet").name == "tests.check_planted:FcNet"
    assert load("tests.check_planted:forward,backward").cnn is False
    with pytest.raises(CheckError):
        load("tests.check_planted:forward,backward,forward")


class SummedSteps(planted.FcNet):
    """One sample at a time in get_gradient (a batch is refused), a summed batch in train."""

    def get_gradient(self, label, sample):
        if np.ndim(sample) > 1:
            raise ValueError("one sample at a time")
        return super().get_gradient(label, sample)

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        for _ in range(epoch):
            for k in range(0, len(data_set), batch_size):
                grads = [super(SummedSteps, self).get_gradient(t, x) for t, x in
                         zip(labels[k:k + batch_size], data_set[k:k + batch_size])]
                for n, layer in enumerate(self.layers):
                    layer.W -= rate * sum(g[n][0] for g in grads)
                    layer.b -= rate * sum(g[n][1] for g in grads)


def test_steps_are_compared_and_diagnosed():
    report = check(SummedSteps)
    assert "parameters after train with batch_size=2 step 1" in report.difference
    assert report.diagnosis.startswith("factor of the batch size (2)")
    assert report.lines[0].endswith("DIFFERS")  # in case 1, after its per-sample steps agreed


def test_declared_support_skips_cases():
    class SigmoidOnly(planted.FcNet):
        check_supports = {"activation": ["sigmoid"], "output": ["sigmoid"], "l2": False}

    report = check(SigmoidOnly)
    assert report.ok and report.checked == 1
    assert "declares no l2" in report.lines[1]
    assert "declares activation in ['sigmoid'] only" in report.lines[5]


def test_the_tutorials_nodes_give_their_deltas():
    report = check(neurons.Network, cases=1)
    assert "δ" in report.lines[0]


def test_the_fast_engine_passes():
    fast = pytest.importorskip("vectorized.fast")
    assert check(fast.Network).ok
