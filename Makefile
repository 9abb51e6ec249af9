# One entry point. Each target bootstraps what it needs in .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
## test workers (pytest-xdist): one per core by default; TEST_WORKERS=0 runs in one process
TEST_WORKERS ?= auto

.PHONY: demo test test-sqlite test-postgres test-access lint typecheck bench docs clean mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: create the database, import the real data, create demo accounts, serve on :8000
demo: $(STAMP)
	$(BIN)/commonground demo
	$(BIN)/commonground serve --host $(HOST) --port $(PORT)

## test: lint, types, migrations check and the whole suite (DATABASE_URL picks the database)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy commonground bench
	$(BIN)/python -m django makemigrations --check --dry-run --settings=commonground.settings
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not serial"
	$(BIN)/pytest -q -m serial

## test-access: the access policy's tables (marker `access`) on SQLite, then on PostgreSQL
## (POSTGRES_URL, default the local server's `test` database, as CI uses)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
test-access: $(STAMP)
	env -u DATABASE_URL $(BIN)/pytest -q -m access
	DATABASE_URL="$(POSTGRES_URL)" $(BIN)/pytest -q -m access

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy commonground bench

## bench: import speed and web endpoints under load (see docs/performance.md)
bench: $(STAMP)
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.voices_kobo
	$(BIN)/python -m bench.inbox
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.web

## mutation: mutation check of the access policy (sharing/policy.py) against its tests, with mutmut
## (configured in pyproject.toml [tool.mutmut]; one core by default: MUTATION_JOBS=2 for two)
MUTATION_JOBS ?= 1
mutation: $(STAMP)
	rm -rf mutants
	COMMONGROUND_DATA_DIR="$${COMMONGROUND_DATA_DIR:-$(abspath $(CURDIR)/..)/shared/data}" \
		$(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/python tools/mutation_score.py

## docs: regenerate the CLI reference from --help
docs: $(STAMP)
	$(BIN)/python -m commonground.cli.reference > docs/cli.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache mutants

## mapdata: rebuild the offline admin-1 boundaries from Natural Earth (needs npm; see tools/)
.PHONY: mapdata
mapdata: $(STAMP)
	$(BIN)/python tools/build_mapdata.py
