"""The README's equation map is true: every function it names in the ``neurons`` and
``vectorized`` columns exists, runs when training runs, and is at most two calls from
``train_one_sample`` (式1 in neurons three: through ``Layer.calc_output``, as the tutorial).

The map is parsed from the README's table; ``train_one_sample``, ``get_gradient`` and ``train``
with batches are traced with ``sys.setprofile``, which sees every Python function call and how
deep it is. A row about the step (式5) is not expected in ``get_gradient``, which never steps;
the mini-batch row only in batched training. The last tests name a function that training never
calls, one that does not exist, and a home reached through one call more, and show each
reported.
"""

import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest

import neurons
import vectorized

ROOT = Path(__file__).resolve().parents[1]
READMES = [ROOT / "README.md", ROOT / "README.zh-CN.md"]
PACKAGES = {"neurons": neurons, "vectorized": vectorized}
NAME = re.compile(r"`([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+)`")  # `Class.method`, `module.function`
T, X = [0.9, 0.1], [0.1, 0.7, 0.3]
DATA = ([T, [0.1, 0.9], T, T], [X, [0.5, 0.5, 0.5], X, [0.0, 0.2, 0.4]])


def equation_map(text):
    """{row label: {"neurons": [names], "vectorized": [names]}} from the first table after the
    heading that holds the map ("Where each equation lives" / "公式在代码里的位置")."""
    heading = r"^## (?:Where each equation lives|公式在代码里的位置)\n"
    section = re.split(heading, text, flags=re.M)[1]
    rows = {}
    for line in section.splitlines():
        if line.startswith("## "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or set(cells[0]) <= set("-: "):
            continue
        label, _, in_neurons, in_vectorized = cells
        rows[label] = {"neurons": NAME.findall(in_neurons),
                       "vectorized": NAME.findall(in_vectorized)}
    rows.pop(next(iter(rows)))  # the header row
    return rows


def resolve(package, name):
    """The function a map entry names: ``Class.method`` of a class the package exports (or
    its layer module's), or a dotted ``package.module.function``."""
    if name.split(".")[0] in PACKAGES:
        module_name, _, attribute = name.rpartition(".")
        return getattr(importlib.import_module(module_name), attribute)
    owner, attribute = name.split(".")
    for module in (package, importlib.import_module(package.__name__ + ".layer")):
        if hasattr(module, owner):
            return getattr(getattr(module, owner), attribute)
    raise LookupError(f"{package.__name__} has no {owner}")


def called_code(run, entry=None):
    """{code object: the most calls it was below ``entry``} for every Python function called
    while ``run()`` runs (``entry``: the name of the method the depth counts from; 1 = called
    by it directly; 0 for calls outside it)."""
    seen, depth, base = {}, [0], []

    def profile(frame, event, arg):
        if event == "call":
            depth[0] += 1
            if not base and frame.f_code.co_name == entry:
                base.append(depth[0])
            below = depth[0] - base[0] if base else 0
            seen[frame.f_code] = max(seen.get(frame.f_code, 0), below)
        elif event == "return":
            depth[0] -= 1
            if base and depth[0] < base[0]:
                base.clear()

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return seen


RUNS = {
    "train_one_sample": lambda net: net.train_one_sample(T, X, 0.5),
    "get_gradient": lambda net: net.get_gradient(T, X),
    "train, batches of 3": lambda net: net.train(*DATA, 0.5, 1, batch_size=3),
}


def expected_in(label, run):
    """Which rows a run must call: get_gradient never steps, only batches use the batch row."""
    if "batch" in label:
        return run.startswith("train,")
    if "式5" in label:
        return run != "get_gradient"
    return True


NETWORKS = {"fully connected": [3, 4, 2], "CNN": ["1x3x3", "conv2x2", "pool2", 2]}
CNN_DATA = ([T, [0.1, 0.9], T], [[0.1 * k for k in range(9)], [0.5] * 9, [0.3] * 9])


def hops(rows, package_name, run="train_one_sample", network="fully connected"):
    """{(row label, name): calls from ``run``'s method to the name} for one package (None: not
    called); LookupError etc. for a name that does not exist."""
    package = PACKAGES[package_name]
    net = package.Network(NETWORKS[network], seed=1, l2=0.01)
    entry = run.split(",")[0]
    if network == "CNN":
        seen = called_code(lambda: {
            "train_one_sample": lambda: net.train_one_sample(CNN_DATA[0][0], CNN_DATA[1][0], 0.5),
            "get_gradient": lambda: net.get_gradient(CNN_DATA[0][0], CNN_DATA[1][0]),
            "train, batches of 3": lambda: net.train(*CNN_DATA, 0.5, 1, batch_size=3),
        }[run](), entry)
    else:
        seen = called_code(lambda: RUNS[run](net), entry)
    found = {}
    for label, columns in rows.items():
        if expected_in(label, run):
            for name in columns[package_name]:
                code = inspect.unwrap(resolve(package, name)).__code__
                found[label, name] = seen.get(code)
    return found


def not_called(rows, package_name, run):
    """Map entries of one package that do not run during ``run`` (or do not exist)."""
    missing = []
    for label, columns in rows.items():
        for name in columns[package_name] if expected_in(label, run) else []:
            try:
                depth = hops({label: {package_name: [name]}}, package_name, run)[label, name]
            except (LookupError, AttributeError, ImportError):
                missing.append(f"{label}: {name} does not exist")
                continue
            if depth is None:
                missing.append(f"{label}: {name} is not called by {run}")
    return missing


def bound(package_name, label):
    """At most two calls from train_one_sample to a home; 式1 in neurons three (Network.predict
    → Layer.calc_output → Node.calc_output, the tutorial's own path)."""
    return 3 if package_name == "neurons" and label.startswith("式1") else 2


def too_far(rows, package_name, run="train_one_sample", network="fully connected"):
    """Homes more calls away from ``run`` than :func:`bound` allows."""
    return [f"{label}: {name} is {depth} calls from {run} (at most {bound(package_name, label)})"
            for (label, name), depth in hops(rows, package_name, run, network).items()
            if depth is not None and depth > bound(package_name, label)]


@pytest.fixture(scope="module", params=READMES, ids=lambda p: p.name)
def rows(request):
    return equation_map(request.param.read_text(encoding="utf-8"))


def test_the_map_has_every_home_of_design_md(rows):
    """DESIGN.md's homes, one row each (vectorized's gradient has its own method)."""
    homes = {
        "neurons": {"Node.calc_output", "Node.calc_output_layer_delta",
                    "Node.calc_hidden_layer_delta", "Connection.calc_gradient",
                    "Connection.update_weight"},
        "vectorized": {"FullConnectedLayer.forward", "vectorized.losses.output_delta",
                       "FullConnectedLayer.backward", "FullConnectedLayer.calc_gradient",
                       "FullConnectedLayer.update"},
    }
    for package, names in homes.items():
        assert names <= {name for row in rows.values() for name in row[package]}, package
    assert {label for label in rows if "式5" in label} and {l for l in rows if "batch" in l}


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("package", PACKAGES)
def test_every_mapped_function_runs(rows, package, run):
    assert not_called(rows, package, run) == []


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("run", ["train_one_sample", "get_gradient"])
@pytest.mark.parametrize("package", PACKAGES)
def test_every_home_is_at_most_two_calls_from_the_entry_point(rows, package, run, network):
    assert too_far(rows, package, run, network) == []


def test_the_hop_table(rows, capsys):
    """The table the closing note quotes (printed with ``pytest -s``), and a check of its
    depths: every home is 1 to 3 calls deep."""
    for package in PACKAGES:
        for (label, name), depth in hops(rows, package).items():
            print(f"{package:10} {label:10} {name:40} {depth}")
            assert depth in (1, 2, 3), (package, label, name, depth)


def test_a_home_one_call_further_is_reported(monkeypatch):
    """式8 split again over two methods (backward → backward_error), and the neurons step
    through a helper: both one call too far."""
    rows = equation_map((ROOT / "README.md").read_text(encoding="utf-8"))
    from vectorized import layer as layer_module

    def backward(self, delta_above, W_above=None):  # the split this issue removed
        return layer_module.backward_error(self, delta_above @ W_above)

    def backward_error(self, error):
        self.delta = self._f_prime(self.net, self.output) * error  # 式8
        return self.delta

    monkeypatch.setattr(layer_module.FullConnectedLayer, "backward", backward)
    monkeypatch.setattr(layer_module, "backward_error", backward_error, raising=False)
    split = {"式4": {"vectorized": ["vectorized.layer.backward_error"]}}
    assert too_far(split, "vectorized") == [
        "式4: vectorized.layer.backward_error is 3 calls from train_one_sample (at most 2)"]

    def update_weight(self, rate, *, checked=False):  # one helper more
        step_every_weight(self.weights, rate)

    def step_every_weight(weights, rate):
        for weight in weights:
            weight.update_weight(rate)

    monkeypatch.setattr(neurons.Network, "update_weight", update_weight)
    assert too_far(rows, "neurons") == [
        "式5: Connection.update_weight is 3 calls from train_one_sample (at most 2)"]


def test_a_function_named_but_not_called_is_reported():
    rows = equation_map((ROOT / "README.md").read_text(encoding="utf-8"))
    rows["式2"] = {"neurons": ["Connections.dump"], "vectorized": ["FullConnectedLayer.initialize"]}
    rows["式11"] = {"neurons": ["Node.calc_everything"], "vectorized": []}
    assert not_called(rows, "neurons", "train_one_sample") == [
        "式2: Connections.dump is not called by train_one_sample",
        "式11: Node.calc_everything does not exist",
    ]
    assert not_called(rows, "vectorized", "get_gradient") == [
        "式2: FullConnectedLayer.initialize is not called by get_gradient"]


def test_a_home_that_training_bypasses_is_reported(monkeypatch):
    """A step written a second time, so that Connection.update_weight no longer runs."""
    rows = equation_map((ROOT / "README.md").read_text(encoding="utf-8"))

    def update_inline(self, rate, *, checked=False):  # the hoisted copy issue 10 removed
        for conn in self.connections:
            conn.weight -= rate * conn.gradient

    monkeypatch.setattr(neurons.Network, "update_weight", update_inline)
    missing = not_called(rows, "neurons", "train_one_sample")
    assert len(missing) == 1 and "Connection.update_weight is not called" in missing[0]
