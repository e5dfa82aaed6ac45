# Cadence: `make run` serves the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# HOST and PORT reach the app too: without CADENCE_BASE_URL, its links name the port it serves on.
FLASK = HOST=$(HOST) PORT=$(PORT) $(PY) -m flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# The PostgreSQL that `make test` also runs the suite on, when set (see .ci/run).
TEST_DATABASE_URL ?=

.PHONY: run serve test test-sqlite test-postgres lint fmt bench install install-dev clean js

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.dev-installed node_modules/.installed

## js: bundle the call page's editor (js/live/, pinned npm packages) into
## webapp/static/js/live-notes.js with esbuild; the bundle is committed, so `make run` needs no npm
js: node_modules/.installed
	node_modules/.bin/esbuild js/live/notes.js --bundle --format=iife --target=es2020 --minify \
	  --legal-comments=none --metafile=node_modules/.live-notes.meta.json \
	  --outfile=webapp/static/js/live-notes.js
	node js/tools/licenses.mjs node_modules/.live-notes.meta.json > webapp/static/js/live-notes.LICENSES.txt

## run: install, migrate the SQLite database in instance/, load demo data when empty, serve
## (with the outbox worker beside the development server, so that mail goes out: without a
## MAIL_SERVER, in the environment or instance/config.py, into instance/mail/ as .eml files)
DEV_MAIL = $(if $(MAIL_SERVER)$(shell grep -qs '^MAIL_SERVER' instance/config.py && echo set),,MAIL_FILE_DIR=$(CURDIR)/instance/mail)
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(if $(DEV_MAIL),@echo "No MAIL_SERVER: mail is written to instance/mail/ (one .eml file each)")
	$(DEV_MAIL) $(FLASK) outbox work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

## serve: the production server (gunicorn) and the outbox worker on the configured database
serve: install
	$(FLASK) db upgrade
	$(FLASK) outbox work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) wsgi:app

## test: the linters, then the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
test: lint
	TEST_DATABASE_URL= POSTGRES_TEST_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest -p no:cacheprovider
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
	  echo "== again on PostgreSQL ($(TEST_DATABASE_URL)), browser and run-once tests excluded =="; \
	  TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest -p no:cacheprovider -m "not browser and not once"; \
	fi

## lint: ruff check, ruff format --check and mypy on the whole package (models, services, ical...)
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy webapp

fmt: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: every benchmark under bench/, each printing a table
bench: install-dev
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .mypy_cache
