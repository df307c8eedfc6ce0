"""The README's example runs and prints what the README says it prints."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_short_example_runs_and_both_networks_agree():
    namespace = {}
    exec(compile(python_blocks()[0], "README.md", "exec"), namespace)
    net, twin, data = namespace["net"], namespace["twin"], namespace["data"]
    assert [y > 0.5 for y in net.predict(data[2])] == [k == 2 for k in range(8)]
    from training.networks import max_parameter_difference
    assert max_parameter_difference(net, twin) < 1e-12


def test_interactive_example_prints_what_the_readme_shows():
    block = python_blocks()[1]
    lines = block.strip().splitlines()
    namespace = {}
    for k, line in enumerate(lines):
        if not line.startswith(">>> "):
            continue
        *statements, last = line[4:].split("; ")
        for statement in statements:
            exec(statement, namespace)
        shown = lines[k + 1] if k + 1 < len(lines) else ">>> "
        if shown.startswith(">>> "):  # no output shown: a statement such as an import
            exec(last, namespace)
        else:
            assert repr(eval(last, namespace)) == shown
