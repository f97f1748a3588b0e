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

venv: .venv/.installed  ## Create .venv from requirements.txt

.venv/.installed: requirements.txt
	@scripts/venv.sh

run: deps venv  ## Set everything up and serve on http://127.0.0.1:8050
	@scripts/pg.sh with DATABASE_URL scripts/run.sh

serve: deps venv  ## Like run, served by gunicorn with PANTAU_WORKERS workers
	@scripts/pg.sh with DATABASE_URL scripts/run.sh gunicorn

test: deps-test venv  ## Lint, then the whole test suite against a separate test database
	@scripts/pg.sh with PANTAU_TEST_DATABASE_URL $(MAKE) --no-print-directory lint pytest

pytest: venv  ## The test suite alone (the database must be up: make db-start)
	@$(PY) -m pytest

lint: venv  ## ruff (lint and format) and mypy
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy

format: venv  ## Apply ruff's fixes and formatting
	@$(PY) -m ruff check --fix .
	@$(PY) -m ruff format .

bench: deps-test venv  ## Benchmarks: one JSON line per figure
	@scripts/pg.sh with PANTAU_BENCH_DATABASE_URL $(PY) -m bench

load: deps-test venv  ## Load and faults against make serve with 1M complaints (about 10 minutes; restarts the local cluster)
	@scripts/pg.sh with PANTAU_BENCH_DATABASE_URL $(PY) -m bench.load $(ARGS)

backup: deps venv  ## Back up the database and photos into one archive; its path is the last line
	@scripts/backup.sh

restore: deps venv  ## Restore an archive made by make backup: make restore FILE=path (checks it first)
	@scripts/restore.sh "$(FILE)"

screenshot: deps-test venv  ## The wall screen with demo data, kiosk mode, 1920x1080: docs/wall.png
	@$(PY) scripts/screenshot.py

db-start: deps  ## Start the local PostGIS cluster in PANTAU_DATA_DIR/pg (default var/pg)
	@scripts/pg.sh start

db-stop:  ## Stop the local PostGIS cluster
	@scripts/pg.sh stop

.PHONY: help deps deps-test venv run serve test pytest lint format bench load db-start db-stop screenshot backup restore
