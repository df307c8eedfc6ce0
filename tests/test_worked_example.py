"""Matt Mazur's "A Step by Step Backpropagation Example", reproduced by both packages.

An external worked example no one here wrote: a 2-2-2 sigmoid network with squared error
E = ½Σ(t−y)², weights w1…w8 = .15 .20 .25 .30 .40 .45 .50 .55 (w1, w2 from i1, i2 into h1;
w3, w4 into h2; w5, w6 from h1, h2 into o1; w7, w8 into o2), hidden biases .35, output biases
.60, input (.05, .10), targets (.01, .99), learning rate 0.5. Only the public API is used.

The post prints each figure to 8 or 9 decimals; each must match to every printed digit.
Mazur does not update the biases; our step does, which leaves his "new w5" unchanged (it
depends on the gradient at the old weights only).
"""

import pytest

import neurons
import vectorized
from neurons import Node
from neurons_lab.training.networks import as_lists

PARAMETERS = [
    ([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35]),  # W[j][i]: row h1 = (w1, w2), row h2 = (w3, w4)
    ([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60]),  # row o1 = (w5, w6), row o2 = (w7, w8)
]
SAMPLE = [0.05, 0.10]
TARGET = [0.01, 0.99]
RATE = 0.5

PUBLISHED = {  # as printed in the post
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "E_total": "0.298371109",
    "dE/dw5": "0.082167041",
    "new w5": "0.35891648",
    "dE/dw1": "0.000438568",
}


def figures(package, parameters=PARAMETERS):
    """The six published figures as computed by ``package``, through its public API."""
    net = package.Network([2, 2, 2], activation="sigmoid", output="sigmoid", loss="mse")
    net.set_parameters(parameters)
    y = [float(v) for v in net.predict(SAMPLE)]
    (dW1, _), (dW2, _) = as_lists(net.get_gradient(TARGET, SAMPLE))
    loss = net.train_one_sample(TARGET, SAMPLE, RATE)
    (_, _), (W2, _) = as_lists(net.parameters())
    return {
        "out_o1": y[0], "out_o2": y[1], "E_total": loss,  # E before the step
        "dE/dw5": dW2[0][0], "new w5": W2[0][0], "dE/dw1": dW1[0][0],
    }


def mismatches(computed):
    """Figures that differ from the post once rounded to the digits it prints."""
    wrong = {}
    for name, text in PUBLISHED.items():
        decimals = len(text.split(".")[1])
        if round(computed[name], decimals) != float(text):
            wrong[name] = (computed[name], text)
    return wrong


@pytest.mark.parametrize("package", [neurons, vectorized])
def test_both_packages_reproduce_every_published_figure(package):
    assert mismatches(figures(package)) == {}


@pytest.mark.parametrize("package", [neurons, vectorized])
def test_loss_of_the_prediction_is_e_total(package):
    net = package.Network([2, 2, 2])
    net.set_parameters(PARAMETERS)
    assert round(net.loss(net.predict(SAMPLE), TARGET), 9) == float(PUBLISHED["E_total"])


# -- the checker catches wrong answers -------------------------------------------------------

def test_the_checker_catches_a_one_in_the_last_digit_error():
    good = figures(neurons)
    for name, text in PUBLISHED.items():
        decimals = len(text.split(".")[1])
        off = dict(good, **{name: good[name] + 10.0 ** -decimals})
        assert set(mismatches(off)) == {name}


@pytest.mark.parametrize("package", [neurons, vectorized])
def test_weights_in_the_wrong_orientation_are_caught(package):
    """W given as W[i][j] (transposed), the classic slip: outputs and gradients disagree."""
    transposed = [([list(col) for col in zip(*W)], b) for W, b in PARAMETERS]
    assert set(mismatches(figures(package, transposed))) == set(PUBLISHED)


def test_a_step_with_the_wrong_sign_is_caught(monkeypatch):
    def ascent(self, rate):
        self.weight += rate * self.gradient
    monkeypatch.setattr(neurons.Connection, "update_weight", ascent)
    assert set(mismatches(figures(neurons))) == {"new w5"}


def test_a_hidden_delta_without_its_derivative_is_caught(monkeypatch):
    """式4 without f'(net): only ∂E/∂w1 (a weight into the hidden layer) is wrong."""
    def no_derivative(self):
        self.delta = sum(c.weight * c.downstream_node.delta for c in self.downstream)
    monkeypatch.setattr(Node, "calc_hidden_layer_delta", no_derivative)
    assert set(mismatches(figures(neurons))) == {"dE/dw1"}


def test_an_output_delta_with_the_wrong_sign_is_caught(monkeypatch):
    original = Node.calc_output_layer_delta

    def flipped(self, *args):
        original(self, *args)
        self.delta = -self.delta
    monkeypatch.setattr(Node, "calc_output_layer_delta", flipped)
    assert set(mismatches(figures(neurons))) == {"dE/dw5", "new w5", "dE/dw1"}
