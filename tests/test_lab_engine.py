"""The lab's engine in CPython: its phases, edits, Back and training give exactly the numbers
of ``neurons`` driven directly; its formulas are ``neurons explain``'s text; the modules the
page loads import without NumPy."""

import json
import subprocess
import sys

import pytest

import neurons
from neurons_lab.explain import article_example
from neurons_lab.explain.trace import record_neurons
from neurons_lab.explain.walkthrough import render_neurons
from neurons_lab.lab import datasets
from neurons_lab.lab.engine import Lab


def steps(lab, n):
    for _ in range(n):
        state = lab.step()
    return state


def test_four_steps_are_train_one_sample():
    lab = Lab(example="article")
    net = neurons.Network([3, 4, 2], seed=0)
    for _ in range(3):
        state = steps(lab, 4)
        net.train_one_sample([0.9, 0.1], [1.0, 0.5, 0.2], 0.5)
        assert state["parameters"] == net.parameters()  # bit for bit
    assert [p for _, p in state["losses"]][-1] > 0 and state["next"] == "predict"


def test_each_phase_shows_the_objects_numbers():
    lab = Lab(example="mazur")
    state = lab.step()  # predict
    outputs = [n[0] for n in state["graph"]["layers"][-1]["nodes"]]
    assert outputs == [0.7513650695523157, 0.7729284653214625]  # Mazur's 0.75136507, 0.772928465
    state = steps(lab, 2)  # calc_delta, calc_gradient
    w5 = [e for e in state["graph"]["edges"] if e[:3] == [2, 0, 0]][0]
    assert round(w5[4], 9) == 0.082167041  # his ∂E/∂w5


def test_the_formulas_are_the_walkthroughs_text():
    lab = Lab(example="article")
    shown = [line for _ in range(4) for step in lab.step()["formulas"] for line in step["lines"]]
    ex = article_example()
    trace = record_neurons(ex.build("neurons"), ex.sample, ex.label, ex.rate, ex.namer())
    text = [line.strip() for line in render_neurons(trace, ex.title, ex.namer(), "en")]
    assert len(shown) > 40 and all(line in text for line in shown)


def test_the_source_panel_marks_the_lines_that_ran():
    lab = Lab(example="article")
    lab.step()
    done = lab.step()["done"]
    assert done["phase"] == "calc_delta"
    hidden = {s["name"]: s for s in done["sources"]}["Node.calc_hidden_layer_delta"]
    assert hidden["calls"] == 4 and hidden["file"] == "neurons/node.py"
    ran = [hidden["lines"][n - hidden["start"]].strip() for n in hidden["ran"]]
    assert "self.delta = self._f_prime(self.net, self.output) * total" in ran
    out = {s["name"]: s for s in done["sources"]}["Node.calc_output_layer_delta"]
    ran = [out["lines"][n - out["start"]].strip() for n in out["ran"]]
    assert ran == ["if self._f_prime is None:  # softmax",
                   "self.delta = -self._f_prime(self.net, self.output) * dE_dy"]


def test_back_restores_every_number():
    lab = Lab(example="xor")
    before = lab.state()
    steps(lab, 3)
    lab.edit("weight", [1, 0, "b"], 0.25)
    lab.train(5)
    for _ in range(5):
        lab.back()
    assert lab.state() == before


def test_an_edit_is_what_the_next_step_uses():
    lab = Lab(example="article")
    lab.step()
    lab.edit("weight", [2, 1, 3], 0.75)
    lab.edit("input", [2], -0.5)
    lab.edit("target", [0], 0.8)
    assert lab.state()["next"] == "predict"  # an edit starts the step again
    net = neurons.Network([3, 4, 2], seed=0)
    upstream = net.layers[2].nodes[1].upstream
    next(c for c in upstream if c.upstream_node.node_index == 3).weight = 0.75
    net.train_one_sample([0.8, 0.1], [1.0, 0.5, -0.5], 0.5)
    assert steps(lab, 4)["parameters"] == net.parameters()


def test_training_is_net_train_in_the_same_order():
    lab = Lab(example="spiral", batch_size=4, seed=3)
    lab.step()
    lab.train(25)
    state = lab.train(30)
    points, classes = datasets.spiral()
    labels = datasets.targets(classes, 3)
    order = [k % len(points) for k in range(55 * 4)]
    net = neurons.Network([2, 8, 8, 3], activation="tanh", output="softmax",
                          loss="cross_entropy", seed=3)
    net.train([labels[k] for k in order], [points[k] for k in order], 0.1, 1, 4)
    assert state["parameters"] == net.parameters() and state["trained"] == 55


def test_a_cnn_shares_its_filter_weights():
    lab = Lab(example="cnn")
    state = steps(lab, 3)  # up to calc_gradient
    shared = state["graph"]["shared"][0]
    uses = [e for e in state["graph"]["edges"]
            if e[0] == shared["layer"] and e[5] == shared["name"]]
    assert len(uses) == shared["uses"] == 16
    assert shared["gradient"] == pytest.approx(sum(e[4] for e in uses), abs=1e-15)
    assert state["formula_error"]  # explain's walkthrough is for fully connected networks
    lab.edit("shared", [1, shared["name"]], 0.5)
    assert all(e[3] == 0.5 for e in lab.state()["graph"]["edges"] if e[5] == shared["name"])


@pytest.mark.parametrize("request_, message", [
    ({"cmd": "configure", "args": {"example": "nope"}}, "unknown example 'nope'"),
    ({"cmd": "configure", "args": {"example": "spiral", "layer_sizes": [3, 4, 3]}},
     "needs 2 inputs"),
    ({"cmd": "configure", "args": {"layer_sizes": [2, 80, 2]}}, "at most 64 nodes"),
    ({"cmd": "configure", "args": {"example": "cnn", "layer_sizes": ["1x28x28", "pool2", 10]}},
     "at most 100 values"),
    ({"cmd": "configure", "args": {"layer_sizes": ["1x6x6", "conv2x9", 2]}}, "conv"),
    ({"cmd": "edit", "args": {"what": "weight", "index": [1, 0, 7], "value": 1}},
     "no weight"),
    ({"cmd": "edit", "args": {"what": "input", "index": [0], "value": float("nan")}},
     "finite"),
    ({"cmd": "rm", "args": {}}, "unknown command"),
])
def test_bad_requests_are_one_message_and_change_nothing(request_, message):
    lab = Lab(example="article")
    before = lab.state()
    reply = json.loads(lab.call(json.dumps(request_)))
    assert message in reply["error"]
    assert lab.state() == before


def test_the_pages_modules_import_without_numpy():
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from neurons_lab.lab.engine import Lab\n"
            "lab = Lab(); [lab.step() for _ in range(4)]; lab.configure('spiral'); lab.train(3)\n"
            "print(sorted(m for m in sys.modules if m.startswith('neurons')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=".", check=True).stdout
    assert "neurons_lab.explain.trace" in out and "vectorized" not in out
