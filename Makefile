# The two commands of README: `make demo` and `make test`. Everything they need is set up here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install dev postgres chromium lint typecheck unit bench model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

## make demo: set up ombud and run it on the bundled sample voices (SQLite, no set-up needed).
demo: install
	$(BIN)/ombud demo

## make test: lint, type-check and run the whole suite on SQLite and PostgreSQL, pages in headless Chromium.
test: dev postgres chromium lint typecheck unit

postgres:
	bash scripts/ensure-postgres.sh

# The browser tests drive Debian's chromium with Playwright; no browser is downloaded.
chromium:
	bash scripts/ensure-chromium.sh

lint: dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: dev
	$(BIN)/mypy

unit: dev
	$(BIN)/pytest -n 2 --dist loadgroup

## make bench: the import benchmark (100,000 and 1,000,000 voices into SQLite and PostgreSQL).
bench: dev postgres
	$(BIN)/python bench/import.py

## make model: rebuild every shipped model from corpus/ and refresh docs/quality.md (under 15 minutes on 2 cores).
model: dev
	$(BIN)/python scripts/build_models.py
	$(BIN)/python scripts/build_wish_model.py

clean:
	rm -rf $(VENV) ombud-demo .pytest_cache .mypy_cache .ruff_cache
