"""The course (notebooks/): every notebook executed top to bottom in a fresh kernel; the
exercise notebook also with the reference answers filled in and with a planted wrong answer
the checker must catch. Run times: ``pytest tests/test_notebooks.py --durations=0``."""

import copy
import inspect
import os
import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# real MNIST for the test, if there: $NEURONS_TEST_MNIST or the data folder beside the checkout
MNIST = Path(os.environ.get("NEURONS_TEST_MNIST")
             or Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist")

sys.path.insert(0, str(NOTEBOOKS))
import build  # noqa: E402  (notebooks/build.py)


@pytest.fixture(autouse=True)
def _kernel_env(monkeypatch):
    """The kernel imports the packages from this checkout, uses one BLAS thread, draws no
    windows (matplotlib's inline backend)."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + path if path else ""))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


def run(nb):
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    return nb


def read(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def text_of(nb):
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            out.append(o.get("text", "") or "".join(o.get("data", {}).get("text/plain", "")))
    return "\n".join(out)


def test_notebooks_in_step_with_their_sources():
    assert build.build(check=True) == [], "run: python notebooks/build.py"


def test_every_markdown_cell_speaks_both_languages():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        md = [c.source for c in nb.cells if c.cell_type == "markdown"]
        assert any(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in md), path.name
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("0*.ipynb")))
def test_notebook_runs(name):
    nb = run(read(name))
    out = text_of(nb)
    if name.startswith("01"):  # the network draws itself after `import neurons_lab`
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert "<svg" in first.outputs[-1]["data"]["text/html"]
    if name.startswith("05"):
        assert "SKIPPED" in out or "test accuracy" in out
    if name.startswith("07"):
        assert "not written yet" in out and "✗" not in out


@pytest.mark.skipif(not MNIST.is_dir(), reason="no MNIST files for the test")
def test_mnist_notebook_trains_on_real_files():
    nb = read("05_mnist.ipynb")
    nb.cells[1].source = nb.cells[1].source.replace("data_dir = None", f"data_dir = {str(MNIST)!r}")
    nb.cells[1].source = nb.cells[1].source.replace("epochs = 4", "epochs = 2")
    out = text_of(run(nb))
    assert "epoch 2: training E" in out
    accuracy = float(out.split("epoch 2:")[1].split("test accuracy")[1].split("%")[0])
    assert accuracy > 80


def test_mnist_notebook_skips_clearly_without_data(tmp_path):
    nb = read("05_mnist.ipynb")
    nb.cells[1].source = nb.cells[1].source.replace("data_dir = None",
                                                    f"data_dir = {str(tmp_path)!r}")
    out = text_of(run(nb))
    assert "SKIPPED: no MNIST here" in out and "download_mnist()" in out


def with_answers(answers):
    """The exercise notebook with each exercise cell replaced by ``answers[name]`` source."""
    nb = read("07_exercises.ipynb")
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            name = cell.source.split("def ")[1].split("(")[0]
            cell.source = answers[name]
    return nb


def reference_answers():
    from neurons_lab.explain import exercises

    return {name: inspect.getsource(fn) for name, fn in exercises.REFERENCE.items()}


def test_exercise_notebook_with_reference_answers_passes():
    out = text_of(run(with_answers(reference_answers())))
    assert out.count("✓") == 5 and "✗" not in out


def test_exercise_notebook_catches_a_planted_wrong_answer():
    answers = copy.deepcopy(reference_answers())
    answers["hidden_delta"] = ("def hidden_delta(a, weights, deltas):\n"
                               "    return (1 - a) * sum(w * d for w, d in zip(weights, deltas))\n")
    with pytest.raises(nbclient.exceptions.CellExecutionError) as caught:
        run(with_answers(answers))
    message = str(caught.value)
    assert "hidden_delta: first differs at node" in message and "off by" in message
