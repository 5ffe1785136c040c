# The commands a newcomer types: `make run` and `make test`. Every target sets up first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench fmt grammars clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/ensure-system-deps.sh
	@bash scripts/ensure-system-deps.sh
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# bytecode as a real install has it: an editable install otherwise compiles every module
	@# of `oj` at each start when PYTHONDONTWRITEBYTECODE is set
	@$(BIN)/python -m compileall -q ojlang
	@touch $(STAMP)

run: setup
	@bash scripts/run-demo.sh

# The pure core's tests run first, alone, with its branch coverage printed and gated (issue 4:
# `tests/runtime/core` alone must cover `ojlang/runtime/core`); then the rest of the suite.
CORE_COVERAGE ?= 99
test: setup
	@$(BIN)/python -m pytest tests/runtime/core -n 2 --cov=ojlang.runtime.core --cov-branch \
		--cov-report=term-missing:skip-covered --cov-fail-under=$(CORE_COVERAGE)
	@$(BIN)/python -m pytest -n 2 --dist loadgroup --ignore=tests/runtime/core

lint: setup
	@$(BIN)/ruff check ojlang tests bench
	@$(BIN)/ruff format --check ojlang tests bench
	@$(BIN)/mypy

fmt: setup
	@$(BIN)/ruff format ojlang tests bench
	@$(BIN)/ruff check --fix ojlang tests bench

bench: setup
	@$(BIN)/python -m bench

# Regenerate the LALR tables of ojlang/parser/generated/ after editing a grammars/*.lark file
# (tests/parser/test_lalr_gen.py fails until then), and the record templates of
# ojlang/rec_templates.py after adding a record class of a new shape (tests/test_rec_gen.py).
grammars: setup
	@$(BIN)/python -m ojlang.parser.lalr_gen
	@$(BIN)/python -m ojlang.rec_gen
	@$(BIN)/ruff format --quiet ojlang/rec_templates.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
