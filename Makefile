# Two commands for a fresh machine (see README): `make run` and `make test`.
# Each bootstraps its own environment: a private uv in .tools/, then the locked venv in .venv/.
PYTHON ?= python3
UV := .tools/bin/uv
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test check bench lint env demo

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	@touch $@

env: .venv/.synced

run: .venv/.synced
	$(UV) run --frozen python -m deploy.launcher $(ARGS)

# The quality gates (lint, format, types, import contracts), then the tests: what CI runs.
test: check
	$(UV) run --frozen pytest $(ARGS)

check: .venv/.synced
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy
	$(UV) run --frozen lint-imports

bench: .venv/.synced
	$(UV) run --frozen python -m bench $(ARGS)

demo: .venv/.synced
	$(UV) run --frozen python -m deploy.demo $(ARGS)

lint: check
