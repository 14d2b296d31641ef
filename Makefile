VENV ?= .venv
PY := $(VENV)/bin/python
# Python 3.11+ is required; fall back to python3.11 when python3 is older.
PYTHON ?= $(shell python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo python3 || echo python3.11)

.PHONY: install run test lint bench bench-quick bench-scale screenshots clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	touch $@

run: install
	$(VENV)/bin/borderledger quickstart

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install
	$(PY) -m bench --mode full

bench-quick: install
	$(PY) -m bench --mode quick

bench-scale: install
	$(PY) -m bench --mode scale

# The browser tests, saving their screenshots of every page into docs/screenshots/.
screenshots: install
	SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest tests/browser

# Removes build artefacts and caches; keeps the virtual environment (rm -rf .venv for that).
clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis .ruff_cache $(VENV)/.installed
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
