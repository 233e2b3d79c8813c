# Shelfmark: two commands on a fresh machine.
#   make run   install everything, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test  install everything, lint, type-check, run the suite on SQLite and on PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# nodejs and npm run `npm ci` for the browser tests' axe-core. NodeSource's nodejs bundles npm and conflicts with
# Debian's npm package, so npm is asked of apt only where no npm command exists.
APT_PACKAGES := postgresql postgresql-contrib yaz chromium fonts-wqy-microhei libgomp1 gettext nodejs $(if $(shell command -v npm),,npm)
PYTEST_ARGS ?=

.PHONY: run test install system-packages lint typecheck test-sqlite test-postgres test-slow demo clean bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Node packages the browser tests inject into pages (axe-core), pinned by package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(BIN)/.installed node_modules/.package-lock.json

system-packages:
	@bash scripts/install-system-packages.sh $(APT_PACKAGES)

run: install
	$(BIN)/shelfmark migrate --no-input
	$(BIN)/shelfmark demo
	# The job worker (MARC imports from the staff pages) runs beside the web server and stops with it.
	$(BIN)/shelfmark run-huey --workers 1 & worker=$$!; trap 'kill $$worker' EXIT; $(BIN)/shelfmark runserver $(HOST):$(PORT)

demo: install
	$(BIN)/shelfmark migrate --no-input
	$(BIN)/shelfmark demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy shelfmark

test-sqlite: install
	DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$$(bash scripts/ensure-postgres.sh) $(BIN)/pytest $(PYTEST_ARGS)

test: system-packages install lint typecheck test-sqlite test-postgres

# The slow tier (not part of `make test`): the Library of Congress BooksAll file, 250,000 records, imported,
# searched and exported on both databases; the file is fetched once into ~/.cache/shelfmark (bench/loc.py).
test-slow: install
	SHELFMARK_SLOW=1 DATABASE_URL= $(BIN)/pytest -m slow tests/slow $(PYTEST_ARGS)
	SHELFMARK_SLOW=1 DATABASE_URL=$$(bash scripts/ensure-postgres.sh) $(BIN)/pytest -m slow tests/slow $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/catalog.py --records 20000 --database both

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache node_modules tests/browser/screenshots
