"""The README's equation map is true (issue 10, item 5): every function it names in the
``neurons`` and ``vectorized`` columns exists and runs when training runs.

The map is parsed from the README's table; ``train_one_sample``, ``get_gradient`` and ``train``
with batches are traced with ``sys.setprofile``, which sees every Python function call. A row
about the step (式5) is not expected in ``get_gradient``, which never steps; the mini-batch row
only in batched training. The last tests name a function that training never calls, and one
that does not exist, and show both reported.
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


def called_code(run):
    """The code objects of every Python function called while ``run()`` runs."""
    seen = set()

    def profile(frame, event, arg):
        if event == "call":
            seen.add(frame.f_code)

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


def not_called(rows, package_name, run):
    """Map entries of one package that do not run during ``run`` (or do not exist)."""
    package = PACKAGES[package_name]
    net = package.Network([3, 4, 2], seed=1, l2=0.01)
    seen = called_code(lambda: RUNS[run](net))
    missing = []
    for label, columns in rows.items():
        if not expected_in(label, run):
            continue
        for name in columns[package_name]:
            try:
                function = inspect.unwrap(resolve(package, name))
            except (LookupError, AttributeError, ImportError):
                missing.append(f"{label}: {name} does not exist")
                continue
            if function.__code__ not in seen:
                missing.append(f"{label}: {name} is not called by {run}")
    return missing


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

    def update_inline(self, rate):  # the hoisted copy issue 10 removed
        for conn in self.connections:
            conn.weight -= rate * conn.gradient

    monkeypatch.setattr(neurons.Network, "update_weight", update_inline)
    missing = not_called(rows, "neurons", "train_one_sample")
    assert len(missing) == 1 and "Connection.update_weight is not called" in missing[0]
