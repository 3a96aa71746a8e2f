# The two commands a new developer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Two workers on a two-core machine; override with `make test PYTEST_ARGS="-n 0 -x"`.
PYTEST_ARGS ?= -n 2

.PHONY: install run test bench screenshots lint audit worker beat clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Development server on http://127.0.0.1:8000 with SQLite and in-process tasks.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

## The whole suite against PostgreSQL and Redis (started or provided if missing), with ruff.
test: install
	$(PY) scripts/run_tests.py $(PYTEST_ARGS)

## How the busiest lists scale with their length (ratios in one run; not part of `make test`).
bench: install
	$(PY) -m benchmarks.run $(BENCH_ARGS)

## The browser journeys again, keeping their screenshots (desktop and 375 px) in docs/screenshots/.
screenshots: install
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) scripts/run_tests.py -n 0 -q tests/browser

lint: install
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache

## Known vulnerabilities in the installed dependencies (pip-audit asks the PyPI advisory
## service: run it where that is reachable, e.g. in a deployment's pipeline; not in make test).
audit: install
	$(VENV)/bin/pip-audit --skip-editable --progress-spinner off

## A Celery worker and beat against REDIS_URL (docker compose runs these in production).
worker: install
	$(VENV)/bin/celery -A cluster_portal worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A cluster_portal beat --loglevel=INFO

clean:
	rm -rf $(VENV) .run staticfiles db.sqlite3
