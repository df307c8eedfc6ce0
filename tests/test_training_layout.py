"""training/ reads like the rest: small files, no import cycles, one validator module, and a
``fit`` that fits on one screen."""

import ast
import inspect
from pathlib import Path

from neurons_lab.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1] / "training"
FILES = sorted(ROOT.rglob("*.py"))


def module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path):
    """Every training.* module ``path`` imports, at any depth (a function-level import is
    still an edge of the graph)."""
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    modules = {module_name(p) for p in FILES}
    return {m for m in found if m in modules and m != module_name(path)}


def test_no_file_is_over_about_300_lines():
    long = {p.name: n for p in FILES if (n := len(p.read_text().splitlines())) > 320}
    assert long == {}


def test_training_has_no_import_cycles():
    graph = {module_name(p): imports(p) for p in FILES}
    done, active = set(), []

    def visit(node):
        assert node not in active, "import cycle: " + " → ".join(active + [node])
        if node in done:
            return
        active.append(node)
        for nxt in graph.get(node, ()):
            if nxt != "training":  # the package's empty __init__
                visit(nxt)
        active.pop()
        done.add(node)

    for node in graph:
        visit(node)


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
