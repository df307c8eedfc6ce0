"""The install check of .ci/install_check.py (run by .ci/run) catches what it is there to catch:
an extra top-level package in the wheel, and installed text naming a development folder."""

import importlib.util
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "install_check.py"
spec = importlib.util.spec_from_file_location("install_check", SCRIPT)
install_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install_check)


def wheel(tmp_path, files):
    path = tmp_path / "x-0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


GOOD = {"neurons/__init__.py": '"""Shared weights: neurons/shared.py, docs/design.md."""',
        "vectorized/__init__.py": "", "neurons_lab/__init__.py": "",
        "neurons_lab-0.1.0.dist-info/METADATA": "Name: neurons-lab",
        "neurons_lab-0.1.0.dist-info/licenses/LICENSE": "MIT License"}


def test_a_clean_wheel_passes(tmp_path):
    problems = []
    install_check.check_wheel(wheel(tmp_path, GOOD), problems)
    assert problems == []


def test_a_wheel_without_its_license_is_caught(tmp_path):
    problems = []
    files = {k: v for k, v in GOOD.items() if not k.endswith("LICENSE")}
    install_check.check_wheel(wheel(tmp_path, files), problems)
    assert problems == ["the wheel carries no LICENSE"]


@pytest.mark.parametrize("name, text, expected", [
    ("benchmarks/__init__.py", "", "packages are"),
    ("neurons_lab/x.py", "see DESIGN.md", "DESIGN.md"),
    ("neurons_lab/w.py", "MNIST in ../shared/data/mnist", "shared/"),
    ("neurons_lab/y.py", 'BESIDE = ROOT / "shared" / "data"', "development folder"),
    ("neurons_lab-0.1.0.dist-info/METADATA", "as the seeds say", "the seeds"),
    ("neurons_lab/z.py", "# 种子文章", "种子"),
])
def test_each_defect_is_caught(tmp_path, name, text, expected):
    problems = []
    install_check.check_wheel(wheel(tmp_path, {**GOOD, name: text}), problems)
    assert len(problems) == 1 and expected in problems[0], problems
