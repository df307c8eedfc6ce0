"""The README's examples run through doctest and print what the README says they print."""

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def python_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, re.S)


def run_examples(text, name="README.md"):
    """Run every python block as one doctest session (names carry from block to block);
    returns (failures, examples tried) and the report doctest printed."""
    blocks = python_blocks(text)
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, name, name, 0)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report = []
    result = runner.run(test, out=report.append)
    return (result.failed, result.attempted), "".join(report)


def test_every_python_block_is_a_doctest():
    for block in python_blocks(README.read_text(encoding="utf-8")):
        assert block.startswith(">>> "), block[:60]


def test_the_examples_print_what_the_readme_shows():
    (failed, tried), report = run_examples(README.read_text(encoding="utf-8"))
    assert tried >= 15 and failed == 0, report


def test_a_wrong_output_in_the_readme_is_caught():
    text = README.read_text(encoding="utf-8").replace(
        "0.1, 0.1, 0.0, 0.1]", "0.1, 0.1, 0.0, 0.2]")
    (failed, _), report = run_examples(text)
    assert failed == 1 and "0.2]" in report
