"""neurons stays standard-library only, Python 3.9 syntax, and gives CPython's numbers on PyPy."""

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import neurons

PACKAGE = Path(neurons.__file__).parent
ROOT = PACKAGE.parent
STDLIB = set(sys.stdlib_module_names) if hasattr(sys, "stdlib_module_names") else None

SCRIPT = """
import json, neurons
net = neurons.Network([4, 5, 3], activation=["tanh"], output="softmax", loss="cross_entropy",
                      l2=0.01, seed=3)
data = [[0.1 * i - 0.2 * j for i in range(4)] for j in range(6)]
labels = [[1.0 if k == j % 3 else 0.0 for k in range(3)] for j in range(6)]
net.train(labels, data, 0.2, 5, batch_size=2)
net.train(labels, data, 0.2, 2)
print(json.dumps([net.parameters(), net.get_gradient(labels[0], data[0])]))
"""


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_python_39_syntax_and_standard_library_only(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), feature_version=(3, 9))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert STDLIB is None or top in STDLIB, f"{path.name} imports {name}"


@pytest.mark.skipif(shutil.which("pypy3") is None, reason="pypy3 is not on PATH")
def test_pypy_gives_the_same_numbers_as_cpython():
    def run(python):
        out = subprocess.run([python, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=120)
        return json.loads(out.stdout)

    assert run(shutil.which("pypy3")) == run(sys.executable)
