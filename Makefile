# `make test` installs rubdown with its test tools into .venv and runs every check;
# `make demo` installs it and runs the built-in demo. Both work from a clean clone.
VENV ?= .venv
BIN := $(VENV)/bin
# The PostgreSQL integration tests use this server when it is reachable and skip otherwise
# (CI=true makes them fail instead of skipping).
export RUBDOWN_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The browser tests (tests/browser) drive `rubdown serve` in Debian's Chromium through
# Playwright's Python client; Playwright's own browser download is never used.
CHROMIUM ?= /usr/bin/chromium
export RUBDOWN_TEST_CHROMIUM ?= $(CHROMIUM)

.PHONY: test lint demo bench browser

# A stamp of its own: the README's demo command installs rubdown into the same .venv without
# the test tools, so the presence of .venv/bin/rubdown says nothing about them.
TOOLS := $(VENV)/.test-tools-installed

$(TOOLS): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

lint: $(TOOLS)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Installs Chromium with apt-get when it is missing and we are root (as on a fresh CI machine);
# otherwise says why the browser tests will skip (with CI=true they fail instead).
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "make: installing chromium for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && apt-get install -y -q --no-install-recommends chromium \
			|| echo "make: warning: could not install chromium; the browser tests will not run" >&2; \
	else \
		echo "make: warning: $(CHROMIUM) is missing and only root can apt-get install chromium;" \
			"the browser tests will not run" >&2; \
	fi

test: lint browser
	$(BIN)/pytest

demo: $(TOOLS)
	$(BIN)/rubdown demo

bench: $(TOOLS)
	$(BIN)/python bench/plan.py
