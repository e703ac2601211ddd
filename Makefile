# The two everyday commands are `make demo` and `make test`; the rest are their parts.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_PORT ?= 8000
# Absolute links in mails and calendar feeds point at the server that `make demo`/`make run` start.
PORTAL_BASE_URL ?= http://127.0.0.1:$(DEMO_PORT)
DEV_ENV := PORTAL_BASE_URL=$(PORTAL_BASE_URL)
# Test run against the local PostgreSQL and Redis that `make services` provides.
TEST_DATABASE_URL ?= postgres://portal:portal@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The restricted application role (scripts/ensure-services creates it): the audit tests and
# the production smoke test connect as it, the owner role above runs the migrations.
TEST_APP_DATABASE_ROLE ?= portal_app
TEST_APP_DATABASE_PASSWORD ?= portal_app
PYTEST_ARGS ?=

.PHONY: demo test venv services browser haproxy oidc lint messages worker beat run

INSTALLED := $(VENV)/.installed

# Reinstalled whenever pyproject.toml changes.
$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv
	$(PY) -m uv pip install --quiet --python $(PY) -e '.[dev]'
	touch $(INSTALLED)

venv: $(INSTALLED)

## Start the portal with demo data on SQLite (Celery runs tasks in-process): http://127.0.0.1:$(DEMO_PORT)
## Next to the server a dispatcher sends due reminders (printed here); it stops with the server.
demo: $(INSTALLED)
	$(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py demo_dispatcher & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
		$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(DEMO_PORT)

## Run the whole test suite against PostgreSQL, Redis, a Celery worker and headless Chromium.
## The import contracts between the apps are checked first (pyproject.toml, [tool.importlinter]).
test: $(INSTALLED) services browser haproxy oidc
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		TEST_APP_DATABASE_ROLE=$(TEST_APP_DATABASE_ROLE) \
		TEST_APP_DATABASE_PASSWORD=$(TEST_APP_DATABASE_PASSWORD) \
		$(PY) -m pytest $(PYTEST_ARGS)

services:
	bash scripts/ensure-services

browser:
	bash scripts/ensure-chromium

# The load balancer in front of two web instances in the scale-out test.
haproxy:
	bash scripts/ensure-haproxy

# The single sign-on tests' OpenID Connect provider (npm oidc-provider, pinned in tests/oidc/).
oidc:
	bash scripts/ensure-oidc-provider

lint: $(INSTALLED)
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Update the English catalogue after texts changed (needs GNU gettext), then compile it.
# gettext's guesses for new texts are dropped: an untranslated text beats a wrong one.
EN_CATALOGUE := locale/en/LC_MESSAGES/django.po
messages: $(INSTALLED)
	$(PY) manage.py makemessages --locale en --no-obsolete --ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*'
	msgattrib --clear-fuzzy --empty --clear-previous -o $(EN_CATALOGUE) $(EN_CATALOGUE)
	$(PY) manage.py compilemessages --locale en --ignore '.venv/*'

# Development against Redis: run these next to `make run` in separate terminals.
run: $(INSTALLED)
	REDIS_URL=redis://127.0.0.1:6379/0 $(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(DEMO_PORT)

worker: $(INSTALLED)
	REDIS_URL=redis://127.0.0.1:6379/0 $(DEV_ENV) $(VENV)/bin/celery -A portal worker --loglevel=info

beat: $(INSTALLED)
	REDIS_URL=redis://127.0.0.1:6379/0 $(VENV)/bin/celery -A portal beat --loglevel=info \
		--schedule=$(VENV)/celerybeat-schedule
