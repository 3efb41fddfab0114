# RepDesk: `make run` to use it, `make test` to check it. Both create .venv when it is missing.
# `make package` builds the one-folder app in dist/repdesk/, `make package-test` smoke-tests it,
# `make install-user` puts it under ~/.local with its menu entry.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PACKAGE_DIR ?= dist/repdesk
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint bench screenshots clean package package-test install-user uninstall-user icon

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The tests use PyInstaller too: one starts the sync process the way the packaged app does.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	touch $@ $(VENV)/.installed-run $(VENV)/.installed-package

$(VENV)/.installed-package: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[package]'
	touch $@ $(VENV)/.installed-run

run: QT_QPA_PLATFORM =
run: $(VENV)/.installed-run
	$(BIN)/repdesk $(ARGS)

# The record-linkage peers the hygiene benchmark compares against; `make test` never needs them.
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,package,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-package $(VENV)/.installed-run

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy models

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-bench
	$(BIN)/python -m tests.benchmarks $(ARGS)

# make screenshots SIZE=1366x768 SCALE=1.25 OUT=/some/folder: the screens on another screen
# size (pixels) and display scaling.
SIZE  ?= 1440x880
SCALE ?= 1
OUT   ?= resources/screenshots
screenshots: $(VENV)/.installed-test
	$(BIN)/python -m desktop.screenshots --out $(OUT) --size $(SIZE) --scale $(SCALE)

package: $(VENV)/.installed-package
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath $(dir $(PACKAGE_DIR)) \
		--workpath build/pyinstaller packaging/repdesk.spec
	@du -sh $(PACKAGE_DIR)

package-test: package
	$(BIN)/python packaging/smoke_test.py $(PACKAGE_DIR)

$(PACKAGE_DIR)/repdesk:
	$(MAKE) package

install-user: | $(PACKAGE_DIR)/repdesk
	sh packaging/user_install.sh install $(PACKAGE_DIR)

uninstall-user:
	sh packaging/user_install.sh uninstall

icon: $(VENV)/.installed-run
	$(BIN)/python packaging/render_icon.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
