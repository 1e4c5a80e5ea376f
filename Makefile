# Two commands for a fresh machine (see README): `make run` and `make test`.
# Each bootstraps its own environment: a private uv in .tools/, then the locked venv in .venv/.
PYTHON ?= python3
UV := .tools/bin/uv
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test check bench soak lint env demo

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# Bytecode compiled once at install: every service, worker and test process then starts in half
# the time, even where PYTHONDONTWRITEBYTECODE is set.
.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

env: .venv/.synced

run: .venv/.synced
	$(UV) run --frozen python -m deploy.launcher $(ARGS)

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

# The quality gates (lint, format, types, import contracts), then the tests: what CI runs.
test: check $(CHROMIUM)
	$(UV) run --frozen pytest -n 2 --dist loadfile $(ARGS)

check: .venv/.synced
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy
	$(UV) run --frozen lint-imports

bench: .venv/.synced
	$(UV) run --frozen python -m bench $(ARGS)

soak: .venv/.synced
	$(UV) run --frozen python -m bench soak $(ARGS)

demo: .venv/.synced
	$(UV) run --frozen python -m deploy.demo $(ARGS)

lint: check
