# The two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PYTEST_WORKERS ?= auto

.PHONY: run test test-postgres lint types unit e2e messages system-packages bench bench-load clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

messages: $(STAMP)
	cd src/hikeshi && ../../$(BIN)/django-admin compilemessages --verbosity 0

## Serve http://127.0.0.1:8000 with SQLite and a demo incident.
run: $(STAMP) messages
	$(BIN)/hikeshi init --demo
	$(BIN)/hikeshi serve

system-packages:
	@scripts/ensure-system-packages.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy src benchmarks

## Lint, types and the whole test suite (SQLite), browser tests included.
test: $(STAMP) messages system-packages lint types
	HIKESHI_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -n $(PYTEST_WORKERS) -q

## The whole suite against PostgreSQL (DATABASE_URL must be set).
test-postgres: $(STAMP) messages system-packages
	@test -n "$$DATABASE_URL" || (echo "set DATABASE_URL=postgres://..." && exit 2)
	HIKESHI_DATA_DIR=$(CURDIR)/var/test-pg $(BIN)/pytest -n $(PYTEST_WORKERS) -q

## The timeline benchmark (benchmarks/README.md) in a throw-away database: SQLite in a
## temporary data directory, or PostgreSQL when DATABASE_URL is set. BENCH_ARGS="--events 10000"
bench: $(STAMP)
	dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	HIKESHI_DATA_DIR=$$dir $(BIN)/python -m benchmarks.timeline $(BENCH_ARGS)

## The load benchmark (benchmarks/README.md): `hikeshi serve` on 10,001 incidents, measured
## over HTTP. Generates its data set once (var/bench-load), SQLite, or PostgreSQL when
## DATABASE_URL is set (that database is made again from a template). BENCH_ARGS="--only list"
bench-load: $(STAMP) messages
	$(BIN)/python -m benchmarks.load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
