# SaferWork: `make run` to try it, `make test` to test it. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test check serve worker bench bench-quick bench-inprocess setup assets migrate clean cluster-test

$(VENV)/.installed: requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SaferWork needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

saferwork/static/build/app.css: node_modules/.installed assets/build.mjs $(wildcard assets/scss/*.scss assets/js/*.mjs)
	npm run --silent build

assets: saferwork/static/build/app.css

setup: $(VENV)/.installed assets
	@mkdir -p var

migrate: setup
	DEBUG=true $(PY) manage.py migrate --noinput

run: migrate
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

PYTEST_ARGS ?= -n 2 --dist worksteal --durations=15

test: setup
	SAFERWORK_TESTING=true $(PY) -m pytest $(PYTEST_ARGS)

# nginx, two web hosts, a task worker, PostgreSQL, Redis and an S3 server (cluster/run.py).
cluster-test: setup
	$(PY) cluster/run.py

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	SAFERWORK_TESTING=true $(VENV)/bin/mypy saferwork

# Production-style serving: several gunicorn workers on one database (set DATABASE_URL,
# SECRET_KEY, ALLOWED_HOSTS and DJANGO_SETTINGS_MODULE=saferwork.settings_production).
serve: setup
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py migrate --noinput
	$(VENV)/bin/gunicorn saferwork.wsgi --config gunicorn.conf.py

# The task worker for TASK_BACKEND=database.
worker: setup
	$(PY) manage.py db_worker

# Through HTTP: gunicorn on PostgreSQL (and Redis) beside a bare Django floor, the programme's
# pages then the prevention half's (bench/http_pages/); see bench/README.md.
bench: setup
	$(PY) bench/http_bench.py
	$(PY) bench/http_prevention.py

bench-quick: setup
	BENCH_ROUNDS=1 BENCH_SECONDS=3 BENCH_QUICK=1 $(PY) bench/http_bench.py
	BENCH_ROUNDS=1 BENCH_SECONDS=3 BENCH_QUICK=1 $(PY) bench/http_prevention.py

# The older in-process figures (test client, SQLite): make bench-inprocess [BENCH=name].
bench-inprocess: setup
	SAFERWORK_TESTING=true $(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules saferwork/static/build saferwork/static/vendor var
