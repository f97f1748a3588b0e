# Pantau: `make run` to use it, `make test` to check it. See README.md.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PY := .venv/bin/python

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

deps:  ## Install missing system packages (PostgreSQL, PostGIS)
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

venv: .venv/.installed-run  ## Create .venv with what Pantau needs to run (requirements/run.txt)

venv-test: .venv/.installed-test  ## Add to .venv what tests, benchmarks and linters need (requirements/test.txt)

.venv/.installed-run: requirements/run.txt
	@scripts/venv.sh run

.venv/.installed-test: requirements/run.txt requirements/test.txt
	@scripts/venv.sh test

# pip-compile keeps every pin it finds in the lock files: make lock ARGS="--upgrade-package NAME" to move one.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(PY) -m piptools compile -q --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(ARGS)

lock: venv-test  ## Regenerate requirements/run.txt and test.txt (hashed) from pyproject.toml
	@$(LOCK) -o requirements/run.txt pyproject.toml
	@$(LOCK) --extra test --extra dev -c requirements/run.txt -o requirements/test.txt pyproject.toml

run: deps venv  ## Set everything up and serve on http://127.0.0.1:8050
	@scripts/pg.sh with DATABASE_URL scripts/run.sh

serve: deps venv  ## Like run, served by gunicorn with PANTAU_WORKERS workers
	@scripts/pg.sh with DATABASE_URL scripts/run.sh gunicorn

test: deps-test venv-test  ## Lint, then the whole test suite against a separate test database
	@scripts/pg.sh with PANTAU_TEST_DATABASE_URL $(MAKE) --no-print-directory lint pytest

pytest: venv-test  ## The test suite alone (the database must be up: make db-start)
	@$(PY) -m pytest

# deptry's second pass (the first is [tool.deptry] in pyproject.toml): all the code, tests and benchmarks
# included, against the runtime and test dependencies (the dev extra holds tools, never imported).
# moto and flask-cors are run as moto_server; gunicorn and psycopg are loaded by name.
DEPTRY_ALL := --exclude '\.venv' --exclude '\.git' --exclude var --optional-dependencies-dev-groups dev \
	--per-rule-ignores 'DEP002=gunicorn|psycopg|moto|flask-cors'

lint: venv-test  ## ruff (lint and format), mypy, and deptry (dependencies against imports)
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy
	@$(PY) -m deptry .
	@$(PY) -m deptry . $(DEPTRY_ALL)

format: venv-test  ## Apply ruff's fixes and formatting
	@$(PY) -m ruff check --fix .
	@$(PY) -m ruff format .

bench: deps-test venv-test  ## Benchmarks: one JSON line per figure
	@scripts/pg.sh with PANTAU_BENCH_DATABASE_URL $(PY) -m bench

load: deps-test venv-test  ## Load and faults against make serve with 1M complaints (about 10 minutes; restarts the local cluster)
	@scripts/pg.sh with PANTAU_BENCH_DATABASE_URL $(PY) -m bench.load $(ARGS)

backup: deps venv  ## Back up the database and photos into one archive; its path is the last line
	@scripts/backup.sh

restore: deps venv  ## Restore an archive made by make backup: make restore FILE=path (checks it first)
	@scripts/restore.sh "$(FILE)"

screenshot: deps-test venv-test  ## The wall screen with demo data, kiosk mode, 1920x1080: docs/wall.png
	@$(PY) scripts/screenshot.py

db-start: deps  ## Start the local PostGIS cluster in PANTAU_DATA_DIR/pg (default var/pg)
	@scripts/pg.sh start

db-stop:  ## Stop the local PostGIS cluster
	@scripts/pg.sh stop

.PHONY: help deps deps-test venv venv-test lock run serve test pytest lint format bench load db-start db-stop screenshot backup restore
