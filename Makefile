# RepDesk: `make run` to use it, `make test` to check it. Both create .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: QT_QPA_PLATFORM =
run: $(VENV)/.installed-run
	$(BIN)/repdesk $(ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy models

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m tests.benchmarks $(ARGS)

# make screenshots SIZE=1366x768 OUT=/some/folder: the screens at another window size.
SIZE ?= 1440x880
OUT  ?= resources/screenshots
screenshots: $(VENV)/.installed-test
	$(BIN)/python -m desktop.screenshots --out $(OUT) --size $(SIZE)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
