"""docs/check.md's worked example: its buggy class gives the lines the page shows, and the
fix it describes passes."""

import re
from pathlib import Path

from tests.helpers import run_cli

PAGE = Path(__file__).resolve().parents[1] / "docs" / "check.md"


def test_the_worked_example_says_what_the_page_shows(tmp_path, capsys):
    text = PAGE.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", text, re.S).group(1)
    (tmp_path / "mynet.py").write_text(code, encoding="utf-8")
    status, out, _ = run_cli(capsys, "check", f"{tmp_path}/mynet.py:MyNet")
    assert status == 4
    for line in shown.splitlines():
        if line.lstrip().startswith(("first difference:", "diagnosis:")):
            assert line in out.splitlines()
    fixed = code.replace("net * (1 - net) * (t - y)", "y * (1 - y) * (t - y)")
    assert fixed != code
    (tmp_path / "fixed.py").write_text(fixed, encoding="utf-8")
    status, out, _ = run_cli(capsys, "check", f"{tmp_path}/fixed.py:MyNet")
    assert status == 0 and "agree: 1 network, 8 skipped" in out
