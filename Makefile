# Two commands: `make run` (portal + Celery worker and beat) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: run test setup lint bench clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt
	touch $(STAMP)

# Front-end packages (bpmn-js) from package-lock.json; the files the pages load are copied into
# var/build/static/ (settings.STATICFILES_DIRS), so nothing from node_modules/ is committed.
NODE_STAMP := node_modules/.installed-stamp
ASSETS := var/build/static/vendor/bpmn-js
ASSETS_STAMP := $(ASSETS)/.copied-stamp

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(ASSETS_STAMP): $(NODE_STAMP)
	mkdir -p $(ASSETS)
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	   node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css $(ASSETS)/
	touch $(ASSETS_STAMP)

# The process designer's bundle (bpmn-js Modeler, properties panel, bpmnlint, dmn-js), built with
# esbuild from portal/designer/assets/src/ into modeler.js, modeler.css and their fonts.
DESIGNER_SRC := portal/designer/assets
DESIGNER := var/build/static/vendor/designer
DESIGNER_STAMP := $(DESIGNER)/.built-stamp

.PHONY: designer-assets
designer-assets: $(DESIGNER_STAMP)

$(DESIGNER_STAMP): $(NODE_STAMP) package.json package-lock.json $(DESIGNER_SRC)/build.mjs $(shell find $(DESIGNER_SRC)/src -type f 2>/dev/null)
	rm -rf $(DESIGNER)
	node $(DESIGNER_SRC)/build.mjs $(DESIGNER)
	touch $(DESIGNER_STAMP)

setup: $(STAMP) $(ASSETS_STAMP) $(DESIGNER_STAMP)
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py audit_keygen -v 0
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo

run: setup
	PORT=$(PORT) $(BIN)/honcho -f Procfile start

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# The whole suite on the embedded default (SQLite, no broker server); then, where
# PATEN_TEST_DATABASE_URL names a PostgreSQL server (and PATEN_TEST_BROKER_URL a Redis database),
# again on PostgreSQL, with the integration tests that start Celery worker and beat processes
# (not the browser tests: they would only repeat the same pages).
# Tests run in parallel, one process per core (TEST_WORKERS=0 for one process), each module on one
# worker (so a module's browser or Celery processes start once, and one module owns the test Redis).
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope

test: setup lint
	$(PYTEST)
	@if [ -n "$$PATEN_TEST_DATABASE_URL" ]; then \
	  echo "== the suite again on PostgreSQL and Redis"; \
	  PATEN_DATABASE_URL="$$PATEN_TEST_DATABASE_URL" $(PYTEST) -m "not slow and not e2e"; \
	fi

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
