# The two commands a newcomer needs: `make demo` and `make test`. Each does its own set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)

.PHONY: help install demo test lint typecheck checks pytest browser bench clean

help:
	@echo "make demo   serve the site with demo data (embedded PostgreSQL, no services needed)"
	@echo "make test   run every check and the whole test suite (PostgreSQL and Redis on 127.0.0.1)"
	@echo "make bench  run the benchmarks in tests/perf/"

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
	DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))') \
		ALLOWED_HOSTS=waymark.example.org $(PY) manage.py check --deploy --fail-level WARNING
	# The production static build (hashed, compressed) must succeed too.
	DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))') \
		STATIC_ROOT=$$(mktemp -d) $(PY) manage.py collectstatic --noinput --verbosity 0

pytest: install browser
	$(VENV)/bin/pytest -m "not perf"

test: lint typecheck checks pytest

bench: install
	$(VENV)/bin/pytest tests/perf -m perf --benchmark-enable -p no:randomly -s

clean:
	rm -rf $(VENV) .demo staticfiles test-artifacts
