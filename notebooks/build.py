"""Build the course's notebooks (notebooks/*.ipynb) from their sources (notebooks/src/*.py).

A source is Python in the "percent" format: a line ``# %%`` starts a code cell, ``# %% [markdown]``
a text cell (each of its lines starts with "# "), ``# %% exercise`` a code cell tagged
"exercise" (a skeleton the learner fills in; the tests put the reference answers there).
The .ipynb files are committed without outputs; tests/test_notebooks.py checks they are in
step with their sources. Run from the repository root: ``python notebooks/build.py``.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def cells(text):
    """[(kind, tags, source)] of a percent-format source; kind "code" or "markdown"."""
    out, kind, tags, lines = [], None, [], []

    def flush():
        if kind is not None:
            body = "\n".join(lines).strip("\n")
            if kind == "markdown":
                body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                                 for line in body.split("\n"))
            out.append((kind, tags, body))

    for line in text.split("\n"):
        if line.startswith("# %%"):
            flush()
            marker = line[4:].strip()
            kind = "markdown" if marker == "[markdown]" else "code"
            tags = ["exercise"] if marker == "exercise" else []
            lines = []
        elif kind is not None:
            lines.append(line)
    flush()
    return out


def notebook(text):
    """The notebook (a JSON-ready dict, nbformat 4.5) of a percent-format source."""
    nb_cells = []
    for n, (kind, tags, body) in enumerate(cells(text)):
        cell = {"cell_type": kind, "id": f"c{n:02d}", "metadata": {"tags": tags} if tags else {},
                "source": body.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        nb_cells.append(cell)
    return {"cells": nb_cells, "metadata": {"kernelspec": KERNEL,
                                            "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def dumps(nb):
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def build(check=False):
    """Write every notebook (``check``: only list those out of step). Returns their names."""
    stale = []
    for source in sorted((HERE / "src").glob("*.py")):
        target = HERE / (source.stem + ".ipynb")
        text = dumps(notebook(source.read_text(encoding="utf-8")))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(target.name)
            if not check:
                target.write_text(text, encoding="utf-8")
    return stale


if __name__ == "__main__":
    check = "--check" in sys.argv[1:]
    names = build(check)
    if check and names:
        sys.exit("out of step with notebooks/src: " + ", ".join(names))
    print(("out of step: " if check else "wrote: ") + (", ".join(names) or "nothing"))
