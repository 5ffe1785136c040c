# The commands a newcomer types: `make run` and `make test`. Every target sets up first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench fmt clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/ensure-system-deps.sh
	@bash scripts/ensure-system-deps.sh
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: setup
	@bash scripts/run-demo.sh

test: setup
	@$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: setup
	@$(BIN)/ruff check ojlang tests bench
	@$(BIN)/ruff format --check ojlang tests bench
	@$(BIN)/mypy

fmt: setup
	@$(BIN)/ruff format ojlang tests bench
	@$(BIN)/ruff check --fix ojlang tests bench

bench: setup
	@$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
