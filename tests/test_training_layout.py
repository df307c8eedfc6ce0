"""neurons_lab/training reads like the rest: one validator module, and a ``fit`` that fits on
one screen (file sizes and import cycles: test_layout.py, over the whole repository)."""

import ast
import inspect
from pathlib import Path

from neurons_lab.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1] / "neurons_lab" / "training"
FILES = sorted(ROOT.rglob("*.py"))
assert len(FILES) > 10, ROOT  # never vacuous


def test_checks_are_written_once_in_validate():
    defined = {}
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith(("_check_int",
                                                                          "_check_real",
                                                                          "_check_bool")):
                defined.setdefault(node.name, []).append(path.name)
    assert defined == {}


def test_fit_reads_on_one_screen():
    assert len(inspect.getsource(Trainer.fit).splitlines()) <= 40
