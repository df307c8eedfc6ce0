"""training/gradcheck.py catches a wrong gradient, in both packages, through the public API.

Each broken network is a subclass whose get_gradient returns a plausible but wrong answer; the
gradient check must report a disagreement far above the CLI's threshold (1e-6), while the
unbroken network passes.
"""

import pytest

import neurons
import vectorized
from neurons_lab.training.gradcheck import check_gradient
from neurons_lab.training.networks import as_lists

THRESHOLD = 1e-6  # the `neurons gradcheck` command's verdict
LABEL = [0.8, 0.2]
SAMPLE = [0.5, -0.3, 0.9]
L2 = 0.1


def negated(grads, net):
    return [([[-g for g in row] for row in dW], [-g for g in db]) for dW, db in grads]


def l2_on_biases(grads, net):
    """λb added to every bias gradient, as if the biases were decayed too."""
    return [(dW, [g + net.l2 * b_j for g, b_j in zip(db, b)])
            for (dW, db), (_, b) in zip(grads, as_lists(net.parameters()))]


def swapped_pair(grads, net):
    """The gradients of w_00 and w_01 of the first layer exchanged (an index slip)."""
    (dW, db), *rest = grads
    dW = [row[:] for row in dW]
    dW[0][0], dW[0][1] = dW[0][1], dW[0][0]
    return [(dW, db)] + rest


def a_layer_missing(grads, net):
    return grads[:-1]


def a_column_missing(grads, net):
    return [([row[:-1] for row in dW], db) for dW, db in grads]


def broken(package, mistake):
    class Broken(package.Network):
        def get_gradient(self, label, sample):
            return mistake(as_lists(super().get_gradient(label, sample)), self)
    return Broken([3, 4, 2], activation="tanh", l2=L2, seed=7)


@pytest.mark.parametrize("package", [neurons, vectorized])
def test_the_unbroken_network_passes(package):
    net = package.Network([3, 4, 2], activation="tanh", l2=L2, seed=7)
    assert max(r.worst for r in check_gradient(net, LABEL, SAMPLE)) < THRESHOLD


@pytest.mark.parametrize("package", [neurons, vectorized])
@pytest.mark.parametrize("mistake", [negated, l2_on_biases, swapped_pair, a_layer_missing,
                                     a_column_missing])
def test_a_wrong_gradient_is_reported(package, mistake):
    net = broken(package, mistake)
    reports = check_gradient(net, LABEL, SAMPLE)
    assert max(r.worst for r in reports) > 1e-2
    plain = package.Network([3, 4, 2], activation="tanh", l2=L2, seed=7)
    assert as_lists(net.parameters()) == as_lists(plain.parameters())  # restored exactly


@pytest.mark.parametrize("package", [neurons, vectorized])
def test_the_report_names_where_the_mistake_is(package):
    """L2 on the biases shows up in the bias column only, in every layer."""
    reports = check_gradient(broken(package, l2_on_biases), LABEL, SAMPLE)
    assert all(r.worst_weight < THRESHOLD < r.worst_bias for r in reports)
    swapped = check_gradient(broken(package, swapped_pair), LABEL, SAMPLE)
    assert swapped[0].worst_weight > 1e-2 and swapped[1].worst < THRESHOLD


@pytest.mark.parametrize("dtype,eps", [("float64", 1e-10), ("float64", 1e-5), ("float64", 1e-2),
                                       ("float32", 1e-2), ("float32", None)])
def test_the_command_agrees_on_correct_gradients_at_every_accepted_eps(capsys, monkeypatch,
                                                                       dtype, eps):
    """The verdict allows what central differences themselves err by at that ε and float type
    (round-off 100·u/ε plus ε²), and still catches a gradient 1 % off."""
    from neurons_lab.cli import main

    argv = ["gradcheck", "--impl", "vectorized", "--dtype", dtype]
    argv += [] if eps is None else ["--eps", str(eps)]
    assert main(argv) == 0, capsys.readouterr()
    real = vectorized.Network.get_gradient
    monkeypatch.setattr(vectorized.Network, "get_gradient", lambda self, label, sample: [
        (dW * 1.01, db * 1.01) for dW, db in real(self, label, sample)])
    assert main(argv) == 4


def test_an_eps_whose_own_error_allows_anything_is_refused(capsys):
    from neurons_lab.cli import main

    assert main(["gradcheck", "--dtype", "float32", "--impl", "vectorized", "--eps", "1e-5"]) == 1
    assert "no check at all" in capsys.readouterr().err
