# `make test` installs rubdown with its test tools into .venv and runs every check;
# `make demo` installs it and runs the built-in demo. Both work from a clean clone.
VENV ?= .venv
BIN := $(VENV)/bin
# The PostgreSQL integration tests use this server when it is reachable and skip otherwise
# (CI=true makes them fail instead of skipping).
export RUBDOWN_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: test lint demo bench

$(BIN)/rubdown: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

lint: $(BIN)/rubdown
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

demo: $(BIN)/rubdown
	$(BIN)/rubdown demo

bench: $(BIN)/rubdown
	$(BIN)/python bench/plan.py
