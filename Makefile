# `make demo` and `make test` work on a fresh machine with python3 and make: each creates .venv
# when missing and installs the project (editable). `make demo` installs the runtime set only
# (NumPy, tqdm); `make test` adds the dev extra (pytest, hypothesis, ruff, ...).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench bench-quick clean notebooks lab

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/python -m neurons_lab demo

# the browser lab: fetches the pinned Pyodide once (integrity checked), then serves the page
lab: $(STAMP)
	$(BIN)/python -m neurons_lab lab

test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# the course: installs the notebook extra and opens notebooks/ in JupyterLab (the tests
# execute every notebook: pytest tests/test_notebooks.py)
notebooks: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[notebook]'
	$(BIN)/python -m jupyter lab notebooks/

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks

bench-quick: $(DEV_STAMP)
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info
