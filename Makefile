# Safar: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
SAFAR := $(BIN)/safar
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
export SAFAR_DATA_DIR ?= $(CURDIR)/var
# Both cores: the suite runs in two processes (pytest-xdist); PYTEST_ARGS= runs it in one.
PYTEST_ARGS ?= -n 2

# The first Python of 3.12 or newer: on PATH, then under pyenv.
PYTHON := $(shell scripts/find-python.sh)

.PHONY: help setup system-deps run test test-slow test-postgres lint messages bench clean

help:
	@echo "make run    - install everything, load demo data and serve http://$(HOST):$(PORT)"
	@echo "make test   - install everything and run the test suite (all but the slow tests)"
	@echo "make test-slow - the slow tests (training the character network, live servers)"
	@echo "make lint   - ruff (lint and format), the migrations check and mypy"
	@echo "make clean  - remove .venv and the data folder"

system-deps:
	@scripts/system-deps.sh

$(STAMP): pyproject.toml requirements.lock
	@if [ -z "$(PYTHON)" ]; then echo "Safar needs Python 3.12 or newer (python3.12/python3.13 on PATH or under pyenv)." >&2; exit 1; fi
	@scripts/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python -q -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python -q --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	@cd src/safar && ../../$(SAFAR) compilemessages -v0 --ignore=.venv

run: setup
	$(SAFAR) migrate --no-input -v1
	$(SAFAR) collectstatic --no-input -v0
	$(SAFAR) load-demo
	@# A task worker reads the scans beside the web server, and stops with it.
	@$(SAFAR) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(SAFAR) runserver $(HOST):$(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test-slow: setup
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

test-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/safar} $(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(SAFAR) makemigrations --check --dry-run
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var
