"""neurons explain / draw / plot on the command line: each has --help, runs, and a bad
argument is one line on stderr with a non-zero exit and nothing written."""

import json
import xml.etree.ElementTree as ET

import pytest

from neurons_lab.cli import main
from neurons_lab.explain.i18n import default_lang
from tests.helpers import run_cli as run


def test_explain_mazur_in_english(capsys):
    code, out, err = run(capsys, "explain", "--example", "mazur", "--lang", "en")
    assert code == 0 and err == ""
    assert "out_o1 = sigmoid(net_o1) = sigmoid(1.10590597) = 0.75136507" in out
    assert "E = ½((target_o1−out_o1)² + (target_o2−out_o2)²)" in out
    assert "neurons explain --html page.html" in out
    # Mazur's post shares one bias per layer and never updates it: the output says so
    assert out.rstrip().endswith("every number he publishes come out the same.")
    assert "all four are updated" in out


def test_explain_every_layer_kind_from_the_command_line(capsys):
    code, out, _ = run(capsys, "explain", "--activation", "relu", "--output", "softmax",
                       "--lang", "en")
    assert code == 0 and "δ8 = t8 − y8" in out and "a4 = relu(net4)" in out
    for impl in ("vectorized", "both"):
        code, out, _ = run(capsys, "explain", "--activation", "tanh", "--output", "identity",
                           "--loss", "hinge", "--impl", impl, "--lang", "en")
        assert code == 0 and ("tanh(" in out or "Largest difference" in out)


@pytest.mark.parametrize("impl", ["neurons", "vectorized"])
def test_draw_a_cnn_as_maps_and_filters(capsys, tmp_path, impl):
    out_file = tmp_path / "cnn.html"
    code, out, _ = run(capsys, "draw", "--layers", "1x6x6,conv2x3,pool2,3", "--impl", impl,
                       "-o", str(out_file))
    page = out_file.read_text(encoding="utf-8")
    assert code == 0 and "W[1,0]" in page and "map 1 (δ)" in page and "input" in page


def test_explain_language_follows_the_locale(capsys, monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, out, _ = run(capsys, "explain", "--seed", "2")
    assert code == 0 and "阶段 1 — 前向计算" in out and "3-4-2 (seed 2)" in out
    assert default_lang({"LANG": "en_US.UTF-8"}) == "en"
    assert default_lang({"LC_ALL": "zh_TW.UTF-8", "LANG": "C"}) == "zh"
    assert default_lang({}) == "en"


def test_explain_weights_file_and_page(capsys, tmp_path):
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"layer_sizes": [2, 1], "parameters": [[[[0.5, -0.5]], [0.1]]],
                                   "sample": [1.0, 2.0], "label": [1.0], "rate": 0.1}))
    code, out, _ = run(capsys, "explain", "--weights", str(weights), "--lang", "en")
    assert code == 0 and "net3 = w31·x1 + w32·x2 + w3b" in out
    page = tmp_path / "page.html"
    code, out, _ = run(capsys, "explain", "--weights", str(weights), "--html", str(page))
    assert code == 0 and page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"wrote {page}" in out


@pytest.mark.parametrize("argv, words, exit_code", [
    (["explain", "--impl", "matrix"], "invalid choice: 'matrix'", 2),
    (["explain", "--example", "lecun"], "invalid choice: 'lecun'", 2),
    (["explain", "--lang", "fr"], "invalid choice: 'fr'", 2),
    (["explain", "--seed", "x"], "invalid int value: 'x'", 2),
    (["explain", "--seed", "1", "--example", "mazur"], "not allowed with argument", 2),
    (["explain", "--weights", "/nonexistent/w.json"], "cannot read weights file", 1),
    (["explain", "--html", "/nonexistent/dir/page.html"], "/nonexistent/dir does not exist", 1),
    (["explain", "--html", "page.txt"], "must end in .html or .htm", 1),
    (["explain", "--output", "softmax", "--loss", "mse"], "softmax output is explained with "
                                                          "loss cross_entropy only", 1),
    (["draw", "--layers", "3,x", "-o", "net.svg"], "--layers '3,x'", 1),
    (["draw", "--layers", "3", "-o", "net.svg"], "need at least two sizes", 1),
    (["draw", "-o", "net.png"], "must end in .svg or .dot or .gv", 1),
    (["draw", "--layers", "1x6x6,conv2x3,3", "-o", "net.svg"], "must end in .html or .htm", 1),
    (["draw", "--layers", "1x2x2,conv2x3,3", "-o", "net.html"], "does not fit the 2x2 input", 1),
    (["draw"], "the following arguments are required: -o/--output", 2),
    (["plot", "nothing.csv", "-o", "c.png"], "nothing.csv does not exist", 1),
    (["plot", "spiral", "-o", "c.png", "--epochs", "0"], "--epochs 0: must be at least 1", 1),
])
def test_bad_arguments_are_one_line(capsys, tmp_path, monkeypatch, argv, words, exit_code):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as info:
        code = info.code
    out, err = capsys.readouterr()
    assert code == exit_code
    assert err.count("\n") == 1 and words in err, err
    assert err.startswith(f"neurons {argv[0]}: error: ")
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("impl", ["neurons", "vectorized"])
def test_draw_svg_and_dot(capsys, tmp_path, impl):
    svg = tmp_path / "net.svg"
    code, out, _ = run(capsys, "draw", "--layers", "3,4,2", "--seed", "1", "--impl", impl,
                       "-o", str(svg))
    assert code == 0 and out == f"wrote {svg}\n"
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert sum(g.get("class") == "node" for g in root.iter("{http://www.w3.org/2000/svg}g")) == 9
    dot = tmp_path / "net.dot"
    assert run(capsys, "draw", "--impl", impl, "-o", str(dot))[0] == 0
    assert dot.read_text(encoding="utf-8").startswith("digraph network {")


def test_draw_large_network_is_summarised(capsys, tmp_path):
    svg = tmp_path / "mnist.svg"
    code, _, _ = run(capsys, "draw", "--layers", "784,300,10", "--impl", "vectorized",
                     "-o", str(svg))
    text = svg.read_text(encoding="utf-8")
    assert code == 0 and "… 774 more" in text and "… 290 more" in text


def test_the_chinese_readme_shows_real_output(capsys):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.zh-CN.md").read_text("utf-8")
    block = readme.split("的一段输出:\n\n```\n", 1)[1].split("```", 1)[0]
    code, out, _ = run(capsys, "explain", "--example", "mazur", "--lang", "zh")
    assert code == 0
    for line in block.strip().splitlines():
        assert line in out.splitlines(), line
    assert "](README.zh-CN.md)" in (Path(__file__).resolve().parents[1] / "README.md").read_text(
        "utf-8").split("\n", 4)[2]
