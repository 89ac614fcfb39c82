# The two commands a newcomer needs: `make demo` and `make test`. Each does its own set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)
# Production settings refuse to start without real services: the checks name placeholder ones (never contacted).
PROD_ENV := DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))') \
	DATABASE_URL=postgres://waymark@db.invalid/waymark REDIS_URL=redis://redis.invalid:6379/1 \
	CELERY_BROKER_URL=redis://redis.invalid:6379/0 EMAIL_URL=smtp://mail.invalid:25 SITE_URL=https://waymark.example.org

.PHONY: help install demo test lint typecheck checks pytest outages browser bench clean

help:
	@echo "make demo   serve the site with demo data (embedded PostgreSQL, no services needed)"
	@echo "make test   run every check and the whole test suite (PostgreSQL and Redis on 127.0.0.1)"
	@echo "make outages  run only the outage drills in tests/outages/ (private Redis and PostgreSQL, real workers)"
	@echo "make bench  measure at national scale (gunicorn, Celery, wrk): writes tests/perf/RESULTS.md"

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	@mkdir -p $(XDG_RUNTIME_DIR)
	$(PY) -m config.demo

# Debian's Chromium for the browser tests; never a downloaded browser.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

checks: install
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
		$(PY) manage.py makemigrations --check --dry-run
	$(PROD_ENV) ALLOWED_HOSTS=waymark.example.org $(PY) manage.py check --deploy --fail-level WARNING
	# The production static build (hashed, compressed) must succeed too.
	$(PROD_ENV) STATIC_ROOT=$$(mktemp -d) $(PY) manage.py collectstatic --noinput --verbosity 0

pytest: install browser
	$(VENV)/bin/pytest -n 2 --dist load -m "not perf and not outage"
	$(MAKE) --no-print-directory outages

# The outage drills, their own step: each starts private servers (redis-server, a PostgreSQL cluster, Celery workers,
# gunicorn) and stops, restarts or kills them. About three minutes here; the timeout's SIGINT still lets every drill
# stop what it started.
outages: install
	timeout --signal=INT --kill-after=60 900 $(VENV)/bin/pytest tests/outages -m outage

test: lint typecheck checks pytest

# Issue 19, never part of `make test`: the service at national scale (seeded once into a template database, cloned
# for each run), gunicorn -w 2 under production settings, a real Celery worker, wrk at 16 connections. About 15
# minutes (plus a few for seeding when the seeder changed); writes tests/perf/RESULTS.md. The small in-process
# benchmarks: `.venv/bin/pytest tests/perf -m perf --benchmark-enable -p no:randomly -s`.
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) tests/perf/bench.py

clean:
	rm -rf $(VENV) .demo staticfiles test-artifacts
